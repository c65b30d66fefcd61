import path from 'node:path';
import type { DashboardOptions, Upstream } from './server';

export interface DashboardConfig extends DashboardOptions {
  port: number;
  host: string;
}

const defaults: Record<Upstream, string> = {
  agreements: 'http://127.0.0.1:3001',
  milestones: 'http://127.0.0.1:3002',
  alerts: 'http://127.0.0.1:3003',
};

function url(env: NodeJS.ProcessEnv, name: Upstream): string {
  const variable = `${name.toUpperCase()}_URL`;
  const value = env[variable] || defaults[name];
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(
      `${variable} must be an http(s) URL such as ${defaults[name]} (got ${JSON.stringify(value)})`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(
      `${variable} must be an http(s) URL such as ${defaults[name]} (got ${JSON.stringify(value)})`,
    );
  return value.replace(/\/+$/, '');
}

/** The dashboard's settings from the environment; throws a message naming the variable to fix. */
export function dashboardConfig(env: NodeJS.ProcessEnv, root: string): DashboardConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('PORT must be an integer between 0 and 65535');
  return {
    port,
    host: env.HOST || '127.0.0.1',
    staticDir: path.resolve(root, env.DASHBOARD_DIST || 'dist/dashboard'),
    upstreams: {
      agreements: url(env, 'agreements'),
      milestones: url(env, 'milestones'),
      alerts: url(env, 'alerts'),
    },
  };
}
