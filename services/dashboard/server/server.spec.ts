/**
 * The dashboard's server on real sockets: the app's files with client-side routes, and the one-origin proxy to
 * each service (prefix stripped, the bearer token passed, cookies not, a live stream streamed, an outage answered
 * with problem details that say what to do).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createDashboard, type Upstream } from './server';

interface Seen {
  url?: string;
  authorization?: string;
  cookie?: string;
}

function upstream(name: string, seen: Seen): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    seen.url = req.url;
    seen.authorization = req.headers.authorization;
    seen.cookie = req.headers.cookie;
    if (req.url === '/health/live') {
      res.end('{"status":"ok"}');
      return;
    }
    if (req.url?.endsWith('/stream')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('event: alert.raised\nid: 1\ndata: {"id":"a"}\n\n');
      // Kept open, as the real stream is; the test reads the first event only.
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ service: name, url: req.url }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe('dashboard server', () => {
  const seen: Seen = {};
  const servers: Server[] = [];
  let upstreams: Record<Upstream, string>;
  let built: string;

  beforeAll(async () => {
    for (const name of ['agreements', 'milestones', 'alerts']) servers.push(await upstream(name, seen));
    upstreams = { agreements: urlOf(servers[0]), milestones: urlOf(servers[1]), alerts: urlOf(servers[2]) };
    built = mkdtempSync(path.join(tmpdir(), 'dashboard-spec-'));
    mkdirSync(path.join(built, 'assets'));
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>Agreement tracker</title>');
    writeFileSync(path.join(built, 'assets', 'index-abc123.js'), 'console.log(1)');
  });

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('proxies /api/<service>/… to that service without the prefix, with the bearer token and without cookies', async () => {
    const app = createDashboard({ upstreams, staticDir: built });
    const res = await request(app)
      .get('/api/milestones/agreements/42/timeline?validAt=2026-06-30')
      .set('Authorization', 'Bearer dev-auditor')
      .set('Cookie', 'session=secret')
      .expect(200);
    expect(res.body).toEqual({ service: 'milestones', url: '/agreements/42/timeline?validAt=2026-06-30' });
    expect(seen.authorization).toBe('Bearer dev-auditor');
    expect(seen.cookie).toBeUndefined();
  });

  it('streams a live alert stream through as it comes', async () => {
    const app = createDashboard({ upstreams, staticDir: built });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const res = await fetch(`${urlOf(server)}/api/alerts/subscriptions/s1/stream`, {
      headers: { Authorization: 'Bearer dev-stakeholder' },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    // The first event arrives while the upstream still holds the response open.
    const { value } = await res.body!.getReader().read();
    expect(Buffer.from(value!).toString('utf8')).toContain('event: alert.raised');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('answers a service that is down with 502 problem details naming it and what to do', async () => {
    const app = createDashboard({
      upstreams: { ...upstreams, alerts: 'http://127.0.0.1:9' },
      staticDir: built,
    });
    const res = await request(app).get('/api/alerts/alerts').expect(502);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 502, title: 'The alerts service is not reachable' });
    expect(res.body.detail).toContain('npm run up');
  });

  it('answers 404 for a service it does not know', async () => {
    const res = await request(createDashboard({ upstreams, staticDir: built }))
      .get('/api/admin/secrets')
      .expect(404);
    expect(res.body.detail).toContain('/api/agreements');
  });

  it('serves the app for any page, assets cacheable for good and index.html never', async () => {
    const app = createDashboard({ upstreams, staticDir: built });
    const page = await request(app).get('/agreements/42').expect(200);
    expect(page.text).toContain('Agreement tracker');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = await request(app).get('/assets/index-abc123.js').expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await request(app).get('/assets/missing.js').expect(404);
  });

  it('says how to build the app when it is not built, and is not ready then', async () => {
    const app = createDashboard({ upstreams, staticDir: path.join(built, 'nothing-here') });
    const res = await request(app).get('/').expect(503);
    expect(res.text).toContain('npm run build:dashboard');
    const ready = await request(app).get('/health/ready').expect(503);
    expect(ready.body).toEqual({
      status: 'unavailable',
      built: false,
      services: { agreements: 'up', milestones: 'up', alerts: 'up' },
    });
  });

  it('is ready when built and every service answers; names the one that does not', async () => {
    await request(createDashboard({ upstreams, staticDir: built }))
      .get('/health/ready')
      .expect(200);
    const res = await request(
      createDashboard({ upstreams: { ...upstreams, agreements: 'http://127.0.0.1:9' }, staticDir: built }),
    )
      .get('/health/ready')
      .expect(503);
    expect(res.body.services).toEqual({ agreements: 'down', milestones: 'up', alerts: 'up' });
  });
});
