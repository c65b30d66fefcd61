/**
 * 1. Command throughput: N concurrent clients post milestone progress reports (one event each) through REST,
 *    with autocannon in its own process. Baseline: the MongoDB driver's insertOne of a copy of a stored progress
 *    event at the same concurrency, also in its own process.
 * 5. Memory: RSS of each service idle (after setup) and its peak under scenario 1's load. Baseline: a bare Node
 *    process with the same TypeScript loader. The alerts service runs with scenario 5 (as in production, it
 *    consumes every progress event into its deadline read model), so scenario 1 then shares the database with it.
 */
import { trUzMemorandum } from '@tracker/testing';
import { insertOneBaseline, progressLoad, type LoadResult } from '../lib/commands';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { MONITOR, ROOT } from '../lib/stack';
import { median, progress, rssMiB, sampleRss, sleep } from '../lib/util';

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: MONITOR, body: JSON.stringify(body) });
}

/** An agreement reference of this run (references are upper-case letters, digits and dashes). */
export function reference(ctx: BenchContext, suffix: string): string {
  return `BENCH-${ctx.runId.replace(/^bench_/, '').toUpperCase()}-${suffix}`;
}

/** Registers an agreement in the agreements service; returns its id. */
export async function registerAgreement(agreementsUrl: string, reference: string): Promise<{ id: string }> {
  const res = await post(
    `${agreementsUrl}/agreements`,
    trUzMemorandum(reference, { title: `Benchmark memorandum ${reference}`, commodities: ['copper'] }),
  );
  if (res.status !== 201) throw new Error(`registering ${reference} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string };
}

async function planMilestones(ctx: BenchContext, count: number): Promise<Array<{ id: string; version: number }>> {
  const agreement = await registerAgreement(ctx.agreements!.url, reference(ctx, 'LOAD'));
  const milestones: Array<{ id: string; version: number }> = [];
  const deadline = Date.now() + 60_000;
  while (milestones.length < count) {
    const res = await post(`${ctx.milestones!.url}/milestones`, {
      agreementId: agreement.id,
      type: 'geological_survey',
      title: `Benchmark survey ${milestones.length + 1}`,
      dueDate: '2030-12-31',
    });
    if (res.status === 201) {
      const view = (await res.json()) as { id: string; version: number };
      milestones.push({ id: view.id, version: view.version });
    } else if (res.status === 422 && Date.now() < deadline) {
      await sleep(200); // the milestones service has not seen the agreement's event yet
    } else {
      throw new Error(`planning a milestone answered ${res.status}: ${await res.text()}`);
    }
  }
  return milestones;
}

/** RSS of a Node process doing nothing, with the same loader as the services. */
async function bareNodeRss(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', 'setInterval(() => {}, 1000)'], { cwd: ROOT, stdio: 'ignore' });
  await sleep(2000);
  const rss = rssMiB(child.pid);
  child.kill('SIGTERM');
  return rss;
}

export async function commandThroughput(ctx: BenchContext, withMemory: boolean): Promise<ScenarioResult> {
  const { options } = ctx;
  const agreements = ctx.agreements!;
  const milestones = ctx.milestones!;
  const alerts = ctx.alerts;
  const pids: Record<string, number | undefined> = { agreements: agreements.pid, milestones: milestones.pid, ...(alerts && { alerts: alerts.pid }) };

  progress(`scenario 1: planning ${options.connections * 2} milestones`);
  let pool = await planMilestones(ctx, options.connections * 2);
  await sleep(2000);
  const idle = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]));

  const load = async (duration: number): Promise<LoadResult> => {
    const { result, versions } = await progressLoad(milestones.url, options.connections, duration, pool);
    pool = versions;
    return result;
  };

  progress(`scenario 1: warm-up ${options.warmup} s`);
  await load(options.warmup);
  const reps: LoadResult[] = [];
  const peaks: Array<Record<string, number>> = [];
  for (let i = 1; i <= options.reps; i++) {
    progress(`scenario 1: ${options.connections} clients × ${options.duration} s, repetition ${i}/${options.reps}`);
    const sampler = sampleRss(pids);
    const r = await load(options.duration);
    peaks.push(sampler.stop());
    progress(`  ${r.requestsPerSecond.toFixed(1)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors} ${JSON.stringify(r.statusCounts)}`);
    reps.push(r);
  }

  // Baseline: a stored progress event, copied (same size, same fields) with a new _id each time.
  const events = ctx.client.db(milestones.db).collection('events');
  const sample = await events.findOne({ type: 'milestone.progress-reported' });
  if (!sample) throw new Error('no progress event stored: the load produced none');
  const { bytes: documentBytes, reps: base } = await insertOneBaseline(ctx, sample, 'insert_baseline', {
    warmup: () => progress('scenario 1 baseline: warm-up'),
    repetition: (i) => progress(`scenario 1 baseline: insertOne × ${options.connections} concurrent, ${options.duration} s, repetition ${i}/${options.reps}`),
    result: (_, r) => progress(`  ${r.requestsPerSecond.toFixed(1)} inserts/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}`),
  });

  const m = (list: LoadResult[], f: (r: LoadResult) => number) => median(list.map(f));
  const what = `driver insertOne, ${documentBytes} B document, ${options.connections} concurrent`;
  const title = `1. Command throughput (${options.connections} clients, ${options.duration} s)`;
  const rows: Row[] = [
    { scenario: title, metric: 'throughput', tracker: m(reps, (r) => r.requestsPerSecond), baseline: m(base, (r) => r.requestsPerSecond), baselineWhat: what, unit: 'req/s' },
    { scenario: title, metric: 'latency p50', tracker: m(reps, (r) => r.p50), baseline: m(base, (r) => r.p50), baselineWhat: what, unit: 'ms' },
    { scenario: title, metric: 'latency p99', tracker: m(reps, (r) => r.p99), baseline: m(base, (r) => r.p99), baselineWhat: what, unit: 'ms' },
    { scenario: title, metric: 'errors (non-2xx, timeouts)', tracker: m(reps, (r) => r.errors), baseline: m(base, (r) => r.errors), baselineWhat: what, unit: 'count' },
  ];
  const notes = [
    `Scenario 1: POST /milestones/:id/progress with If-Match, ${pool.length} milestones shared by ${options.connections} autocannon connections (each request holds its milestone until answered); progress event stored as ${documentBytes} B BSON.`,
  ];
  if (withMemory) {
    progress('scenario 5: RSS of a bare Node process');
    const bare = await bareNodeRss();
    const memTitle = '5. Memory (RSS)';
    for (const name of Object.keys(pids)) {
      rows.push({ scenario: memTitle, metric: `${name} idle`, tracker: idle[name], baseline: bare, baselineWhat: 'bare `node -r @swc-node/register`', unit: 'MiB' });
      rows.push({ scenario: memTitle, metric: `${name} under scenario 1 (peak)`, tracker: median(peaks.map((p) => p[name])), baseline: bare, baselineWhat: 'bare `node -r @swc-node/register`', unit: 'MiB' });
    }
  }
  return { rows, notes };
}
