/**
 * Sizes of the benchmark: flags (`--duration=10`) win over environment variables (`BENCH_DURATION=10`), which win
 * over the defaults. The defaults are the issue's sizes, except scenarios 2 and 3 on FerretDB v1, which scans
 * collections for most queries (see tests/bench/README.md). `--smoke` shrinks everything to seconds, one repetition.
 */
export interface BenchOptions {
  smoke: boolean;
  /** Scenarios to run (1-6); default all. */
  only: number[];
  reps: number;
  /** Scenario 1: concurrent HTTP clients, seconds per repetition, warm-up seconds, milestones shared by the clients. */
  connections: number;
  duration: number;
  warmup: number;
  /** Scenario 2: streams, events per stream (also scenario 4's), streams appended in parallel. */
  streams: number;
  eventsPerStream: number;
  storeConcurrency: number;
  /** Scenario 3: registrations per second, seconds per repetition, records of Kafka's EndToEndLatency tool. */
  rate: number;
  propagationSeconds: number;
  e2eRecords: number;
  /** Scenario 4: events stored before the replay (milestone streams of `eventsPerStream` events). */
  replayEvents: number;
  /** Scenario 6: milestones falling due at once (one signed webhook each). */
  deadlineMilestones: number;
}

const FLAGS: Record<string, keyof BenchOptions> = {
  reps: 'reps',
  connections: 'connections',
  duration: 'duration',
  warmup: 'warmup',
  streams: 'streams',
  'events-per-stream': 'eventsPerStream',
  'store-concurrency': 'storeConcurrency',
  rate: 'rate',
  'propagation-seconds': 'propagationSeconds',
  'e2e-records': 'e2eRecords',
  'replay-events': 'replayEvents',
  'deadline-milestones': 'deadlineMilestones',
};

export const USAGE = `npm run bench -- [--smoke] [--only=1,3] [--out=DIR] ${Object.keys(FLAGS)
  .map((f) => `[--${f}=N]`)
  .join(' ')}
Each flag also reads from BENCH_<NAME> (e.g. BENCH_EVENTS_PER_STREAM=20). KAFKA_BROKERS + MONGO_URL: use that
Kafka and database instead of starting deploy/local/infra.sh.`;

function envName(flag: string): string {
  return `BENCH_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, isFerretDb: boolean): BenchOptions {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  const defaults: BenchOptions = smoke
    ? {
        smoke,
        only: [1, 2, 3, 4, 5, 6],
        reps: 1,
        connections: 4,
        duration: 2,
        warmup: 1,
        streams: 5,
        eventsPerStream: 4,
        storeConcurrency: 4,
        rate: 4,
        propagationSeconds: 2,
        e2eRecords: 20,
        replayEvents: 400,
        deadlineMilestones: 5,
      }
    : {
        smoke,
        only: [1, 2, 3, 4, 5, 6],
        reps: 3,
        connections: 32,
        duration: 20,
        warmup: 5,
        streams: isFerretDb ? 100 : 1000,
        eventsPerStream: 20,
        storeConcurrency: 8,
        rate: isFerretDb ? 5 : 200,
        propagationSeconds: isFerretDb ? 10 : 30,
        e2eRecords: 500,
        replayEvents: 200_000,
        deadlineMilestones: 500,
      };
  const options = { ...defaults };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const fromArg = argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1];
    const raw = fromArg ?? env[envName(flag)];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number (got "${raw}")`);
    (options as unknown as Record<string, number>)[key] = key === 'rate' ? value : Math.round(value);
  }
  const only = argv.find((a) => a.startsWith('--only='))?.split('=')[1] ?? env.BENCH_ONLY;
  if (only) {
    options.only = only.split(',').map(Number);
    if (options.only.some((n) => !Number.isInteger(n) || n < 1 || n > 6)) throw new Error(`--only takes scenario numbers 1-6 (got "${only}")`);
  }
  return options;
}
