/**
 * 7. Growth (tracker issue 17, flat cost): the same figures at growing sizes of stored history, in one run.
 *
 * An agreements and a milestones service of their own (databases `<run>_growth_agreements` and
 * `<run>_growth_milestones`, topic prefix `<run>_growth.`). At each size, in place (the data of the previous size
 * stays):
 *  1. Both services stopped, their stores are topped up through libs/event-store (public API only: `append`,
 *     `highestPosition`, `outbox.markPublished`): agreements (one `agreement.registered` per stream) up to the
 *     size's agreement count, milestone streams (`milestone.planned` + progress reports, one append per stream) up
 *     to the size's event count, each milestone of one of the seeded agreements. The milestones' history is
 *     marked published (the relay would push it all to Kafka); the agreements' registrations are not: they go
 *     out through the relay so that the milestones service's agreement directory holds them, as it would.
 *  2. The services start, replay their read models (`POST /admin/replays`, not measured), and settle (outboxes
 *     published, no consumer lag).
 *  3. Per repetition, start-up: both services restarted, each timed from the spawn to `/health/ready` answering
 *     200 and to the first accepted command (a progress report on a seeded milestone, a registration).
 *  4. Then, in the fresh milestones process (its aggregate cache empty), command throughput: `connections`
 *     autocannon connections post progress reports with If-Match (scenario 1's load) to milestones of the seeded
 *     history, a warm-up on one set and the measurement on another, untouched ones first, so the measured
 *     streams are read from the store, not the cache. After the repetitions, the baseline in the same run: the
 *     driver's insertOne of a copy of one of those progress events, `connections` concurrent (scenario 1's).
 *  5. Propagation: registrations at `growthRate`/s (open loop) for `growthPropagationSeconds`; latency = first
 *     sighting in the milestones service's agreement directory − the event's recordedAt (scenario 3's measure).
 *  6. Registration throughput: `connections` autocannon connections post registrations with unique references.
 * Then the next size. The table: one row per figure, one column per size, the ratio of each size to the smallest,
 * the baseline, and the issue's targets met or not.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import mongoose, { mongo, type Connection } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import {
  AgreementSchemaVersions,
  agreementStreamId,
  businessInstant,
  MilestoneSchemaVersions,
  milestoneStreamId,
  signingPeriodStart,
  Topics,
  type NewEvent,
} from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import { agreementRegistration, trUzMemorandum } from '@tracker/testing';
import { insertOneBaseline, progressLoad, type LoadResult } from '../lib/commands';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { sampleRegistrations, type Latencies } from '../lib/propagation';
import { MONITOR, settled, startService, type Service } from '../lib/stack';
import { fmt, median, pool, progress, runWorker, sleep } from '../lib/util';
import { reference, registerAgreement } from './command-throughput';
// The replay CLI's own client (tools/ is not an Nx project), as scenario 4 uses it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { replay } from '../../../tools/replay/replay';

const REGISTER_WORKER = path.join(__dirname, '../workers/register-load.ts');
const SEED_CONCURRENCY = 4;
const actor = { id: 'bench-growth', role: 'monitor' as const };

export const GROWTH_TITLE = '7. Growth';

interface Startup {
  ready: number;
  firstCommand: number;
}

/** What one size gave (medians over the repetitions). */
export interface SizeFigures {
  events: number;
  agreements: number;
  /** Highest position of each store and agreement views, as measured (the benchmark's own writes add to them). */
  storedEventsBefore: number;
  storedEventsAfter: number;
  agreementViews: number;
  agreementViewsAfter: number;
  directoryEntries: number;
  milestonesSeeded: number;
  agreementsSeeded: number;
  seedSeconds: number;
  replaySeconds: number;
  settleSeconds: number;
  milestonesStartup: Startup;
  agreementsStartup: Startup;
  commands: { rps: number; p50: number; p99: number; errors: number };
  insertOne: { rps: number; p50: number; p99: number; bytes: number };
  propagation: Latencies;
  registrations: { rps: number; p50: number; p99: number; errors: number };
}

// --- seeding through libs/event-store ------------------------------------------------------------------------

function agreementRegistered(agreementId: string, ref: string): NewEvent {
  const signedOn = '2026-01-29';
  return {
    type: 'agreement.registered',
    schemaVersion: AgreementSchemaVersions['agreement.registered'],
    // What the agreements service's decider writes for trUzMemorandum (tests/bench/scenarios/command-throughput.ts).
    data: {
      agreementId,
      ...agreementRegistration(ref, `Benchmark memorandum ${ref}`),
      parties: trUzMemorandum(ref).parties,
      signedOn,
      commodities: ['copper'],
    },
    occurredAt: businessInstant(signingPeriodStart(signedOn, 'day')!),
  };
}

/** The i-th event (1-based) of a seeded milestone: planned, then progress reports, as the decider writes them. */
function milestoneEvent(milestoneId: string, agreementId: string, i: number, today: string): NewEvent {
  if (i === 1) {
    return {
      type: 'milestone.planned',
      schemaVersion: MilestoneSchemaVersions['milestone.planned'],
      data: {
        milestoneId,
        agreementId,
        type: 'geological_survey',
        title: 'Joint exploration and resource-mapping programme',
        dueDate: '2030-12-31',
        evidence: [],
      },
    };
  }
  return {
    type: 'milestone.progress-reported',
    schemaVersion: MilestoneSchemaVersions['milestone.progress-reported'],
    data: {
      milestoneId,
      agreementId,
      percent: Math.min(95, (i - 1) * 5),
      note: `benchmark progress report ${i}: field work continues as planned`,
      evidence: [{ url: 'https://example.org/reports/progress.pdf' }],
      reportedOn: today,
    },
  };
}

async function openStore(
  mongoUrl: string,
  db: string,
): Promise<{ connection: Connection; store: EventStore }> {
  const connection = await mongoose.createConnection(mongoUrl, { dbName: db }).asPromise();
  const store = new EventStore(connection);
  await store.init();
  return { connection, store };
}

/** Appends `count` streams with `write(i)`, SEED_CONCURRENCY at a time; progress every tenth. */
async function appendStreams(
  what: string,
  count: number,
  eventsEach: number,
  write: (i: number) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  let done = 0;
  let reported = 0;
  await pool(
    Array.from({ length: count }, (_, i) => i),
    SEED_CONCURRENCY,
    async (i) => {
      await write(i);
      done++;
      if (done - reported >= Math.max(1, count / 10) || done === count) {
        reported = done;
        const rate = (done * eventsEach) / ((performance.now() - started) / 1000);
        progress(`  ${what}: ${done} of ${count} streams (${fmt(rate, 0)} events/s)`);
      }
    },
  );
}

// --- the services' read models and state ---------------------------------------------------------------------

/** The physical collection behind a read model (its logical name until a first replay; ADR 0006). */
async function physicalName(client: mongo.MongoClient, db: string, name: string): Promise<string> {
  const pointer = await client
    .db(db)
    .collection<{ _id: string; collection: string }>('read_model_generations')
    .findOne({ _id: name });
  return pointer?.collection ?? name;
}

async function readModelCount(client: mongo.MongoClient, db: string, name: string): Promise<number> {
  return client
    .db(db)
    .collection(await physicalName(client, db, name))
    .countDocuments({});
}

async function runReplay(service: Service): Promise<number> {
  const t = performance.now();
  const s = await replay(service.name, service.url, 'dev-admin');
  if (s.status !== 'succeeded') throw new Error(`the replay of ${service.name} failed: ${s.error}`);
  progress(
    `  ${service.name} replayed in ${fmt((performance.now() - t) / 1000, 1)} s: ${JSON.stringify(s.documents)}`,
  );
  return (performance.now() - t) / 1000;
}

// --- the scenario ----------------------------------------------------------------------------------------------

/** The milestones of the seeded history, and which a request has touched (its state may be cached since). */
class SeededMilestones {
  readonly versions = new Map<string, number>();
  readonly agreementOf = new Map<string, string>();
  private untouched: string[] = [];
  private touched: string[] = [];

  add(id: string, agreementId: string, version: number): void {
    this.versions.set(id, version);
    this.agreementOf.set(id, agreementId);
    this.untouched.push(id);
  }

  /** Spreads the next picks over the whole history, old streams and new alike. */
  shuffle(): void {
    for (let i = this.untouched.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [this.untouched[i], this.untouched[j]] = [this.untouched[j], this.untouched[i]];
    }
  }

  /** `n` milestones, untouched ones first, then the least recently used. */
  take(n: number): Array<{ id: string; version: number }> {
    const ids: string[] = [];
    while (ids.length < n && this.untouched.length) ids.push(this.untouched.pop()!);
    while (ids.length < n && this.touched.length) ids.push(this.touched.shift()!);
    this.touched.push(...ids);
    return ids.map((id) => ({ id, version: this.versions.get(id)! }));
  }

  get untouchedCount(): number {
    return this.untouched.length;
  }
}

export async function growthScenario(
  ctx: BenchContext,
  settings: { kafkaBrokers: string; mongoUrl: string; logDir: string },
  services: Service[],
): Promise<ScenarioResult> {
  const o = ctx.options;
  const topicPrefix = `${ctx.runId}_growth.`;
  const dbs = { agreements: `${ctx.runId}_growth_agreements`, milestones: `${ctx.runId}_growth_milestones` };
  const today = new Date().toISOString().slice(0, 10);
  const milestones = new SeededMilestones();
  const agreementIds: string[] = [];
  let milestonesService: Service | undefined;
  let agreementsService: Service | undefined;
  const figures: SizeFigures[] = [];
  let probe = 0;

  const stopServices = async () => {
    await milestonesService?.stop();
    await agreementsService?.stop();
  };

  /** One progress report on a seeded milestone; true when it was accepted. */
  const reportOnce = async (m: { id: string; version: number }): Promise<boolean> => {
    try {
      const res = await fetch(`${milestonesService!.url}/milestones/${m.id}/progress`, {
        method: 'POST',
        headers: { ...MONITOR, 'if-match': `"${m.version}"` },
        body: JSON.stringify({
          percent: 50,
          note: 'benchmark start-up probe',
          evidence: [{ url: 'https://example.org/reports/progress.pdf' }],
        }),
      });
      if (res.status === 200) {
        const etag = res.headers.get('etag');
        milestones.versions.set(m.id, etag ? Number(etag.replace(/"/g, '')) : m.version + 1);
        return true;
      }
      if (res.status === 412)
        m.version = (
          (await (
            await fetch(`${milestonesService!.url}/milestones/${m.id}`, { headers: MONITOR })
          ).json()) as { version: number }
        ).version;
      return false;
    } catch {
      return false;
    }
  };

  const registerOnce = async (): Promise<boolean> => {
    try {
      await registerAgreement(agreementsService!.url, reference(ctx, `GS-${++probe}`));
      return true;
    } catch {
      return false;
    }
  };

  /** Restarts a service: ms from the spawn to ready, and to the first accepted command. */
  const timedRestart = async (service: Service, command: () => Promise<boolean>): Promise<Startup> => {
    await service.restart();
    const { spawnedAt, readyAt } = service.lastStart!;
    const deadline = Date.now() + 120_000;
    while (!(await command())) {
      if (Date.now() > deadline)
        throw new Error(`${service.name}: no command accepted within 120 s of being ready`);
      await sleep(20);
    }
    return { ready: readyAt - spawnedAt, firstCommand: performance.now() - spawnedAt };
  };

  const propagation = async (rep: string): Promise<Latencies> => {
    // The directory's collection after the replays (ADR 0006); none runs while this measures.
    const directory = ctx.client
      .db(dbs.milestones)
      .collection<{ _id: string; registeredAt: string }>(
        await physicalName(ctx.client, dbs.milestones, 'agreement_directory'),
      );
    return sampleRegistrations(
      directory,
      (i) => registerAgreement(agreementsService!.url, reference(ctx, `GP${rep}-${i}`)),
      o.growthRate,
      o.growthPropagationSeconds,
      // One _id lookup per pending registration, all at once (FerretDB answers only _id lookups from an index).
      { concurrentLookups: true },
    );
  };

  const serviceSettings = (name: 'agreements' | 'milestones') => ({
    ...settings,
    db: dbs[name],
    topicPrefix,
    label: `${name}-growth`,
    readyPollMs: 20,
  });

  try {
    for (const [index, events] of o.growthSizes.entries()) {
      const agreementsWanted = o.growthAgreements[index];
      const label = `${fmt(events, 0)} events, ${fmt(agreementsWanted, 0)} agreements`;
      progress(`growth: size ${index + 1}/${o.growthSizes.length} (${label}): seeding`);
      await stopServices();

      // 1. Seed in place, with the services stopped (no other writer of the stores' position counters).
      const seedStarted = performance.now();
      const ag = await openStore(settings.mongoUrl, dbs.agreements);
      const ms = await openStore(settings.mongoUrl, dbs.milestones);
      let agreementsSeeded = 0;
      let milestonesSeeded = 0;
      try {
        const existingAgreements =
          index === 0 ? 0 : await readModelCount(ctx.client, dbs.agreements, 'agreement_views');
        const newAgreements = Math.max(0, agreementsWanted - existingAgreements);
        const refPrefix = reference(ctx, `G${index}`);
        const ids = Array.from({ length: newAgreements }, () => uuidv7());
        await appendStreams('agreements', newAgreements, 1, async (i) => {
          await ag.store.append(
            agreementStreamId(ids[i]),
            [agreementRegistered(ids[i], `${refPrefix}-${i}`)],
            {
              expectedVersion: 'none',
              agreementId: ids[i],
              actor,
              correlationId: randomUUID(),
            },
          );
        });
        agreementIds.push(...ids);
        agreementsSeeded = newAgreements;
        // The registrations are not marked published: the relay sends them, and the milestones directory folds them.

        const stored = await ms.store.highestPosition();
        const e = o.growthEventsPerMilestone;
        const newMilestones = Math.max(0, Math.ceil((events - stored) / e));
        if (newMilestones === 0)
          progress(`  the milestones store already holds ${stored} events: nothing to seed`);
        const mIds = Array.from({ length: newMilestones }, () => uuidv7());
        const owners = mIds.map((_, i) => agreementIds[(milestones.versions.size + i) % agreementIds.length]);
        await appendStreams('milestones', newMilestones, e, async (i) => {
          const list = Array.from({ length: e }, (_, v) => milestoneEvent(mIds[i], owners[i], v + 1, today));
          await ms.store.append(milestoneStreamId(mIds[i]), list, {
            expectedVersion: 'none',
            agreementId: owners[i],
            actor,
            correlationId: randomUUID(),
          });
        });
        mIds.forEach((id, i) => milestones.add(id, owners[i], e));
        milestones.shuffle();
        milestonesSeeded = newMilestones;
        // The seeded milestone history must not go to Kafka (it would measure the relay and the agreements
        // service's consumers of 100,000 events, not the figures).
        await ms.store.outbox.markPublished(
          topicPrefix + Topics.milestones,
          await ms.store.highestPosition(),
        );
      } finally {
        await ag.connection.close();
        await ms.connection.close();
      }
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      progress(
        `  seeded ${agreementsSeeded} agreements and ${milestonesSeeded} milestones in ${fmt(seedSeconds, 1)} s`,
      );

      // 2. Start, replay the read models, settle (not measured).
      if (!agreementsService)
        services.push((agreementsService = await startService('agreements', serviceSettings('agreements'))));
      else await agreementsService.restart();
      if (!milestonesService)
        services.push((milestonesService = await startService('milestones', serviceSettings('milestones'))));
      else await milestonesService.restart();
      const both = [agreementsService, milestonesService];
      /** Until both services have published their outbox and their consumers have no lag. */
      const settle = () => settled(both, 30 * 60_000, { indent: '  ' });
      let replaySeconds = await runReplay(agreementsService);
      let settleSeconds = await settle();
      replaySeconds += await runReplay(milestonesService);
      settleSeconds += await settle();
      const agreementViews = await readModelCount(ctx.client, dbs.agreements, 'agreement_views');
      const directoryEntries = await readModelCount(ctx.client, dbs.milestones, 'agreement_directory');
      const milestoneViews = await readModelCount(ctx.client, dbs.milestones, 'milestone_views');
      progress(
        `  read models: ${agreementViews} agreement views, ${directoryEntries} directory entries, ${milestoneViews} milestone views`,
      );
      if (directoryEntries < agreementViews)
        throw new Error(
          `the milestones directory holds ${directoryEntries} agreements, the agreements service ${agreementViews}`,
        );
      if (milestoneViews < milestones.versions.size)
        throw new Error(`${milestoneViews} milestone views, ${milestones.versions.size} milestones seeded`);
      const storedEventsBefore = await highest(settings.mongoUrl, dbs.milestones);

      // 3 and 4. Per repetition: both services restarted (start-up timed), then commands on milestones of the
      // seeded history that this process has not touched (its aggregate cache is empty after the restart): a
      // warm-up on one set, the measurement on another.
      const mStart: Startup[] = [];
      const aStart: Startup[] = [];
      const cmd: LoadResult[] = [];
      const load = async (duration: number): Promise<LoadResult> => {
        const list = milestones.take(o.connections * 2);
        const { result, versions } = await progressLoad(
          milestonesService!.url,
          o.connections,
          duration,
          list,
        );
        for (const m of versions) milestones.versions.set(m.id, m.version);
        return result;
      };
      if (milestones.versions.size < o.connections * 4 + 1)
        progress(
          `  only ${milestones.versions.size} milestones for ${o.connections} clients: requests will share milestones (409s), and warm-up and measurement overlap`,
        );
      for (let r = 1; r <= o.reps; r++) {
        const [probeMilestone] = milestones.take(1);
        mStart.push(await timedRestart(milestonesService, () => reportOnce(probeMilestone)));
        aStart.push(await timedRestart(agreementsService, registerOnce));
        progress(
          `  start-up ${r}/${o.reps}: milestones ready ${fmt(mStart.at(-1)!.ready, 0)} ms, first command ${fmt(mStart.at(-1)!.firstCommand, 0)} ms; agreements ready ${fmt(aStart.at(-1)!.ready, 0)} ms, first registration ${fmt(aStart.at(-1)!.firstCommand, 0)} ms`,
        );
        await load(o.warmup);
        const x = await load(o.duration);
        progress(
          `  commands ${r}/${o.reps}: ${fmt(x.requestsPerSecond, 1)} req/s, p50 ${x.p50} ms, p99 ${x.p99} ms, errors ${x.errors} ${JSON.stringify(x.statusCounts)}`,
        );
        cmd.push(x);
      }
      const sample = await lastEventOf(
        settings.mongoUrl,
        dbs.milestones,
        [...milestones.versions].find(([, v]) => v > o.growthEventsPerMilestone)?.[0],
      );
      const { bytes, reps: base } = await insertOneBaseline(ctx, sample, 'growth_insert_baseline', {
        result: (r, x) =>
          progress(
            `  insertOne baseline ${r}/${o.reps}: ${fmt(x.requestsPerSecond, 0)}/s, p99 ${fmt(x.p99, 1)} ms`,
          ),
      });
      settleSeconds += await settle();

      // 5. Propagation at a fixed rate.
      const prop: Latencies[] = [];
      await propagation(`${index}W`).catch((err: Error) => progress(`  propagation warm-up: ${err.message}`));
      for (let r = 1; r <= o.reps; r++) {
        const l = await propagation(`${index}-${r}`);
        progress(
          `  propagation ${r}/${o.reps} at ${o.growthRate}/s: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.samples} seen, ${l.lost} not seen, ${l.errors} failed)`,
        );
        prop.push(l);
        settleSeconds += await settle();
      }

      // 6. Registrations.
      const reg: LoadResult[] = [];
      for (let r = 1; r <= o.reps; r++) {
        const x = await runWorker<LoadResult>(
          REGISTER_WORKER,
          {
            url: agreementsService.url,
            connections: o.connections,
            duration: o.duration,
            token: 'dev-monitor',
            referencePrefix: reference(ctx, `GR${index}-${r}`),
            body: trUzMemorandum('X', { commodities: ['copper'] }),
          },
          (o.duration + 120) * 1000,
        );
        progress(
          `  registrations ${r}/${o.reps}: ${fmt(x.requestsPerSecond, 1)}/s accepted, p99 ${x.p99} ms, errors ${x.errors} ${JSON.stringify(x.statusCounts)}`,
        );
        reg.push(x);
      }
      settleSeconds += await settle();

      const m = <T>(list: T[], f: (x: T) => number) => median(list.map(f));
      const startup = (list: Startup[]): Startup => ({
        ready: m(list, (s) => s.ready),
        firstCommand: m(list, (s) => s.firstCommand),
      });
      const rates = (list: LoadResult[]) => ({
        rps: m(list, (x) => x.requestsPerSecond),
        p50: m(list, (x) => x.p50),
        p99: m(list, (x) => x.p99),
      });
      figures.push({
        events,
        agreements: agreementsWanted,
        storedEventsBefore,
        storedEventsAfter: await highest(settings.mongoUrl, dbs.milestones),
        agreementViews,
        agreementViewsAfter: await readModelCount(ctx.client, dbs.agreements, 'agreement_views'),
        directoryEntries,
        milestonesSeeded,
        agreementsSeeded,
        seedSeconds,
        replaySeconds,
        settleSeconds,
        milestonesStartup: startup(mStart),
        agreementsStartup: startup(aStart),
        commands: { ...rates(cmd), errors: m(cmd, (x) => x.errors) },
        insertOne: { ...rates(base), bytes },
        propagation: {
          p50: m(prop, (l) => l.p50),
          p99: m(prop, (l) => l.p99),
          max: m(prop, (l) => l.max),
          samples: prop.reduce((a, l) => a + l.samples, 0),
          lost: m(prop, (l) => l.lost),
          errors: m(prop, (l) => l.errors),
        },
        registrations: { ...rates(reg), errors: m(reg, (x) => x.errors) },
      });
      progress(`growth: size ${label} done (${milestones.untouchedCount} seeded milestones left untouched)`);
    }
  } finally {
    await stopServices();
  }
  return growthResult(ctx, figures);
}

/** The highest position of a store (its event count, but for unused positions). */
async function highest(mongoUrl: string, db: string): Promise<number> {
  const { connection, store } = await openStore(mongoUrl, db);
  try {
    return await store.highestPosition();
  } finally {
    await connection.close();
  }
}

/** The last event of a milestone's stream, read through libs/event-store (the baseline's document). */
async function lastEventOf(
  mongoUrl: string,
  db: string,
  milestoneId: string | undefined,
): Promise<Record<string, unknown>> {
  if (!milestoneId) throw new Error('no milestone took a command: no progress event for the baseline');
  const { connection, store } = await openStore(mongoUrl, db);
  try {
    const events = await store.readStream(milestoneStreamId(milestoneId), {
      direction: 'backward',
      limit: 1,
    });
    if (!events[0]) throw new Error(`milestone ${milestoneId} has no events`);
    return { ...(events[0] as unknown as Record<string, unknown>) };
  } finally {
    await connection.close();
  }
}

// --- the table ----------------------------------------------------------------------------------------------------

type Better = 'higher' | 'lower';
interface Metric {
  name: string;
  unit: string;
  better: Better;
  value: (f: SizeFigures) => number;
  /** Flat-cost target: the largest size within this factor of the smallest (0.8 for rates; latencies 1/0.8). */
  growth?: number;
  baseline?: { what: string; value: (f: SizeFigures) => number; atLeast: number };
  absolute?: { what: string; ok: (v: number) => boolean };
}

/** A row of the table (lower is better, but for rates) with its targets, if any. */
function metric(
  name: string,
  unit: string,
  value: (f: SizeFigures) => number,
  targets: Pick<Metric, 'growth' | 'baseline' | 'absolute'> = {},
): Metric {
  return { name, unit, better: unit === 'req/s' ? 'higher' : 'lower', value, ...targets };
}

/** Within 0.8× of the smallest size. */
const FLAT = { growth: 0.8 };

/** A service's start-up rows: to ready and to the first accepted command, each within 2× of the smallest size. */
function startupMetrics(service: 'milestones' | 'agreements', command: string): Metric[] {
  const of = (f: SizeFigures) => f[`${service}Startup`];
  return [
    metric(`${service} start-up: spawn → /health/ready`, 'ms', (f) => of(f).ready, { growth: 0.5 }),
    metric(`${service} start-up: spawn → first accepted ${command}`, 'ms', (f) => of(f).firstCommand, {
      growth: 0.5,
    }),
  ];
}

const METRICS: Metric[] = [
  metric(
    'stored: milestone events (highest position) as measuring began',
    'count',
    (f) => f.storedEventsBefore,
  ),
  metric('stored: agreements (views) as measuring began', 'count', (f) => f.agreementViews),
  metric('command throughput (progress reports, If-Match)', 'req/s', (f) => f.commands.rps, {
    ...FLAT,
    baseline: { what: 'driver insertOne', value: (f) => f.insertOne.rps, atLeast: 0.5 },
  }),
  metric('command latency p99', 'ms', (f) => f.commands.p99, FLAT),
  metric('command latency p50', 'ms', (f) => f.commands.p50),
  metric('command errors (non-2xx, timeouts)', 'count', (f) => f.commands.errors),
  metric('propagation agreements → milestones p50', 'ms', (f) => f.propagation.p50, FLAT),
  metric('propagation p99', 'ms', (f) => f.propagation.p99, {
    ...FLAT,
    absolute: { what: '< 100 ms', ok: (v) => v < 100 },
  }),
  metric(
    'propagation: not seen within 60 s / failed registrations',
    'count',
    (f) => f.propagation.lost + f.propagation.errors,
  ),
  metric('registration throughput (201)', 'req/s', (f) => f.registrations.rps, FLAT),
  metric('registration latency p99', 'ms', (f) => f.registrations.p99, FLAT),
  metric('registration errors (non-201, timeouts)', 'count', (f) => f.registrations.errors),
  ...startupMetrics('milestones', 'command'),
  ...startupMetrics('agreements', 'registration'),
  metric('baseline: driver insertOne', 'req/s', (f) => f.insertOne.rps),
  metric('baseline: driver insertOne p99', 'ms', (f) => f.insertOne.p99),
];

function cell(v: number, unit: string): string {
  if (!Number.isFinite(v)) return 'n/a';
  return unit === 'count' ? fmt(v, 0) : `${fmt(v)} ${unit}`;
}

const ratioText = (r: number) => (Number.isFinite(r) ? `${fmt(r, 2)}×` : 'n/a');

/** Whether a size's figure is within the flat-cost factor of the smallest size's. */
function flat(metric: Metric, value: number, smallest: number): boolean {
  const r = value / smallest;
  return metric.better === 'higher' ? r >= metric.growth! : r <= 1 / metric.growth!;
}

export function growthTable(figures: SizeFigures[]): string[] {
  const first = figures[0];
  const sizeName = (f: SizeFigures) => `${fmt(f.events, 0)} ev. / ${fmt(f.agreements, 0)} agr.`;
  const header = [
    'Metric',
    ...figures.map(sizeName),
    ...figures.slice(1).map((f) => `${fmt(f.events, 0)} / ${fmt(first.events, 0)}`),
    'Target',
    'Met',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1, -2)
      .map(() => '---:')
      .join(' | ')} | --- | --- |`,
  ];
  for (const metric of METRICS) {
    const values = figures.map(metric.value);
    const ratios = values.slice(1).map((v) => v / values[0]);
    const targets: string[] = [];
    const met: string[] = [];
    if (metric.growth !== undefined && figures.length > 1) {
      const largest = values.at(-1)!;
      targets.push(
        metric.growth === 0.5
          ? 'largest ≤ 2× smallest'
          : metric.better === 'higher'
            ? 'largest ≥ 0.8× smallest'
            : 'largest ≤ 1.25× smallest (within 0.8×)',
      );
      met.push(flat(metric, largest, values[0]) ? 'met' : `**not met** (${ratioText(largest / values[0])})`);
    }
    if (metric.baseline) {
      const b = figures.map((f) => metric.value(f) / metric.baseline!.value(f));
      targets.push(`≥ ${metric.baseline.atLeast}× ${metric.baseline.what} (same size)`);
      const failing = figures.filter((_, i) => !(b[i] >= metric.baseline!.atLeast));
      met.push(
        failing.length === 0
          ? `met (${b.map(ratioText).join(', ')})`
          : `**not met** (${b.map(ratioText).join(', ')})`,
      );
    }
    if (metric.absolute) {
      targets.push(metric.absolute.what);
      const failing = figures.filter((_, i) => !metric.absolute!.ok(values[i]));
      met.push(
        failing.length === 0
          ? 'met at every size'
          : `**not met** at ${failing.map((f) => fmt(f.events, 0)).join(', ')}`,
      );
    }
    lines.push(
      `| ${metric.name} | ${values.map((v) => cell(v, metric.unit)).join(' | ')} | ${metric.unit === 'count' ? ratios.map(() => '').join(' | ') : ratios.map(ratioText).join(' | ')} | ${targets.join('; ')} | ${met.join('; ')} |`,
    );
  }
  return lines;
}

function growthResult(ctx: BenchContext, figures: SizeFigures[]): ScenarioResult {
  const o = ctx.options;
  if (figures.length === 0) throw new Error('growth: no size was measured');
  const first = figures[0];
  const last = figures.at(-1)!;
  const title = `${GROWTH_TITLE} (${figures.map((f) => fmt(f.events, 0)).join(' → ')} events)`;
  const against = `the same at ${fmt(first.events, 0)} events / ${fmt(first.agreements, 0)} agreements`;
  const row = (metric: string, unit: string, value: (f: SizeFigures) => number): Row => ({
    scenario: title,
    metric: `${metric} at ${fmt(last.events, 0)} events`,
    tracker: value(last),
    baseline: value(first),
    baselineWhat: against,
    unit,
  });
  const rows: Row[] = [
    row('command throughput', 'req/s', (f) => f.commands.rps),
    row('command latency p99', 'ms', (f) => f.commands.p99),
    row('propagation p99', 'ms', (f) => f.propagation.p99),
    row('registration throughput', 'req/s', (f) => f.registrations.rps),
    row('milestones start-up to ready', 'ms', (f) => f.milestonesStartup.ready),
    {
      scenario: title,
      metric: `command throughput at ${fmt(last.events, 0)} events, against insertOne`,
      tracker: last.commands.rps,
      baseline: last.insertOne.rps,
      baselineWhat: `driver insertOne, ${last.insertOne.bytes} B document, ${o.connections} concurrent`,
      unit: 'req/s',
    },
  ];
  const sizes = [
    '| Size | Seeded now (agreements, milestones) | Seeding | Replays | Settling | Milestones store (highest position, before → after measuring) | Agreement views (before → after) | Directory entries (before) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (f) =>
        `| ${fmt(f.events, 0)} events / ${fmt(f.agreements, 0)} agreements | ${fmt(f.agreementsSeeded, 0)}, ${fmt(f.milestonesSeeded, 0)} | ${fmt(f.seedSeconds, 1)} s | ${fmt(f.replaySeconds, 1)} s | ${fmt(f.settleSeconds, 1)} s | ${fmt(f.storedEventsBefore, 0)} → ${fmt(f.storedEventsAfter, 0)} | ${fmt(f.agreementViews, 0)} → ${fmt(f.agreementViewsAfter, 0)} | ${fmt(f.directoryEntries, 0)} |`,
    ),
  ];
  const sections = [
    `## ${GROWTH_TITLE} (issue 17): the same figures as the stores grow`,
    '',
    `Each figure is the median of ${o.reps} repetition(s) at its size; ratios are to the smallest size; the baseline (insertOne) is measured at every size. ${o.connections} clients × ${o.duration} s (warm-up ${o.warmup} s); propagation ${o.growthRate}/s × ${o.growthPropagationSeconds} s.`,
    '',
    ...growthTable(figures),
    '',
    ...sizes,
  ];
  return {
    rows,
    notes: [
      `Scenario 7 (growth): stores seeded in place through libs/event-store to ${o.growthSizes.join(', ')} milestone events (milestones of ${o.growthEventsPerMilestone} events: planned + progress reports, one append per milestone, marked published) and ${o.growthAgreements.join(', ')} agreements (one registration each, published through the relay so that the milestones directory folds them), then both services replay their read models (not measured). The benchmark's own commands and registrations add to the stores: the sizes table gives what was stored. Each repetition restarts both services (the start-up figures), then warms up on ${o.connections * 2} seeded milestones and measures on ${o.connections * 2} others, untouched ones first (none is in the fresh process's cache). Seeded agreements are not in agreement_references (the reservation table only the registration route writes), and the agreements service's milestone summaries do not hold the seeded milestones (their history is not published).`,
    ],
    sections,
    details: { growth: figures },
  };
}
