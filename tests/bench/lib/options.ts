/**
 * Sizes of the benchmark: flags (`--duration=10`) win over environment variables (`BENCH_DURATION=10`), which win
 * over the defaults. The defaults are the issue's sizes, except scenarios 2 and 3 on FerretDB v1, which scans
 * collections for most queries (see tests/bench/README.md). `--smoke` shrinks everything to seconds, one repetition.
 */
export interface BenchOptions {
  smoke: boolean;
  /** Scenarios to run (1-8); default all but 7 (growth). */
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
  /**
   * Scenario 7, growth (issue 17; only with `--only=growth` or `--only=7`): events in the milestones store at each
   * size, agreements in the agreements store at each size (default a tenth of the events), events per seeded
   * milestone, propagation rate and seconds (a repetition).
   */
  growthSizes: number[];
  growthAgreements: number[];
  growthEventsPerMilestone: number;
  growthRate: number;
  growthPropagationSeconds: number;
  /**
   * Scenario 8, alert inbox (issue 20): alerts stored at each size (grown in place), the agreements they are spread
   * over, concurrent readers, seconds each figure is measured per repetition.
   */
  inboxSizes: number[];
  inboxAgreements: number;
  inboxClients: number;
  inboxSeconds: number;
}

/** Scenario numbers `--only` takes; `growth` is scenario 7, which the default run leaves out. */
export const GROWTH = 7;
/** Scenario 8, the alert inbox. */
export const INBOX = 8;

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
  'growth-events-per-milestone': 'growthEventsPerMilestone',
  'growth-rate': 'growthRate',
  'growth-propagation-seconds': 'growthPropagationSeconds',
  'inbox-agreements': 'inboxAgreements',
  'inbox-clients': 'inboxClients',
  'inbox-seconds': 'inboxSeconds',
};
/** Flags that take a comma-separated list of sizes. */
const LIST_FLAGS: Record<string, 'growthSizes' | 'growthAgreements' | 'inboxSizes'> = {
  'growth-sizes': 'growthSizes',
  'growth-agreements': 'growthAgreements',
  'inbox-sizes': 'inboxSizes',
};

export const USAGE = `npm run bench -- [--smoke] [--only=1,3,growth] [--out=DIR] ${Object.keys(FLAGS)
  .map((f) => `[--${f}=N]`)
  .join(' ')} ${Object.keys(LIST_FLAGS)
  .map((f) => `[--${f}=N,N,…]`)
  .join(' ')}
Scenario 7 (growth, issue 17) runs only when named: --only=growth (or 7). Scenario 8 is the alert inbox (issue 20).
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
        only: [1, 2, 3, 4, 5, 6, INBOX],
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
        growthSizes: [100, 300],
        growthAgreements: [],
        growthEventsPerMilestone: 5,
        growthRate: 10,
        growthPropagationSeconds: 2,
        inboxSizes: [60, 150],
        inboxAgreements: 5,
        inboxClients: 2,
        inboxSeconds: 1,
      }
    : {
        smoke,
        only: [1, 2, 3, 4, 5, 6, INBOX],
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
        growthSizes: [1_000, 10_000, 100_000],
        growthAgreements: [],
        growthEventsPerMilestone: 5,
        growthRate: 50,
        growthPropagationSeconds: 10,
        inboxSizes: [1_000, 10_000],
        inboxAgreements: 50,
        inboxClients: 4,
        inboxSeconds: 10,
      };
  const options = { ...defaults };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const fromArg = argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1];
    const raw = fromArg ?? env[envName(flag)];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number (got "${raw}")`);
    (options as unknown as Record<string, number>)[key] = key === 'rate' || key === 'growthRate' ? value : Math.round(value);
  }
  for (const [flag, key] of Object.entries(LIST_FLAGS)) {
    const raw = argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1] ?? env[envName(flag)];
    if (raw === undefined || raw === '') continue;
    const values = raw.split(',').map((v) => Number(v.replace(/_/g, '')));
    if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`--${flag} takes positive whole numbers, comma-separated (got "${raw}")`);
    options[key] = values;
  }
  for (const [flag, sizes] of [['growth-sizes', options.growthSizes], ['inbox-sizes', options.inboxSizes]] as const)
    if (sizes.some((v, i) => i > 0 && v <= sizes[i - 1])) throw new Error(`--${flag} must grow (got ${sizes.join(',')})`);
  // Issue 17: 100, 1,000 and 10,000 agreements beside 1,000, 10,000 and 100,000 events.
  if (options.growthAgreements.length === 0) options.growthAgreements = options.growthSizes.map((n) => Math.max(1, Math.round(n / 10)));
  if (options.growthAgreements.length !== options.growthSizes.length)
    throw new Error(`--growth-agreements needs one count per size of --growth-sizes (${options.growthSizes.length})`);
  const only = argv.find((a) => a.startsWith('--only='))?.split('=')[1] ?? env.BENCH_ONLY;
  if (only) {
    options.only = only.split(',').map((s) => (s.trim().toLowerCase() === 'growth' ? GROWTH : Number(s)));
    if (options.only.some((n) => !Number.isInteger(n) || n < 1 || n > INBOX)) throw new Error(`--only takes scenario numbers 1-8 or growth (got "${only}")`);
  }
  return options;
}
