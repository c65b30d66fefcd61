/**
 * `npm run bench`: benchmarks of the tracker, each figure next to a baseline measured in the same run.
 * Starts what it needs (deploy/local/infra.sh unless KAFKA_BROKERS and MONGO_URL are set; the agreements and
 * milestones services, and the alerts service for scenarios 5 and 6, as child processes on free ports with a
 * fresh database and topic prefix), runs the
 * scenarios, prints a Markdown table (also written to tests/bench/results/latest.md, and latest.json), and stops
 * and deletes whatever it started or created. Progress goes to stderr. See tests/bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { mongo } from 'mongoose';
import type { BenchContext, Row, ScenarioResult } from './lib/context';
import { GROWTH, INBOX, parseOptions, USAGE, type BenchOptions } from './lib/options';
import {
  ensureInfra,
  localVersions,
  RESULTS_DIR,
  startService,
  stopInfra,
  type Infra,
  type Service,
} from './lib/stack';
import { resultsTable } from './lib/table';
import { fmt, progress, runAsMain, runningChildren } from './lib/util';
import { commandThroughput } from './scenarios/command-throughput';
import { deadlineWebhookScenario } from './scenarios/deadline-webhook';
import { eventStoreScenario } from './scenarios/event-store';
import { GROWTH_TITLE, growthScenario } from './scenarios/growth';
import { INBOX_TITLE, inboxScenario } from './scenarios/inbox';
import { propagationScenario } from './scenarios/propagation';
import { replayScenario } from './scenarios/replay';

interface Environment {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  kafka: string;
  database: string;
}

export function markdown(
  env: Environment,
  options: BenchOptions,
  rows: Row[],
  notes: string[],
  started: Date,
  seconds: number,
  sections: string[] = [],
): string {
  const lines = [
    `# Benchmark results${options.smoke ? ' (smoke run: tiny sizes, not figures)' : ''}`,
    '',
    `Run ${started.toISOString()} in ${fmt(seconds, 0)} s. Each figure is the median of ${options.reps} repetition(s), after a warm-up; the baseline is measured in the same run.`,
    '',
    `- Machine: ${env.cores} cores (${env.cpu}), ${fmt(env.memoryGiB, 1)} GiB memory, ${os.platform()} ${os.release()}`,
    `- Node ${env.node}; Kafka ${env.kafka}; database ${env.database}`,
    `- Sizes: ${options.connections} clients × ${options.duration} s (warm-up ${options.warmup} s); event store ${options.streams} streams × ${options.eventsPerStream} events, ${options.storeConcurrency} in parallel; propagation ${options.rate}/s × ${options.propagationSeconds} s; EndToEndLatency ${options.e2eRecords} records; replay of ${options.replayEvents} events; ${options.deadlineMilestones} deadlines at once;${options.only.includes(GROWTH) ? ` growth ${options.growthSizes.join(', ')} events / ${options.growthAgreements.join(', ')} agreements (${options.growthEventsPerMilestone} events per milestone), propagation ${options.growthRate}/s × ${options.growthPropagationSeconds} s;` : ''}${options.only.includes(INBOX) ? ` inbox ${options.inboxSizes.join(', ')} alerts over ${options.inboxAgreements} agreements, ${options.inboxClients} callers × ${options.inboxSeconds} s;` : ''} ${options.reps} repetition(s)`,
    '',
    ...resultsTable(rows, 'Scenario'),
  ];
  if (sections.length) lines.push('', ...sections);
  lines.push('', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

async function cleanup(
  ctx: Partial<BenchContext>,
  services: Service[],
  infra: Infra | undefined,
  dbs: string[],
) {
  for (const s of services)
    await s.stop().catch((err: Error) => progress(`stopping ${s.name}: ${err.message}`));
  if (ctx.client) {
    for (const db of dbs)
      await ctx.client
        .db(db)
        .dropDatabase()
        .catch(() => undefined);
    await ctx.client.close().catch(() => undefined);
    progress(`dropped databases ${dbs.join(', ')}`);
  }
  if (infra && ctx.runId) {
    const kafka = new Kafka({
      clientId: 'bench-cleanup',
      brokers: infra.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      // Every topic prefix of the run starts with its id (scenario 4's instance has one of its own).
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(ctx.runId!));
      if (topics.length) await admin.deleteTopics({ topics });
      const groups = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.includes(ctx.runId!));
      if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
      progress(`deleted ${topics.length} topics and ${groups.length} consumer groups of ${ctx.runId}`);
    } catch (err) {
      progress(`Kafka cleanup failed: ${(err as Error).message}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  if (infra) await stopInfra(infra);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
  const outDir = outArg ? path.resolve(outArg) : RESULTS_DIR;
  const startedAt = new Date();
  const runId = `bench_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const services: Service[] = [];
  const ctx: Partial<BenchContext> = { runId, topicPrefix: `${runId}.`, benchDb: `${runId}_store` };
  const dbs = [
    `${runId}_agreements`,
    `${runId}_milestones`,
    `${runId}_store`,
    `${runId}_alerts`,
    `${runId}_replay`,
    `${runId}_growth_agreements`,
    `${runId}_growth_milestones`,
    `${runId}_inbox_alerts`,
  ];
  let infra: Infra | undefined;
  // Once, whoever asks first: the end of the run or a signal (which may come while the run's end cleans up).
  let cleaning: Promise<void> | undefined;
  const cleanupOnce = () => (cleaning ??= cleanup(ctx, services, infra, dbs));
  let interrupted: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    progress(`${signal}: stopping what this run started`);
    for (const child of runningChildren()) child.kill('SIGTERM');
    interrupted = cleanupOnce().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const rows: Row[] = [];
  const notes: string[] = [];
  const sections: string[] = [];
  const details: Record<string, unknown> = {};
  let failed = 0;
  try {
    infra = await ensureInfra(process.env);
    ctx.infra = infra;
    ctx.client = await new mongo.MongoClient(infra.mongoUrl).connect();
    const buildInfo = await ctx.client.db('admin').command({ buildInfo: 1 });
    const isFerretDb = 'ferretdbVersion' in buildInfo;
    const options = parseOptions(argv, process.env, isFerretDb);
    ctx.options = options;
    const versions = localVersions();
    const env: Environment = {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
      kafka: `${versions.KAFKA_VERSION ?? 'unknown'} (deploy/local/versions.env; broker ${infra.kafkaBrokers})`,
      database: isFerretDb
        ? `FerretDB ${buildInfo.ferretdbVersion && buildInfo.ferretdbVersion !== 'unknown' ? buildInfo.ferretdbVersion : (versions.FERRETDB_VERSION ?? 'unknown')} (SQLite backend, reports MongoDB ${buildInfo.version})`
        : `MongoDB ${buildInfo.version}`,
    };
    progress(
      `run ${runId}: ${env.cores} cores, Node ${env.node}, ${env.database}; scenarios ${options.only.join(',')}${options.smoke ? ' (smoke)' : ''}`,
    );

    // Scenario 4 starts a milestones instance of its own (replay.ts).
    const needServices = options.only.some((n) => n === 1 || n === 3 || n === 5 || n === 6);
    // The alerts service consumes both streams: it runs only where it is measured (scenario 5, then scenario 6).
    const withAlerts = options.only.includes(5);
    const settings = {
      kafkaBrokers: infra.kafkaBrokers,
      mongoUrl: infra.mongoUrl,
      topicPrefix: ctx.topicPrefix!,
      logDir: path.join(outDir, 'logs'),
    };
    if (needServices) {
      progress(
        `starting the agreements${withAlerts ? ', milestones and alerts' : ' and milestones'} services...`,
      );
      const started = await Promise.allSettled([
        startService('agreements', { ...settings, db: dbs[0] }),
        startService('milestones', { ...settings, db: dbs[1] }),
        ...(withAlerts ? [startService('alerts', { ...settings, db: dbs[3] })] : []),
      ]);
      for (const s of started) if (s.status === 'fulfilled') services.push(s.value);
      const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failure) throw failure.reason;
      [ctx.agreements, ctx.milestones, ctx.alerts] = services;
    }
    const full = ctx as BenchContext;
    const attempt = async (name: string, scenario: () => Promise<ScenarioResult>) => {
      try {
        const r = await scenario();
        rows.push(...r.rows);
        notes.push(...r.notes);
        sections.push(...(r.sections ?? []));
        Object.assign(details, r.details ?? {});
      } catch (err) {
        failed++;
        progress(`${name} failed: ${(err as Error).stack ?? String(err)}`);
        rows.push({
          scenario: name,
          metric: 'failed',
          tracker: `failed: ${(err as Error).message.split('\n')[0].slice(0, 200)}`,
          baseline: '',
          baselineWhat: '',
          unit: '',
        });
      }
    };

    if (options.only.includes(1) || options.only.includes(5)) {
      await attempt('1. Command throughput', () => commandThroughput(full, options.only.includes(5)));
    }
    // Scenarios 2-4 measure without its load on the database; scenario 6 starts it again.
    await ctx.alerts?.stop();
    if (options.only.includes(2)) {
      let scenario2: Awaited<ReturnType<typeof eventStoreScenario>> | undefined;
      await attempt('2. Event store', async () => (scenario2 = await eventStoreScenario(full)));
      await scenario2?.connection.close();
    }
    if (options.only.includes(4))
      await attempt('4. Replay', () => replayScenario(full, { ...settings, db: dbs[4] }, services));
    if (options.only.includes(3)) await attempt('3. Propagation', () => propagationScenario(full));
    // Last: its hundreds of milestones would make every later scan on FerretDB longer (scenario 1 fell from 35 to 6 req/s after it).
    if (options.only.includes(6)) {
      await attempt('6. Deadline → webhook', async () => {
        progress('scenario 6: starting the alerts service (again)');
        if (ctx.alerts) await ctx.alerts.restart();
        else services.push((ctx.alerts = await startService('alerts', { ...settings, db: dbs[3] })));
        return deadlineWebhookScenario(full);
      });
    }

    // An alerts service of its own; its thousands of alerts stay in its database, away from the others.
    if (options.only.includes(INBOX))
      await attempt(INBOX_TITLE, () =>
        inboxScenario(full, { ...settings, db: dbs[7] }, services),
      );

    // Last: its services are its own, and at its largest size it is most of the run.
    if (options.only.includes(GROWTH))
      await attempt(GROWTH_TITLE, () =>
        growthScenario(
          full,
          { kafkaBrokers: infra!.kafkaBrokers, mongoUrl: infra!.mongoUrl, logDir: settings.logDir },
          services,
        ),
      );

    const order = (r: Row) => Number(/^(\d)/.exec(r.scenario)?.[1] ?? 9);
    rows.sort((a, b) => order(a) - order(b));
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    const md = markdown(env, options, rows, notes, startedAt, seconds, sections);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'latest.md'), md);
    writeFileSync(
      path.join(outDir, 'latest.json'),
      JSON.stringify({ startedAt, seconds, env, options, rows, notes, failed, ...details }, null, 2),
    );
    process.stdout.write(md);
    progress(`written to ${path.relative(process.cwd(), path.join(outDir, 'latest.md'))} (and latest.json)`);
  } catch (err) {
    failed++;
    progress(`benchmark failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    // Interrupted: the scenario in progress may end early (its requests fail), but the exit waits for the cleanup.
    if (interrupted) await interrupted;
    else await cleanupOnce();
  }
  return failed ? 1 : 0;
}

if (require.main === module) runAsMain(main);
