/**
 * `npm run faults`: the fault suite (issue 18). Starts its own Kafka and FerretDB (deploy/local/infra.sh on free
 * ports, state under --out/infra) and the three services as child processes, then for each scenario and round
 * injects the fault under a write load and prints a table of counts (also written to --out/faults.md and
 * results.json). Exits 1 when any scenario found a loss, a duplicate effect, a read model that did not converge
 * within the bound, or anything else it checks. Stops and deletes whatever it started, also on failure or a
 * signal. Progress goes to stderr; the services' and the infrastructure's logs to files under --out.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { logLevel } from 'kafkajs';
import { mongo } from 'mongoose';
import { createKafka } from '@tracker/messaging';
import { ROOT, startService, type Service, type ServiceName } from '../bench/lib/stack';
import { fmt, progress, runAsMain, runningChildren, setProgressLabel } from '../bench/lib/util';
import { FaultInfra } from './lib/infra';
import type { Stack } from './lib/load';
import { parseOptions, USAGE, type FaultOptions, type ScenarioName } from './lib/options';
import { SOURCES } from './lib/stores';
import type { FaultContext, ScenarioResult, Table } from './lib/verify';
import { DATABASE, KAFKA, outageScenario } from './scenarios/outages';
import { racingScenario } from './scenarios/racing';
import { KILLED, serviceKillScenario } from './scenarios/services';
import { DELIVERY_ENV, webhookScenario } from './scenarios/webhooks';

export const DEFAULT_OUT = path.join(ROOT, 'reports/faults');

const TITLES: Record<ScenarioName, string> = {
  kafka: '1. Kafka SIGKILL and restart under write load',
  database: '2. Database (FerretDB) SIGKILL and restart under write load',
  services: '3. SIGKILL of a service under write load, keyed retries',
  webhooks: '4. Webhook receiver down and back',
  racing: '5. Racing writers on one version',
};

/** The runs of one round of a scenario: `services` is one per killed service. */
function runsOf(
  name: ScenarioName,
): Array<{ title: string; run: (ctx: FaultContext, round: number) => Promise<Table> }> {
  switch (name) {
    case 'kafka':
      return [{ title: TITLES.kafka, run: (ctx, round) => outageScenario(ctx, KAFKA, round) }];
    case 'database':
      return [{ title: TITLES.database, run: (ctx, round) => outageScenario(ctx, DATABASE, round) }];
    case 'services':
      return KILLED.map((service) => ({
        title: `${TITLES.services}: ${service}`,
        run: (ctx, round) => serviceKillScenario(ctx, service, round),
      }));
    case 'webhooks':
      return [{ title: TITLES.webhooks, run: webhookScenario }];
    case 'racing':
      return [{ title: TITLES.racing, run: racingScenario }];
  }
}

export function markdownTable(r: ScenarioResult): string {
  const lines = [`### ${r.title}`, '', '| Count | Value | Check |', '| --- | ---: | --- |'];
  for (const row of r.rows) lines.push(`| ${row.count} | ${row.value} | ${row.check} |`);
  lines.push(
    '',
    r.failures.length ? `**FAILED** (${fmt(r.seconds, 0)} s):` : `Passed (${fmt(r.seconds, 0)} s).`,
  );
  for (const f of r.failures) lines.push(`- ${f}`);
  return `${lines.join('\n')}\n`;
}

function sizes(o: FaultOptions): string {
  return `${o.short ? 'short' : 'long'} run: ${o.rounds} round(s) of ${o.only.join(', ')}; ${o.commands} commands (Kafka, database), ${o.serviceCommands} per killed service, ${o.concurrency} clients; outages ≥ ${o.outageSeconds} s; ${o.webhookAlerts} alerts while the receiver is down (≥ ${o.webhookDownSeconds} s); ${o.races} race(s) of ${o.writers} writers; convergence bound ${o.boundSeconds} s; clients retry ${o.retrySeconds} s`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  setProgressLabel('faults');
  const options = parseOptions(argv);
  const out = path.resolve(options.out ?? DEFAULT_OUT);
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const topicPrefix = `faults_${run}.`;
  const stateDir = path.join(out, 'infra');
  const logDir = path.join(out, 'logs');
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  progress(`${sizes(options)}; logs in ${path.relative(process.cwd(), out) || out}`);

  let infra: FaultInfra | undefined;
  let client: mongo.MongoClient | undefined;
  const started: Service[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      // SIGKILL: their databases go with the infrastructure, there is nothing to shut down cleanly for.
      await Promise.all(
        started.map((s) => s.kill().catch((err: Error) => progress(`stopping ${s.name}: ${err.message}`))),
      );
      await client?.close().catch(() => undefined);
      await infra?.stop();
    })());
  let interrupted: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    progress(`${signal}: stopping what this run started`);
    for (const child of runningChildren()) child.kill('SIGTERM');
    interrupted = cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results: ScenarioResult[] = [];
  const runStarted = Date.now();
  let crashed: string | undefined;
  try {
    infra = await FaultInfra.start(stateDir);
    const connected = await new mongo.MongoClient(infra.mongoUrl, {
      serverSelectionTimeoutMS: 60_000,
    }).connect();
    client = connected;
    const db = (name: ServiceName) => `faults_${run}_${name}`;
    const settings = { kafkaBrokers: infra.kafkaBrokers, mongoUrl: infra.mongoUrl, topicPrefix, logDir };
    progress('starting the agreements, milestones and alerts services');
    const services = await Promise.allSettled(
      (['agreements', 'milestones', 'alerts'] as const).map((name) =>
        startService(name, {
          ...settings,
          db: db(name),
          ...(name === 'alerts' && { env: DELIVERY_ENV }),
        }).then((s) => (started.push(s), s)),
      ),
    );
    const failure = services.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    const [agreements, milestones, alerts] = services.map(
      (s) => (s as PromiseFulfilledResult<Service>).value,
    );
    const stack: Stack = { agreements, milestones, alerts };
    const ctx: FaultContext = {
      options,
      infra,
      stack,
      dbs: Object.fromEntries(SOURCES.map((s) => [s, connected.db(db(s))])) as FaultContext['dbs'],
      kafka: createKafka({ brokers: infra.kafkaBrokers, clientId: 'faults', logLevel: logLevel.NOTHING }),
      run,
      topicPrefix,
      policy: { retryMs: options.retrySeconds * 1000, attemptTimeoutMs: 15_000 },
      stopping: () => cleaning !== undefined,
    };
    for (let round = 1; round <= options.rounds; round++) {
      for (const name of options.only) {
        for (const scenario of runsOf(name)) {
          const title = `${scenario.title}${options.rounds > 1 ? ` (round ${round})` : ''}`;
          const began = Date.now();
          let result: ScenarioResult;
          try {
            const table = await scenario.run(ctx, round);
            result = {
              scenario: name,
              title,
              rows: table.rows,
              failures: table.failures,
              seconds: (Date.now() - began) / 1000,
            };
          } catch (err) {
            progress(`${title} broke off: ${(err as Error).stack ?? String(err)}`);
            result = {
              scenario: name,
              title,
              rows: [],
              failures: [`broke off: ${(err as Error).message}`],
              seconds: (Date.now() - began) / 1000,
            };
          }
          results.push(result);
          process.stdout.write(`\n${markdownTable(result)}`);
          progress(
            `${title}: ${result.failures.length ? `FAILED (${result.failures.length} check(s))` : 'passed'} in ${fmt(result.seconds, 0)} s`,
          );
        }
      }
    }
  } catch (err) {
    crashed = (err as Error).stack ?? String(err);
    progress(`the fault suite could not run: ${crashed}`);
  } finally {
    if (interrupted) await interrupted;
    else await cleanup();
  }

  const seconds = (Date.now() - runStarted) / 1000;
  const failed = results.filter((r) => r.failures.length).length;
  const summary = `${results.length - failed} scenario(s) passed, ${failed} failed${crashed ? '; the suite broke off' : ''} (${fmt(seconds, 0)} s)`;
  const md = [
    `# Fault suite (${new Date(runStarted).toISOString()})`,
    '',
    sizes(options),
    '',
    ...results.map(markdownTable),
    summary,
    '',
  ].join('\n');
  writeFileSync(path.join(out, 'faults.md'), md);
  writeFileSync(
    path.join(out, 'results.json'),
    JSON.stringify({ options, seconds, crashed: crashed ?? null, results }, null, 2),
  );
  process.stdout.write(`\n${summary}\n`);
  return failed || crashed ? 1 : 0;
}

if (require.main === module) runAsMain(main);
