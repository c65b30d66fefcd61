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
import { adminKey, callAdmin, runCli, serviceUrl, SERVICES, UsageError } from '../lib/admin-api';

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

function usage(message: string): never {
  throw new UsageError(`${message}\nusage: npm run replay -- <${Object.keys(SERVICES).join('|')}|all> [--url <base url>] [--api-key <admin key>]`);
}

const call = (url: string, key: string, init: RequestInit = {}) => callAdmin<ReplayStatus>(url, key, 'replays', init);

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
  const key = adminKey(option('--api-key'));

  const results: ReplayStatus[] = [];
  for (const service of names) {
    const base = serviceUrl(service, option('--url'));
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

if (require.main === module) runCli(main);
