/**
 * The dashboard's server: the built single-page app, and `/api/<service>/…` proxied to the three services so the
 * browser talks to one origin (no CORS). It holds no state and no keys: the browser sends its own bearer token,
 * which the services check, so what the UI hides the services still refuse.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import { createProxyMiddleware } from 'http-proxy-middleware';

export const Upstreams = ['agreements', 'milestones', 'alerts'] as const;
export type Upstream = (typeof Upstreams)[number];

export interface DashboardOptions {
  /** Base URL of each service, e.g. http://127.0.0.1:3001. */
  upstreams: Record<Upstream, string>;
  /** The folder `vite build` wrote (index.html and assets/). */
  staticDir: string;
  /** How long a proxied request may wait for its service before 504 (the SSE stream is exempt). */
  proxyTimeoutMs?: number;
}

/** RFC 9457 problem details, as the services answer, so the UI reads one error shape. */
function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/problem+json');
  res.end(
    JSON.stringify({
      type: `urn:tracker:problem:${status === 504 ? 'upstream-timeout' : 'upstream-unavailable'}`,
      title,
      status,
      detail,
    }),
  );
}

async function answers(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

export function createDashboard(options: DashboardOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // ECharts writes its tooltips as HTML with style attributes.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const built = existsSync(path.join(options.staticDir, 'index.html'));
    const checks = await Promise.all(
      Upstreams.map(async (name) => [name, await answers(options.upstreams[name])] as const),
    );
    const services = Object.fromEntries(checks.map(([name, up]) => [name, up ? 'up' : 'down']));
    const ok = built && checks.every(([, up]) => up);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', built, services });
  });

  for (const name of Upstreams) {
    const target = options.upstreams[name];
    app.use(
      `/api/${name}`,
      createProxyMiddleware<Request, Response>({
        target,
        changeOrigin: true,
        // No timeout on the live alert stream: it is meant to stay open.
        proxyTimeout: options.proxyTimeoutMs ?? 30_000,
        xfwd: false,
        on: {
          proxyReq: (proxyReq, req) => {
            // Cookies of this origin are not the services' business.
            proxyReq.removeHeader('cookie');
            if ((req as IncomingMessage).url?.endsWith('/stream')) proxyReq.setTimeout(0);
          },
          error: (err, _req, res) => {
            const code = (err as NodeJS.ErrnoException).code;
            const timeout = code === 'ECONNRESET' || code === 'ETIMEDOUT' || /timeout/i.test(err.message);
            if (!('setHeader' in res)) return;
            problem(
              res as ServerResponse,
              timeout ? 504 : 502,
              timeout ? `The ${name} service did not answer in time` : `The ${name} service is not reachable`,
              `The dashboard could not reach ${target} (${code ?? err.message}). Check that the service runs (npm run up) and try again.`,
            );
          },
        },
      }),
    );
  }
  app.use('/api', (_req, res) => {
    problem(res, 404, 'No such service', `The dashboard proxies /api/${Upstreams.join(', /api/')} only.`);
  });

  // Built assets carry a content hash in their names, so they can be cached for good; index.html never is.
  app.use(
    '/assets',
    express.static(path.join(options.staticDir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      fallthrough: false,
    }),
  );
  app.use(express.static(options.staticDir, { index: false, maxAge: 0 }));
  // Any other GET is a page of the app (client-side routing).
  app.get(/.*/, (_req, res) => {
    const index = path.join(options.staticDir, 'index.html');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send(`The dashboard is not built yet (no ${index}). Run: npm run build:dashboard`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return app;
}
