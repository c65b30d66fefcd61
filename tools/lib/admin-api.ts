/**
 * What the command-line clients of the services' admin routes share (`npm run replay`, `npm run dlq`): where the
 * services are, which key to send, one call with clear errors, and the exit codes (2 for a usage error or an
 * unreachable service).
 */
export const SERVICES: Record<string, { env: string; url: string }> = {
  agreements: { env: 'AGREEMENTS_URL', url: 'http://localhost:3001' },
  milestones: { env: 'MILESTONES_URL', url: 'http://localhost:3002' },
  alerts: { env: 'ALERTS_URL', url: 'http://localhost:3003' },
};
export const DEV_ADMIN_KEY = 'dev-admin';

/** A mistake of the caller or an unreachable service: the message is printed as it is, exit code 2. */
export class UsageError extends Error {}

type Env = Record<string, string | undefined>;

/** The base URL of a service: `--url`, else its variable (AGREEMENTS_URL…), else the local stack's. */
export function serviceUrl(service: string, url: string | undefined, env: Env = process.env): string {
  return (url ?? env[SERVICES[service]?.env ?? ''] ?? SERVICES[service]?.url ?? '').replace(/\/$/, '');
}

/** `--api-key`, else TRACKER_ADMIN_KEY, else the development admin key. */
export function adminKey(key: string | undefined, env: Env = process.env): string {
  return key ?? env.TRACKER_ADMIN_KEY ?? DEV_ADMIN_KEY;
}

/** Calls an admin route; `what` completes "… need an admin key" in the answer to a refused key. */
export async function callAdmin<T>(url: string, key: string, what: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
  } catch (err) {
    throw new UsageError(`cannot reach ${url}: ${(err as Error).message}. Is the service running (npm run up)?`);
  }
  const body = (await res.json().catch(() => ({}))) as T & { detail?: string };
  if (res.status === 401 || res.status === 403) throw new UsageError(`${url}: ${res.status} ${body.detail ?? ''} (${what} need an admin key: --api-key or TRACKER_ADMIN_KEY)`);
  if (!res.ok) throw new UsageError(`${url}: ${res.status} ${body.detail ?? JSON.stringify(body)}`);
  return body;
}

/** Runs a command's main: exits with its code, or 2 after a UsageError (its message), 2 after a crash (the stack). */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof UsageError ? err.message : (err as Error).stack);
      process.exit(2);
    },
  );
}
