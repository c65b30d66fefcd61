/**
 * 8. Alert inbox (tracker issue 20): what a page of `GET /alerts` costs as alerts accumulate.
 *
 * An alerts service of its own (database `<run>_inbox_alerts`, topic prefix `<run>_inbox.`, log
 * `results/logs/alerts-inbox.log`; its deadline scan and digests off, so nothing but the measured requests reads
 * the alerts). Once, before the first size: `--inbox-agreements` agreements with 10 milestones each are published
 * on its agreements and milestones topics (as those services' relays would send them: `ForeignEvents`) and the
 * service folds them into its read models (`agreement_info`, `milestone_deadlines`); a stakeholder
 * (dev-stakeholder) subscribes twice to its inbox: one agreement, and one kind (deadline.missed).
 * At each size, in place (the alerts of the previous size stay):
 *  1. the service stopped, alerts are raised up to the size through `AlertsService.raise` itself, in this process,
 *     on the service's database (event store, then the `alerts` document and its lists, as the scan does):
 *     drafts from the domain's own rule (`deadlineAlerts`: approaching at 30, 7 and 1 days, then missed, in turn),
 *     each of a milestone of the next agreement in turn, so a page of 50 names ~50 agreements and milestones (the
 *     most details reads a page can need). Their events are marked published (`outbox.markPublished`, as scenario 7
 *     does): the relay would send thousands of events its own consumers then fold, which is not what is measured;
 *  2. the service starts again, and each figure is checked once (page size, filter kept);
 *  3. per repetition, in turn, `--inbox-clients` callers each ask again as soon as answered (closed loop) for
 *     `--inbox-seconds` s: a monitor's first page (`?limit=50`), the same filtered by one agreement, the
 *     stakeholder's inbox; each beside its baseline, the driver running the query `AlertsService.list` runs for it
 *     (same filter, sort, limit or cursor) on the same collection; for the monitor's page also the driver's query
 *     plus the details reads `AlertPayloads.withDetails` makes (one `_id` read per distinct agreement and
 *     milestone of the page, all at once).
 * The table: p50, p99 and requests/s of each figure beside its baseline, per size.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type mongo } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { addDays, AgreementSchemaVersions, agreementStreamId, MilestoneSchemaVersions, milestoneStreamId, Topics, type EventEnvelope } from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import { Aggregates, ReadModels, type ResolvedService } from '@tracker/service-runtime';
import { agreementRegistration, ForeignEvents, publishEvent, trUzMemorandum } from '@tracker/testing';
import { deadlineAlerts, type AlertDraft, type MilestoneDeadline } from '@tracker/alerts-domain';
import { Kafka, logLevel } from 'kafkajs';
// The service's own write path and query, run here on its database (tests/e2e import services the same way).
/* eslint-disable @nx/enforce-module-boundaries */
import { AlertsService, scopesFilter, type AlertDoc } from '../../../services/alerts/src/alerts/alerts.service';
/* eslint-enable @nx/enforce-module-boundaries */
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { MONITOR, STAKEHOLDER, startService, type Service } from '../lib/stack';
import { closedLoop, fmt, median, pool, progress, sleep, type LoopResult } from '../lib/util';

export const INBOX_TITLE = '8. Alert inbox';
const MILESTONES_PER_AGREEMENT = 10;
const PAGE = 50;
const RAISE_CONCURRENCY = 8;
const WARMUP_SECONDS = 2;
/** The stakeholder's second subscription: every alert of this kind. */
const SUBSCRIBED_KIND = 'deadline.missed';

interface World {
  alerts: Service;
  readModels: ReadModels;
  store: EventStore;
  service: AlertsService;
  agreementIds: string[];
  milestones: MilestoneDeadline[];
  /** The agreement the filtered page and the stakeholder's first subscription name. */
  watched: string;
  /** The service's topic prefix (its relay is named after its own topic). */
  topicPrefix: string;
  stored: number;
}

/** One measured load: the service's figure or a baseline. */
type Figure = 'monitor' | 'agreement' | 'inbox';
type Load = `${Figure}:${'service' | 'find'}` | 'monitor:find+details';

// --- read models: the agreements' and milestones' events, as their relays publish them -----------------------

async function publishReadModelEvents(ctx: BenchContext, prefix: string, agreementIds: string[], milestones: MilestoneDeadline[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-inbox', brokers: ctx.infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    const events = new ForeignEvents(() => new Date());
    for (const [i, agreementId] of agreementIds.entries()) {
      const ref = `INBOX-${ctx.runId}-${i + 1}`;
      const data = { agreementId, ...agreementRegistration(ref, `Inbox benchmark memorandum ${i + 1}`), parties: trUzMemorandum(ref).parties, commodities: ['copper'] };
      const e = events.next(agreementStreamId(agreementId), agreementId, 'agreement.registered', data, { schemaVersion: AgreementSchemaVersions['agreement.registered'] });
      await publishEvent(producer, prefix + Topics.agreements, e);
    }
    const planned: EventEnvelope[] = milestones.map((m) =>
      events.next(
        milestoneStreamId(m.milestoneId),
        m.agreementId,
        'milestone.planned',
        { milestoneId: m.milestoneId, agreementId: m.agreementId, type: m.type, title: m.title, dueDate: m.dueDate, evidence: [] },
        { schemaVersion: MilestoneSchemaVersions['milestone.planned'] },
      ),
    );
    await pool(planned, 8, (e) => publishEvent(producer, prefix + Topics.milestones, e).then(() => undefined));
  } finally {
    await producer.disconnect();
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

async function subscribe(alertsUrl: string, name: string, filters: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${alertsUrl}/subscriptions`, { method: 'POST', headers: STAKEHOLDER, body: JSON.stringify({ name, filters, channel: { type: 'inbox' } }) });
  if (res.status !== 201) throw new Error(`subscribing (${name}) answered ${res.status}: ${await res.text()}`);
}

// --- alerts, raised through the service -------------------------------------------------------------------------

/**
 * The g-th alert (0-based) of the run: a milestone taken in turn over the agreements (agreement g mod A), and a
 * due date and "today" that give, by the domain's rule, approaching at 30, 7, 1 days, then missed (round robin).
 */
function draftOf(world: World, g: number): AlertDraft {
  const m = world.milestones.length;
  const milestone = world.milestones[(g % world.agreementIds.length) * MILESTONES_PER_AGREEMENT + (Math.floor(g / world.agreementIds.length) % MILESTONES_PER_AGREEMENT)];
  // Each round over every milestone moves the due date on a day: (milestone, kind, due date) never repeats.
  const dueDate = addDays('2026-01-01', Math.floor(g / m));
  // The kind turns with g and with each agreement's round, so every agreement gets every kind.
  const today = addDays(dueDate, [-30, -7, -1, 1][(g + Math.floor(g / world.agreementIds.length)) % 4]);
  const [draft] = deadlineAlerts({ ...milestone, dueDate }, today);
  if (!draft) throw new Error(`no alert for ${milestone.milestoneId} due ${dueDate} on ${today}`);
  return draft;
}

async function raiseUpTo(world: World, size: number, firstRaisedAt: number): Promise<number> {
  const from = world.stored;
  const started = performance.now();
  let done = 0;
  await pool(
    Array.from({ length: Math.max(0, size - from) }, (_, i) => from + i),
    RAISE_CONCURRENCY,
    async (g) => {
      const { created } = await world.service.raise(draftOf(world, g), { correlationId: randomUUID() }, new Date(firstRaisedAt + g * 60_000));
      if (!created) throw new Error(`alert ${g} existed already`);
      if (++done % Math.max(1, Math.round((size - from) / 5)) === 0) progress(`  raised ${from + done} of ${size} alerts (${fmt(done / ((performance.now() - started) / 1000), 0)}/s)`);
    },
  );
  world.stored = size;
  // The service's relay would publish these to its own topic (its consumers fold them again): not measured here.
  await world.store.outbox.markPublished(world.topicPrefix + Topics.alerts, await world.store.highestPosition());
  return (performance.now() - started) / 1000;
}

// --- the loads ---------------------------------------------------------------------------------------------------

interface Page {
  items: Array<{ id: string; agreementId: string; kind: string }>;
}

async function getPage(url: string, headers: Record<string, string>): Promise<Page> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Page;
}

/** The queries AlertsService.list runs for each figure (alerts.service.ts): filter, newest first, limit + 1 or a cursor read until the page is full. */
function queries(world: World) {
  const alerts = world.readModels.collection<AlertDoc>('alerts');
  const inboxFilter = { $and: [scopesFilter([{ agreementIds: [world.watched] }, { kinds: [SUBSCRIBED_KIND] }]) ?? {}] } as mongo.Filter<AlertDoc>;
  return {
    monitor: () => alerts.find({}).sort({ seq: -1 }).limit(PAGE + 1).toArray(),
    agreement: () => alerts.find({ $and: [{ agreementId: world.watched }] }).sort({ seq: -1 }).limit(PAGE + 1).toArray(),
    // A recipient's page: its stand is tested on each document, so the cursor is read (no limit) until the page is full.
    inbox: async () => {
      const found = alerts.find(inboxFilter).sort({ seq: -1 });
      const docs: AlertDoc[] = [];
      for await (const doc of found) {
        docs.push(doc);
        if (docs.length > PAGE) break;
      }
      await found.close();
      return docs;
    },
  };
}

/** The reads AlertPayloads.ofMany makes for a page: one `_id` read per distinct agreement and milestone, all at once. */
async function detailsReads(world: World, docs: AlertDoc[]): Promise<void> {
  const info = world.readModels.collection<{ _id: string }>('agreement_info');
  const deadlines = world.readModels.collection<{ _id: string }>('milestone_deadlines');
  const page = docs.slice(0, PAGE);
  await Promise.all([
    ...[...new Set(page.map((d) => d.agreementId))].map((id) => info.findOne({ _id: id })),
    ...[...new Set(page.flatMap((d) => (d.milestoneId ? [d.milestoneId] : [])))].map((id) => deadlines.findOne({ _id: id })),
  ]);
}

function loads(world: World): Record<Load, () => Promise<void>> {
  const base = `${world.alerts.url}/alerts?limit=${PAGE}`;
  const q = queries(world);
  const ignore = () => undefined;
  return {
    'monitor:service': () => getPage(base, MONITOR).then(ignore),
    'monitor:find': () => q.monitor().then(ignore),
    'monitor:find+details': async () => detailsReads(world, await q.monitor()),
    'agreement:service': () => getPage(`${base}&agreementId=${world.watched}`, MONITOR).then(ignore),
    'agreement:find': () => q.agreement().then(ignore),
    'inbox:service': () => getPage(base, STAKEHOLDER).then(ignore),
    'inbox:find': () => q.inbox().then(ignore),
  };
}

/** Each figure answered once and checked: a full page (when there are enough alerts), only what its filter keeps. */
async function checkFigures(world: World): Promise<void> {
  const base = `${world.alerts.url}/alerts?limit=${PAGE}`;
  const expected = Math.min(PAGE, world.stored);
  const monitor = await getPage(base, MONITOR);
  if (monitor.items.length !== expected) throw new Error(`the monitor's first page holds ${monitor.items.length} alerts, not ${expected}`);
  const newest = (await queries(world).monitor()).slice(0, PAGE).map((d) => d._id);
  if (monitor.items.some((a, i) => a.id !== newest[i])) throw new Error("the monitor's first page is not the driver's newest 50");
  const agreement = await getPage(`${base}&agreementId=${world.watched}`, MONITOR);
  if (agreement.items.length === 0 || agreement.items.some((a) => a.agreementId !== world.watched)) throw new Error(`the agreement's page holds ${agreement.items.length} alerts, not all of ${world.watched}`);
  const inbox = await getPage(base, STAKEHOLDER);
  if (inbox.items.length === 0 || inbox.items.some((a) => a.agreementId !== world.watched && a.kind !== SUBSCRIBED_KIND)) throw new Error(`the inbox holds ${inbox.items.length} alerts, some matching neither subscription`);
}

// --- the scenario ------------------------------------------------------------------------------------------------

interface SizeResult {
  size: number;
  raiseSeconds: number;
  raisedPerSecond: number;
  figures: Record<Load, LoopResult[]>;
}

async function measureSize(world: World, ctx: BenchContext, size: number, firstRaisedAt: number): Promise<SizeResult> {
  const { reps, inboxClients: clients, inboxSeconds: seconds } = ctx.options;
  progress(`scenario 8: ${size} alerts: stopping the alerts service, raising ${size - world.stored} alerts through AlertsService.raise`);
  await world.alerts.stop();
  const raising = size - world.stored;
  const raiseSeconds = await raiseUpTo(world, size, firstRaisedAt);
  await world.alerts.restart();
  const stored = await world.readModels.collection('alerts').countDocuments({});
  if (stored !== size) throw new Error(`the alerts collection holds ${stored} alerts, not ${size}`);
  await checkFigures(world);
  const all = loads(world);
  const names = Object.keys(all) as Load[];
  for (const name of names) await closedLoop(clients, Math.min(WARMUP_SECONDS, seconds), all[name]);
  const figures = Object.fromEntries(names.map((n) => [n, [] as LoopResult[]])) as Record<Load, LoopResult[]>;
  for (let rep = 1; rep <= reps; rep++) {
    for (const name of names) {
      const r = await closedLoop(clients, seconds, all[name]);
      if (r.errors) throw new Error(`${name} at ${size} alerts: ${r.errors} of ${r.errors + r.ok} calls failed (${r.firstError})`);
      figures[name].push(r);
      progress(`  ${size} alerts, repetition ${rep}, ${name}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, ${fmt(r.requestsPerSecond)}/s`);
    }
  }
  return { size, raiseSeconds, raisedPerSecond: raising / raiseSeconds, figures };
}

const FIGURE_NAMES: Record<Figure, string> = {
  monitor: "monitor's first page (GET /alerts?limit=50)",
  agreement: 'filtered by one agreement (&agreementId=)',
  inbox: "stakeholder's inbox (2 subscriptions: one agreement, one kind)",
};

function rowsOf(r: SizeResult, clients: number): Row[] {
  const scenario = `${INBOX_TITLE} (${r.size.toLocaleString('en-US')} alerts)`;
  const m = (load: Load, f: (x: LoopResult) => number) => median(r.figures[load].map(f));
  const rows: Row[] = [];
  const add = (figure: Figure, baseline: Load, what: string, withRate = true) => {
    const service = `${figure}:service` as Load;
    const stat = [
      ['p50', (x: LoopResult) => x.p50, 'ms'],
      ['p99', (x: LoopResult) => x.p99, 'ms'],
      ...(withRate ? [['requests/s', (x: LoopResult) => x.requestsPerSecond, 'req/s'] as const] : []),
    ] as const;
    for (const [metric, f, unit] of stat)
      rows.push({ scenario, metric: `${FIGURE_NAMES[figure]}: ${metric}`, tracker: m(service, f), baseline: m(baseline, f), baselineWhat: what, unit });
  };
  add('monitor', 'monitor:find', `driver: find({}).sort({seq:-1}).limit(51), ${clients} callers`);
  add('monitor', 'monitor:find+details', `driver: the same find + one _id read per distinct agreement and milestone of the page (AlertPayloads)`, false);
  add('agreement', 'agreement:find', `driver: find({$and:[{agreementId}]}).sort({seq:-1}).limit(51)`);
  add('inbox', 'inbox:find', `driver: find({$and:[{$or:[agreement, kind]}]}).sort({seq:-1}), cursor read to 51 (the stand is tested per document)`);
  return rows;
}

export async function inboxScenario(ctx: BenchContext, settings: { kafkaBrokers: string; mongoUrl: string; logDir: string; db: string }, services: Service[]): Promise<ScenarioResult> {
  const o = ctx.options;
  const topicPrefix = `${ctx.runId}_inbox.`;
  progress(`scenario 8: starting an alerts service of its own (${settings.db})`);
  const alerts = await startService('alerts', {
    ...settings,
    topicPrefix,
    label: 'alerts-inbox',
    // Nothing but the measured requests reads the alerts: no deadline scan, no digest.
    env: { ALERT_SCAN_INTERVAL_MS: '0', DIGEST_INTERVAL_MS: '0' },
  });
  services.push(alerts);
  const connection = await mongoose.createConnection(settings.mongoUrl, { dbName: settings.db }).asPromise();
  try {
    const readModels = new ReadModels(connection, { refreshMs: 0 });
    await readModels.start();
    const store = new EventStore(connection);
    await store.init();
    // The alerts service's write path as its module wires it; its only aggregate has no store projection.
    const aggregates = new Aggregates(store, { projections: [] } as unknown as ResolvedService, readModels);
    const agreementIds = Array.from({ length: o.inboxAgreements }, () => uuidv7());
    const milestones: MilestoneDeadline[] = agreementIds.flatMap((agreementId) =>
      Array.from({ length: MILESTONES_PER_AGREEMENT }, (_, j) => ({
        milestoneId: uuidv7(),
        agreementId,
        type: 'geological_survey' as const,
        title: `Inbox benchmark survey ${j + 1}`,
        status: 'scheduled' as const,
        dueDate: '2030-12-31',
        slipCount: 0,
      })),
    );
    const world: World = { alerts, readModels, store, service: new AlertsService(store, aggregates, readModels), agreementIds, milestones, watched: agreementIds[0], topicPrefix, stored: 0 };

    progress(`scenario 8: publishing ${agreementIds.length} agreements and ${milestones.length} milestones to the alerts service's topics`);
    const started = performance.now();
    await publishReadModelEvents(ctx, topicPrefix, agreementIds, milestones);
    const db = ctx.client.db(settings.db);
    await until('the alerts service folding the agreements and milestones', 300_000, async () => {
      const [a, d] = await Promise.all([db.collection(readModels.physicalName('agreement_info')).countDocuments({}), db.collection(readModels.physicalName('milestone_deadlines')).countDocuments({})]);
      return a >= agreementIds.length && d >= milestones.length;
    });
    const readModelSeconds = (performance.now() - started) / 1000;
    await subscribe(alerts.url, 'inbox benchmark: one agreement', { agreementIds: [world.watched] });
    await subscribe(alerts.url, `inbox benchmark: every ${SUBSCRIBED_KIND}`, { kinds: [SUBSCRIBED_KIND] });

    const largest = o.inboxSizes[o.inboxSizes.length - 1];
    // A minute apart, the last one a minute ago: every alert in the past, newest first in raising order.
    const firstRaisedAt = Date.now() - (largest + 1) * 60_000;
    const results: SizeResult[] = [];
    for (const size of o.inboxSizes) results.push(await measureSize(world, ctx, size, firstRaisedAt));

    const rows = results.flatMap((r) => rowsOf(r, o.inboxClients));
    const seeded = results.map((r) => `${r.size.toLocaleString('en-US')} (${fmt(r.raisedPerSecond, 0)} raised/s)`).join(', ');
    return {
      rows,
      notes: [
        `Scenario 8: alerts raised through AlertsService.raise (in the benchmark's process, on the alerts service's database, the service stopped) up to ${seeded}, over ${agreementIds.length} agreements × ${MILESTONES_PER_AGREEMENT} milestones (read models folded by the service from published events in ${fmt(readModelSeconds, 1)} s); ${o.inboxClients} callers in a closed loop, ${o.inboxSeconds} s per figure and repetition; the baselines are the driver's queries of AlertsService.list on the same collection. See tests/bench/scenarios/inbox.ts.`,
      ],
      details: { inbox: results },
    };
  } finally {
    await connection.close();
  }
}
