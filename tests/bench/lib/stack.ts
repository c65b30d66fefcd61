/**
 * What the benchmark runs against: Kafka and MongoDB (from the environment, or deploy/local/infra.sh started
 * here and stopped at the end), and the services as child processes on free ports with a fresh database and
 * topic prefix per run (restartable with other settings: scenario 6 moves the alerts service's clock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fmt, freePort, progress, run, sleep } from './util';

export const ROOT = path.resolve(__dirname, '../../..');
export const RESULTS_DIR = path.join(ROOT, 'tests/bench/results');
/** deploy/local/infra.sh: the local Kafka and FerretDB. */
export const INFRA = path.join(ROOT, 'deploy/local/infra.sh');

export interface Infra {
  kafkaBrokers: string;
  mongoUrl: string;
  /** True when this run started Kafka/FerretDB and must stop them. */
  startedHere: boolean;
}

/** deploy/local/versions.env as a map (only plain KEY=VALUE lines). */
export function localVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const line of readFileSync(path.join(ROOT, 'deploy/local/versions.env'), 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=([^$\s]+)$/.exec(line.trim());
      if (m) out[m[1]] = m[2];
    }
  } catch {
    // no local infrastructure description: versions stay unknown
  }
  return out;
}

export async function ensureInfra(env: NodeJS.ProcessEnv): Promise<Infra> {
  if (env.KAFKA_BROKERS && env.MONGO_URL) {
    progress(`using KAFKA_BROKERS=${env.KAFKA_BROKERS} and the MONGO_URL from the environment`);
    return { kafkaBrokers: env.KAFKA_BROKERS, mongoUrl: env.MONGO_URL, startedHere: false };
  }
  const status = await run('bash', [INFRA, 'status'], { allowFailure: true });
  const alreadyRunning = /kafka: running/.test(status.stdout) && /ferretdb: running/.test(status.stdout);
  progress(alreadyRunning ? 'local Kafka and FerretDB already run (deploy/local/infra.sh)' : 'starting Kafka and FerretDB (deploy/local/infra.sh start)...');
  await run('bash', [INFRA, 'start'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { ...(await infraAddresses()), startedHere: !alreadyRunning };
}

/** KAFKA_BROKERS and MONGO_URL as `deploy/local/infra.sh env` prints them (its ports from `env`). */
export async function infraAddresses(env: NodeJS.ProcessEnv = process.env): Promise<{ kafkaBrokers: string; mongoUrl: string }> {
  const exports = (await run('bash', [INFRA, 'env'], { env })).stdout;
  const value = (name: string) => new RegExp(`${name}='?([^'\\n]+)'?`).exec(exports)?.[1];
  const kafkaBrokers = value('KAFKA_BROKERS');
  const mongoUrl = value('MONGO_URL');
  if (!kafkaBrokers || !mongoUrl) throw new Error(`deploy/local/infra.sh env printed no KAFKA_BROKERS/MONGO_URL: ${exports}`);
  return { kafkaBrokers, mongoUrl };
}

export async function stopInfra(infra: Infra): Promise<void> {
  if (!infra.startedHere) return;
  progress('stopping the Kafka and FerretDB this run started');
  await run('bash', [INFRA, 'stop'], { stdio: ['ignore', 'ignore', 'inherit'], allowFailure: true });
}

export interface Service {
  name: string;
  url: string;
  /** The current process (a restart changes it). */
  pid: number | undefined;
  db: string;
  /**
   * The latest start: `performance.now()` at the spawn and when `/health/ready` first answered 200 (polled
   * every `readyPollMs`, default 250 ms).
   */
  lastStart?: { spawnedAt: number; readyAt: number };
  stop(): Promise<void>;
  /** Ends the process with SIGKILL (a crash: no shutdown hooks run); resolves once it has exited. */
  kill(): Promise<void>;
  /**
   * Stops the process if it runs and starts it again on the same port and database, with `env` added to the
   * settings of the first start (replacing what an earlier restart added); resolves when ready.
   */
  restart(env?: Record<string, string>): Promise<void>;
}

export type ServiceName = 'agreements' | 'milestones' | 'alerts';

/**
 * Starts `services/<name>/src/main.ts` with its own port, database and topic prefix; resolves when ready. `label`
 * names a second instance of a service (its log file, progress lines); `env` adds settings to every start.
 */
export async function startService(
  name: ServiceName,
  settings: { kafkaBrokers: string; mongoUrl: string; db: string; topicPrefix: string; logDir: string; label?: string; readyPollMs?: number; env?: Record<string, string> },
): Promise<Service> {
  const label = settings.label ?? name;
  const port = await freePort();
  mkdirSync(settings.logDir, { recursive: true });
  const logFile = path.join(settings.logDir, `${label}.log`);
  const url = `http://127.0.0.1:${port}`;
  // BENCH_SERVICE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the services under load.
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  let current: { child: ChildProcess; exit: Promise<void>; exited?: number | null } | undefined;
  let starts = 0;

  const stop = async () => {
    const running = current;
    if (!running || running.exited !== undefined) return;
    running.child.kill('SIGTERM');
    // The timer is cleared once the process exits: a pending one would keep Jest from exiting for 15 s.
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      running.exit.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15000))),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      progress(`${label} did not stop within 15 s after SIGTERM; killing it`);
      running.child.kill('SIGKILL');
      await running.exit;
    }
  };

  const kill = async () => {
    const running = current;
    if (!running || running.exited !== undefined) return;
    running.child.kill('SIGKILL');
    await running.exit;
  };

  const start = async (extraEnv: Record<string, string>) => {
    // A restart appends to the first start's log.
    const log = createWriteStream(logFile, { flags: starts++ === 0 ? 'w' : 'a' });
    const spawnedAt = performance.now();
    const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', `services/${name}/src/main.ts`], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        KAFKA_BROKERS: settings.kafkaBrokers,
        MONGO_URL: settings.mongoUrl,
        MONGO_DB: settings.db,
        KAFKA_TOPIC_PREFIX: settings.topicPrefix,
        // The load generator is one client: the per-client rate limit would measure the limiter, not the service.
        RATE_LIMIT_PER_MINUTE: '1000000',
        // The webhook receivers are on this machine: the outbound policy refuses loopback unless allowed.
        OUTBOUND_ALLOW: '127.0.0.1/32',
        ...settings.env,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const running: NonNullable<typeof current> = { child, exit: Promise.resolve() };
    running.exit = new Promise<void>((resolve) =>
      child.on('exit', (code) => {
        running.exited = code;
        resolve();
      }),
    );
    current = running;
    service.pid = child.pid;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (running.exited !== undefined) throw new Error(`${label} exited with ${running.exited} while starting; see ${logFile}`);
      try {
        const res = await fetch(`${url}/health/ready`);
        if (res.ok) {
          service.lastStart = { spawnedAt, readyAt: performance.now() };
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${label} not ready after 120 s; see ${logFile}`);
      }
      await sleep(settings.readyPollMs ?? 250);
    }
    progress(`${label} ready on ${url} (pid ${child.pid}, db ${settings.db}${Object.keys(extraEnv).length ? `, ${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`);
  };

  const service: Service = {
    name: label,
    url,
    pid: undefined,
    db: settings.db,
    stop,
    kill,
    async restart(env = {}) {
      await stop();
      await start(env);
    },
  };
  await start({});
  return service;
}

/** Authorization header of the development monitor key (NODE_ENV=development, no API_KEYS). */
export const MONITOR = { authorization: 'Bearer dev-monitor', 'content-type': 'application/json' };
/** Authorization header of the development stakeholder key (subscriptions are a stakeholder's). */
export const STAKEHOLDER = { authorization: 'Bearer dev-stakeholder', 'content-type': 'application/json' };

/** A service's consumer lag (summed over its partitions) and the age of its oldest unpublished event, from /metrics. */
export async function backlogOf(s: Service): Promise<{ name: string; lag: number; outbox: number; joining: number }> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const lag = [...text.matchAll(/^kafka_consumer_lag\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  const outbox = Number(/^outbox_oldest_unpublished_age_seconds\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? 0);
  // A group that has not joined yet reports no lag at all: not settled.
  const joining = [...text.matchAll(/^kafka_consumer_joined\{[^}]*\} 0$/gm)].length;
  return { name: s.name, lag, outbox, joining };
}

/**
 * Waits until every service has published its outbox and its consumers have no lag (three checks in a row, one
 * every `intervalMs`); returns the seconds it took. Progress every 10 s, each line starting with `indent`.
 */
export async function settled(
  services: Service[],
  timeoutMs: number,
  { intervalMs = 1000, indent = '' }: { intervalMs?: number; indent?: string } = {},
): Promise<number> {
  const started = Date.now();
  let calm = 0;
  let lastReport = 0;
  for (;;) {
    const states = await Promise.all(services.map(backlogOf));
    calm = states.every((s) => s.lag === 0 && s.outbox === 0 && s.joining === 0) ? calm + 1 : 0;
    if (calm >= 3) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs)
      throw new Error(`the services did not settle within ${timeoutMs / 1000} s: ${JSON.stringify(states)}`);
    if (calm === 0 && Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      progress(
        `${indent}waiting for the services to settle: ${states.map((s) => `${s.name} lag ${s.lag}, outbox ${fmt(s.outbox, 0)} s`).join('; ')}`,
      );
    }
    await sleep(intervalMs);
  }
}
