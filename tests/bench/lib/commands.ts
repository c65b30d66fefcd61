/**
 * Scenario 1's measuring pieces, shared with the growth scenario: the progress-report load (autocannon in its own
 * process, tests/bench/workers/http-load.ts), the versions re-read once the service has settled, and the insertOne
 * baseline (tests/bench/workers/insert-load.ts).
 */
import path from 'node:path';
import { mongo } from 'mongoose';
import type { BenchContext } from './context';
import { MONITOR } from './stack';
import { runWorker, sleep } from './util';

/** What a load worker prints. */
export interface LoadResult {
  requestsPerSecond: number;
  ok: number;
  p50: number;
  p99: number;
  errors: number;
  statusCounts?: Record<string, number>;
  milestones?: Array<{ id: string; version: number }>;
}

export type MilestoneVersion = { id: string; version: number };

const HTTP_WORKER = path.join(__dirname, '../workers/http-load.ts');
const INSERT_WORKER = path.join(__dirname, '../workers/insert-load.ts');

/** The versions of `list` once they no longer change (two reads a second apart agree; at most a minute). */
export async function settledVersions(
  milestonesUrl: string,
  list: MilestoneVersion[],
): Promise<MilestoneVersion[]> {
  const read = () =>
    Promise.all(
      list.map(async (m) => {
        const res = await fetch(`${milestonesUrl}/milestones/${m.id}`, { headers: MONITOR });
        if (!res.ok) throw new Error(`reading milestone ${m.id} answered ${res.status}`);
        return { id: m.id, version: ((await res.json()) as { version: number }).version };
      }),
    );
  let before = await read();
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    const after = await read();
    const same = after.every((m, j) => m.version === before[j].version);
    before = after;
    if (same) break;
  }
  return before;
}

/**
 * `connections` autocannon connections post progress reports with If-Match to `list` for `duration` s; returns
 * the load's figures and the milestones' versions after it.
 */
export async function progressLoad(
  milestonesUrl: string,
  connections: number,
  duration: number,
  list: MilestoneVersion[],
): Promise<{ result: LoadResult; versions: MilestoneVersion[] }> {
  const result = await runWorker<LoadResult>(
    HTTP_WORKER,
    { url: milestonesUrl, connections, duration, token: 'dev-monitor', milestones: list },
    (duration + 120) * 1000,
  );
  // Requests in flight when autocannon stopped are still applied after it returns, unanswered to it: re-read
  // every version once the service has settled.
  return { result, versions: await settledVersions(milestonesUrl, list) };
}

/**
 * The baseline of command throughput: the driver's insertOne of copies of `sample` (a stored progress event) into
 * `collection` of the benchmark's database, `connections` concurrent, a warm-up and then one run per repetition;
 * the collection is dropped at the end. `report` says what happens (progress lines).
 */
export async function insertOneBaseline(
  ctx: BenchContext,
  sample: mongo.Document,
  collection: string,
  report: {
    warmup?: () => void;
    repetition?: (rep: number) => void;
    result: (rep: number, r: LoadResult) => void;
  },
): Promise<{ bytes: number; reps: LoadResult[] }> {
  const { options } = ctx;
  const bytes = mongo.BSON.calculateObjectSize(sample);
  const input = {
    mongoUrl: ctx.infra.mongoUrl,
    db: ctx.benchDb,
    collection,
    connections: options.connections,
    document: mongo.BSON.EJSON.stringify(sample, { relaxed: false }),
  };
  const insertLoad = (duration: number) =>
    runWorker<LoadResult>(INSERT_WORKER, { ...input, duration }, (duration + 120) * 1000);
  report.warmup?.();
  await insertLoad(options.warmup);
  const reps: LoadResult[] = [];
  for (let i = 1; i <= options.reps; i++) {
    report.repetition?.(i);
    const r = await insertLoad(options.duration);
    report.result(i, r);
    reps.push(r);
  }
  await ctx.client
    .db(ctx.benchDb)
    .collection(collection)
    .drop()
    .catch(() => undefined);
  return { bytes, reps };
}
