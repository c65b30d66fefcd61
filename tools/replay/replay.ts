/**
 * Rebuilds a service's read models while it keeps serving (issue 8), through its admin API:
 *
 *   npm run replay -- <agreements|milestones|alerts|all> [--url <base url>] [--api-key <admin key>]
 *
 * POSTs /admin/replays on the running service, then follows GET /admin/replays/{id}: progress on stderr (phase,
 * events done, rate, time left), the documents per read model on stdout at the end. The service does the work
 * (it knows its read models); see docs/adr/0006-replay.md.
 * Defaults: the local stack's URLs (AGREEMENTS_URL, MILESTONES_URL, ALERTS_URL override them) and the key in
 * TRACKER_ADMIN_KEY, else the development admin key. Exit code 0 when every replay succeeded, 1 when one failed,
 * 2 for a usage error or an unreachable service.
 */
const SERVICES: Record<string, { env: string; url: string }> = {
  agreements: { env: 'AGREEMENTS_URL', url: 'http://localhost:3001' },
  milestones: { env: 'MILESTONES_URL', url: 'http://localhost:3002' },
  alerts: { env: 'ALERTS_URL', url: 'http://localhost:3003' },
};
const DEV_ADMIN_KEY = 'dev-admin';

export interface ReplayStatus {
  id: string;
  service: string;
  status: 'running' | 'succeeded' | 'failed';
  phase: string;
  eventsTotal: number;
  eventsDone: number;
  eventsPerSecond: number;
  secondsLeft: number | null;
  documents: Record<string, number>;
  /** Seconds spent in each phase. */
  phaseSeconds: Record<string, number>;
  warnings: string[];
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(`${message}\nusage: npm run replay -- <${Object.keys(SERVICES).join('|')}|all> [--url <base url>] [--api-key <admin key>]`);
}

async function call(url: string, key: string, init: RequestInit = {}): Promise<ReplayStatus> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
  } catch (err) {
    throw new UsageError(`cannot reach ${url}: ${(err as Error).message}. Is the service running (npm run up)?`);
  }
  const body = (await res.json().catch(() => ({}))) as ReplayStatus & { detail?: string };
  if (res.status === 401 || res.status === 403) throw new UsageError(`${url}: ${res.status} ${body.detail ?? ''} (replays need an admin key: --api-key or TRACKER_ADMIN_KEY)`);
  if (!res.ok) throw new UsageError(`${url}: ${res.status} ${body.detail ?? JSON.stringify(body)}`);
  return body;
}

const n = (x: number) => x.toLocaleString('en-US');

function line(s: ReplayStatus): string {
  const left = s.secondsLeft === null ? '' : `, ~${s.secondsLeft} s left`;
  return `[${s.service}] ${s.phase}: ${n(s.eventsDone)} / ${n(s.eventsTotal)} events, ${n(s.eventsPerSecond)} events/s${left}`;
}

/** Runs one service's replay to its end, progress on stderr (also the benchmark's scenario 4). */
export async function replay(service: string, base: string, key: string): Promise<ReplayStatus> {
  let status = await call(`${base}/admin/replays`, key, { method: 'POST' });
  console.error(`[${service}] replay ${status.id} started`);
  let last = '';
  while (status.status === 'running') {
    await new Promise((r) => setTimeout(r, 1000));
    status = await call(`${base}/admin/replays/${status.id}`, key);
    const text = line(status);
    if (text !== last) console.error(text);
    last = text;
  }
  for (const w of status.warnings) console.error(`[${service}] warning: ${w}`);
  const seconds = (new Date(status.finishedAt ?? Date.now()).getTime() - new Date(status.startedAt).getTime()) / 1000;
  if (status.status === 'failed') {
    console.error(`[${service}] FAILED in ${status.phase}: ${status.error}. The read models in use were not switched if it failed before the switch; run it again.`);
  } else {
    console.error(`[${service}] done: ${n(status.eventsDone)} events in ${seconds.toFixed(1)} s`);
  }
  return status;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
  const target = args[0];
  if (!target || target.startsWith('--')) usage('which service?');
  const names = target === 'all' ? Object.keys(SERVICES) : [target];
  if (!names.every((s) => s in SERVICES)) usage(`unknown service ${target}`);
  if (names.length > 1 && option('--url')) usage('--url goes with one service');
  const key = option('--api-key') ?? process.env.TRACKER_ADMIN_KEY ?? DEV_ADMIN_KEY;

  const results: ReplayStatus[] = [];
  for (const service of names) {
    const base = (option('--url') ?? process.env[SERVICES[service].env] ?? SERVICES[service].url).replace(/\/$/, '');
    results.push(await replay(service, base, key));
  }
  console.log('| service | status | events | read model | documents |');
  console.log('| --- | --- | ---: | --- | ---: |');
  for (const r of results) {
    const docs = Object.entries(r.documents);
    if (docs.length === 0) console.log(`| ${r.service} | ${r.status} | ${n(r.eventsDone)} | | |`);
    docs.forEach(([name, count], i) => console.log(`| ${i ? '' : r.service} | ${i ? '' : r.status} | ${i ? '' : n(r.eventsDone)} | ${name} | ${n(count)} |`));
  }
  return results.every((r) => r.status === 'succeeded') ? 0 : 1;
}

if (require.main === module) main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? err.message : (err as Error).stack);
    process.exit(2);
  },
);
