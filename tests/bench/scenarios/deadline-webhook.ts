/**
 * 6. Deadline → webhook: N milestones fall due at once; how long until every signed webhook has arrived.
 *
 * How the deadlines fall due: the alerts service decides "missed" from its platform Clock (calendar date of
 * `now` after the due date; services/alerts/domain/src/rules.ts). A TestClock exists only in-process; the only way to
 * move that clock in the real process is the platform's CLOCK_OFFSET_MS (meant for demos), read once at start.
 * So each repetition:
 *   1. registers an agreement, subscribes a webhook to its deadline.missed alerts (a receiver in this process), and
 *      plans N milestones due on one date D far enough ahead that the alerts service, on the normal clock, raises
 *      nothing for them; waits until its deadline read model holds all N and its consumers have no backlog (scenario
 *      1's progress events come before);
 *   2. restarts the alerts service with CLOCK_OFFSET_MS putting its clock on the day after D. Its first deadline
 *      scan (ALERT_SCAN_INTERVAL_MS after start; consumers and relay are running by then) raises deadline.missed
 *      for all N at once: no "approaching" alert comes first, as it would if the clock crossed D while running
 *      (ALERT_STALLED_AFTER_DAYS at its maximum, so the months-later clock stalls no agreement);
 *   3. measures from that scan's start (the UUID v7 time in its correlation id `deadline-scan-<uuid>`, stamped
 *      with the wall clock) to each webhook received: raise (event store) → outbox relay → Kafka → the service's
 *      own consumer → delivery queued → dispatcher → signed POST. The HMAC of every webhook is checked and each
 *      `x-tracker-delivery` counted once;
 *   4. restarts the alerts service on the normal clock for the next repetition.
 * Each repetition's due date lies 40 days before the previous one's, so the scan of a later repetition never
 * reaches the milestones of an earlier one (more than the 30-day look-ahead away): it walks N milestones, not N·r.
 * Restarting means every repetition runs in a fresh process (the warm-up warms the database, broker and receiver,
 * not the service's JIT). There is no baseline (issue 9 sets none).
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { addDays, calendarDateOf, Topics } from '@tracker/contracts';
import { topicOffsets } from '@tracker/messaging';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { MONITOR, STAKEHOLDER } from '../lib/stack';
import { median, percentile, progress, sampleRss, sleep } from '../lib/util';
import { WebhookReceiver } from '../lib/webhooks';
import { reference, registerAgreement } from './command-throughput';

/**
 * The first scan comes this long after the restart; later ones re-walk the due milestones (finding their alerts)
 * while webhooks go out, as the production timer (60 s) does less often. Shorter in smoke runs, which time nothing.
 */
const SCAN_INTERVAL_MS = 10_000;
const SMOKE_SCAN_INTERVAL_MS = 2_000;
/** Days between the due dates of successive repetitions: more than the largest approach window (30). */
const DATE_STEP_DAYS = 40;
const PLAN_CONCURRENCY = 8;
const NONE = 'none (issue 9 sets none)';
/** The alerts service's consumer groups (`<prefix>alerts.<name>`, services/alerts/src/service.ts) and their topics. */
const ALERTS_CONSUMERS = [
  ['agreement-info', Topics.agreements],
  ['milestone-deadlines', Topics.milestones],
  ['alert-views', Topics.alerts],
] as const;

interface Repetition {
  count: number;
  toLast: number;
  p50: number;
  p99: number;
  perSecond: number;
  allRaised: number;
  rssPeak: number;
  badSignatures: number;
  duplicates: number;
}

/** Milliseconds since the epoch in a UUID v7 (its first 48 bits). */
function uuidV7Time(uuid: string): number {
  return parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(intervalMs);
  }
}

function servicesOf(ctx: BenchContext) {
  const { agreements, milestones, alerts } = ctx;
  if (!agreements || !milestones || !alerts) throw new Error('scenario 6 needs the agreements, milestones and alerts services');
  return { agreements, milestones, alerts };
}

/**
 * Waits until the alerts service has committed everything on its topics: scenario 1's progress events, consumed
 * after it, must not compete with the measured path.
 */
async function alertsCaughtUp(ctx: BenchContext): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-lag', brokers: ctx.infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await until('the alerts service catching up with its topics', 600_000, async () => {
      for (const [name, topic] of ALERTS_CONSUMERS) {
        const [committed] = await admin.fetchOffsets({ groupId: `${ctx.topicPrefix}alerts.${name}`, topics: [ctx.topicPrefix + topic] });
        for (const end of await topicOffsets(admin, ctx.topicPrefix + topic, 0)) {
          const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          if (Number(end.high) > Math.max(at, 0)) return false;
        }
      }
      return true;
    }, 1000);
  } finally {
    await admin.disconnect();
  }
}

async function planDueOn(milestonesUrl: string, agreementId: string, count: number, dueDate: string): Promise<void> {
  let next = 0;
  const deadline = Date.now() + 120_000;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      for (;;) {
        const res = await fetch(`${milestonesUrl}/milestones`, {
          method: 'POST',
          headers: MONITOR,
          body: JSON.stringify({ agreementId, type: 'geological_survey', title: `Deadline benchmark survey ${i + 1}`, dueDate }),
        });
        const text = await res.text();
        if (res.status === 201) break;
        // 422 until the milestones service has seen the agreement's event.
        if (res.status !== 422 || Date.now() > deadline) throw new Error(`planning a milestone answered ${res.status}: ${text}`);
        await sleep(200);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PLAN_CONCURRENCY, count) }, worker));
}

async function repetition(ctx: BenchContext, receiver: WebhookReceiver, secret: string, label: string, count: number, dueDate: string): Promise<Repetition> {
  const { agreements, milestones, alerts } = servicesOf(ctx);
  const agreement = await registerAgreement(agreements.url, reference(ctx, `D${label}`));
  const sub = await fetch(`${alerts.url}/subscriptions`, {
    method: 'POST',
    headers: STAKEHOLDER,
    body: JSON.stringify({
      name: `deadline benchmark ${label}`,
      filters: { agreementIds: [agreement.id], kinds: ['deadline.missed'] },
      channel: { type: 'webhook', url: receiver.url, secret },
    }),
  });
  if (sub.status !== 201) throw new Error(`subscribing answered ${sub.status}: ${await sub.text()}`);

  progress(`scenario 6 (${label}): planning ${count} milestones due ${dueDate}`);
  await planDueOn(milestones.url, agreement.id, count, dueDate);
  const db = ctx.client.db(alerts.db);
  const deadlines = db.collection('milestone_deadlines');
  await until(`the alerts service's read model holding ${count} deadlines`, 300_000, async () => (await deadlines.countDocuments({ agreementId: agreement.id })) >= count, 500);
  const waited = Date.now();
  await alertsCaughtUp(ctx);
  if (Date.now() - waited > 5000) progress(`scenario 6 (${label}): waited ${Math.round((Date.now() - waited) / 1000)} s for the alerts service to consume earlier scenarios' events`);
  const early = await db.collection('alerts').countDocuments({ agreementId: agreement.id });
  if (early) throw new Error(`${early} alerts raised before the clock moved: the due date is too close`);

  // Noon of the day after the due date: the clock stays on that day for the whole repetition.
  const offsetMs = Date.parse(`${addDays(dueDate, 1)}T12:00:00Z`) - Date.now();
  progress(`scenario 6 (${label}): restarting the alerts service with its clock on ${addDays(dueDate, 1)}`);
  await alerts.restart({ CLOCK_OFFSET_MS: String(offsetMs), ALERT_SCAN_INTERVAL_MS: String(ctx.options.smoke ? SMOKE_SCAN_INTERVAL_MS : SCAN_INTERVAL_MS), ALERT_STALLED_AFTER_DAYS: '3650' });
  const sampler = sampleRss({ alerts: alerts.pid });
  const before = { ...receiver.counts };
  let rss = Number.NaN;
  try {
    await until(`${count} webhooks`, Math.max(120_000, count * 1000), () => receiver.of(agreement.id).length >= count, 50);
  } catch (err) {
    throw new Error(`${(err as Error).message} (${receiver.of(agreement.id).length} received; see the alerts log)`);
  } finally {
    rss = sampler.stop().alerts ?? Number.NaN;
  }

  const raised = await db
    .collection<{ _id: string; eventId: string; correlationId: string }>('events')
    .find({ agreementId: agreement.id, type: 'alert.raised' }, { projection: { eventId: 1, correlationId: 1 } })
    .toArray();
  const scans = [...new Set(raised.map((e) => e.correlationId))];
  if (raised.length !== count || scans.length !== 1 || !scans[0].startsWith('deadline-scan-')) {
    throw new Error(`expected ${count} alert.raised from one deadline scan, found ${raised.length} from ${scans.join(', ')}`);
  }
  const trigger = uuidV7Time(scans[0].slice('deadline-scan-'.length));
  const latencies = receiver.of(agreement.id).map((r) => r.at - trigger);
  const toLast = Math.max(...latencies);
  return {
    count,
    toLast,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: count / (toLast / 1000),
    allRaised: Math.max(...raised.map((e) => uuidV7Time(e.eventId))) - trigger,
    rssPeak: rss,
    badSignatures: receiver.counts.badSignatures - before.badSignatures,
    duplicates: receiver.counts.duplicates - before.duplicates,
  };
}

export async function deadlineWebhookScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { deadlineMilestones: n, reps, smoke } = ctx.options;
  const { alerts } = servicesOf(ctx);
  const secret = randomBytes(24).toString('hex');
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  const today = calendarDateOf(new Date());
  // Warm-up first, with the latest due date; each later repetition 40 days earlier, the last one 100 days ahead.
  const plan = [...(smoke ? [] : [{ label: 'W', count: Math.min(n, 50) }]), ...Array.from({ length: reps }, (_, i) => ({ label: String(i + 1), count: n }))];
  const results: Repetition[] = [];
  try {
    for (const [i, step] of plan.entries()) {
      const dueDate = addDays(today, 100 + DATE_STEP_DAYS * (plan.length - 1 - i));
      const r = await repetition(ctx, receiver, secret, step.label, step.count, dueDate);
      progress(
        `  ${step.count} webhooks: last after ${r.toLast} ms (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.perSecond.toFixed(1)}/s); all alerts raised after ${r.allRaised} ms; alerts RSS peak ${r.rssPeak.toFixed(0)} MiB`,
      );
      if (step.label !== 'W') results.push(r);
      if (i < plan.length - 1) {
        progress('scenario 6: restarting the alerts service on the normal clock');
        await alerts.restart();
      }
    }
  } finally {
    await receiver.stop();
  }

  const title = `6. Deadline → webhook (${n} milestones due at once)`;
  const m = (f: (r: Repetition) => number) => median(results.map(f));
  const row = (metric: string, tracker: number, unit: string): Row => ({ scenario: title, metric, tracker, baseline: '—', baselineWhat: NONE, unit });
  const interval = process.env.DELIVERY_INTERVAL_MS ?? '5000';
  const batch = process.env.DELIVERY_BATCH_SIZE ?? '100';
  return {
    rows: [
      row('time to the last webhook', m((r) => r.toLast), 'ms'),
      row('webhook latency p50', m((r) => r.p50), 'ms'),
      row('webhook latency p99', m((r) => r.p99), 'ms'),
      row('webhooks per second (to the last)', m((r) => r.perSecond), 'webhooks/s'),
      row('every alert raised (scan)', m((r) => r.allRaised), 'ms'),
      row('alerts service RSS (peak)', m((r) => r.rssPeak), 'MiB'),
      row('badly signed webhooks', m((r) => r.badSignatures), 'count'),
      row('repeated deliveries (same x-tracker-delivery, counted once)', m((r) => r.duplicates), 'count'),
    ],
    notes: [
      `Scenario 6: ${n} milestones due on one date, then the alerts service restarted with CLOCK_OFFSET_MS on the day after; times from its first deadline scan's start (UUID v7 of the scan's correlation id) to each signed webhook at a local receiver; dispatcher every ${interval} ms, ${batch} per run (DELIVERY_INTERVAL_MS, DELIVERY_BATCH_SIZE); a fresh alerts process per repetition. See tests/bench/scenarios/deadline-webhook.ts.`,
    ],
  };
}
