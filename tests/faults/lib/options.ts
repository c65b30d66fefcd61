/**
 * Sizes of the fault suite. `--short` is the version `npm test` runs (one round of each scenario, a small load);
 * without it the long version runs. Flags (`--commands=500`) override either.
 */
export const SCENARIOS = ['kafka', 'database', 'services', 'webhooks', 'racing'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface FaultOptions {
  short: boolean;
  only: ScenarioName[];
  /** Each selected scenario runs this many times, one after the other. */
  rounds: number;
  /** Commands of the load in a round of the Kafka and the database scenarios. */
  commands: number;
  /** Commands of the load around each service's SIGKILL. */
  serviceCommands: number;
  /** Clients sending the load at once (each waits for its answer before the next command). */
  concurrency: number;
  /** Kafka and the database stay down at least this long (Kafka: and until the load is through). */
  outageSeconds: number;
  /** Slip alerts raised while the webhook receiver is down, and how long it stays down at least. */
  webhookAlerts: number;
  webhookDownSeconds: number;
  /** Writers racing on one version, and races per round. */
  writers: number;
  races: number;
  /** Every read model must agree with the stores within this long after the fault ends (dependency back, load through). */
  boundSeconds: number;
  /** How long a client retries one request (same Idempotency-Key, same If-Match) before it gives up. */
  retrySeconds: number;
  /** Where the tables (faults.md), results.json and the logs go. */
  out?: string;
}

const SHORT: Omit<FaultOptions, 'only' | 'short' | 'out'> = {
  rounds: 1,
  commands: 40,
  serviceCommands: 24,
  concurrency: 4,
  outageSeconds: 3,
  webhookAlerts: 5,
  webhookDownSeconds: 2,
  writers: 50,
  races: 1,
  boundSeconds: 60,
  retrySeconds: 150,
};

const LONG: typeof SHORT = {
  rounds: 1,
  commands: 1000,
  serviceCommands: 300,
  concurrency: 8,
  outageSeconds: 20,
  webhookAlerts: 10,
  webhookDownSeconds: 15,
  writers: 50,
  races: 10,
  boundSeconds: 30,
  retrySeconds: 240,
};

export const USAGE = `npm run faults -- [options]   (README.md, "Fault suite")

Starts its own Kafka and FerretDB (free ports, a state directory under --out) and the three services, injects
each fault under a write load, prints a table of counts per scenario and exits 1 on any loss, duplicate effect
or read model that does not converge within the bound.

  --short                  the version npm test runs: one round of each, a small load (defaults below in brackets)
  --only=a,b               scenarios: ${SCENARIOS.join(', ')} (default all)
  --rounds=N               rounds of each scenario (${LONG.rounds} [${SHORT.rounds}])
  --commands=N             load of the Kafka and database scenarios (${LONG.commands} [${SHORT.commands}])
  --service-commands=N     load around each service kill (${LONG.serviceCommands} [${SHORT.serviceCommands}])
  --concurrency=N          clients at once (${LONG.concurrency} [${SHORT.concurrency}])
  --outage=S               seconds Kafka / the database stay down at least (${LONG.outageSeconds} [${SHORT.outageSeconds}])
  --webhook-alerts=N       alerts raised while the receiver is down (${LONG.webhookAlerts} [${SHORT.webhookAlerts}])
  --webhook-down=S         seconds the receiver stays down at least (${LONG.webhookDownSeconds} [${SHORT.webhookDownSeconds}])
  --writers=N              racing writers on one version (${LONG.writers})
  --races=N                races per round (${LONG.races} [${SHORT.races}])
  --bound=S                convergence bound after the fault ends (${LONG.boundSeconds} [${SHORT.boundSeconds}])
  --retry=S                how long a client retries one request (${LONG.retrySeconds} [${SHORT.retrySeconds}])
  --out=DIR                tables, results.json, logs (default reports/faults)`;

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number above 0, not ${raw}`);
  return n;
}

export function parseOptions(argv: readonly string[]): FaultOptions {
  const short = argv.includes('--short');
  const options: FaultOptions = { ...(short ? SHORT : LONG), short, only: [...SCENARIOS] };
  const numeric: Record<string, keyof typeof SHORT> = {
    rounds: 'rounds',
    commands: 'commands',
    'service-commands': 'serviceCommands',
    concurrency: 'concurrency',
    outage: 'outageSeconds',
    'webhook-alerts': 'webhookAlerts',
    'webhook-down': 'webhookDownSeconds',
    writers: 'writers',
    races: 'races',
    bound: 'boundSeconds',
    retry: 'retrySeconds',
  };
  for (const arg of argv) {
    if (arg === '--short') continue;
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n\n${USAGE}`);
    const [, name, value] = m;
    if (name === 'only') {
      const only = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
      if (unknown.length || only.length === 0)
        throw new Error(`--only takes ${SCENARIOS.join(', ')}; not ${unknown.join(', ') || 'nothing'}`);
      options.only = SCENARIOS.filter((s) => only.includes(s));
    } else if (name === 'out') options.out = value;
    else if (numeric[name]) options[numeric[name]] = positive(name, value);
    else throw new Error(`unknown option --${name}\n\n${USAGE}`);
  }
  if (options.writers < 2) throw new Error('--writers must be at least 2: a race needs two');
  return options;
}
