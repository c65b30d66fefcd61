/**
 * 4. Webhook receiver down and back: a stakeholder subscribes a webhook (a receiver in this process) to the slip
 *    alerts of one agreement; a first slip is delivered while the receiver is up. Then the receiver goes down,
 *    --webhook-alerts milestones slip (each raises an alert), and it stays down until the alerts service has tried
 *    each of those deliveries at least once (and at least --webhook-down seconds). Once it is back, every alert
 *    event the subscription matches must arrive exactly once (by delivery id, and one delivery per event), every
 *    signature must verify, and nothing may arrive that the store does not hold.
 */
import { randomBytes } from 'node:crypto';
import { STAKEHOLDER } from '../../bench/lib/stack';
import { fmt, pool, progress, sleep } from '../../bench/lib/util';
import { WebhookReceiver } from '../../bench/lib/webhooks';
import { eventually } from '../../support/eventually';
import { allPages, send } from '../lib/client';
import { Load } from '../lib/load';
import { dlqMessages, Table, verifyLoad, type FaultContext } from '../lib/verify';

/** The alerts service's dispatcher settings in this suite (run.ts): retries come quickly. */
export const DELIVERY_ENV = {
  DELIVERY_INTERVAL_MS: '500',
  DELIVERY_RETRY_INITIAL_MS: '500',
  DELIVERY_RETRY_MAX_MS: '2000',
  DELIVERY_TIMEOUT_MS: '2000',
  DELIVERY_STALE_CLAIM_MS: '5000',
};

interface DeliveryView {
  id: string;
  status: string;
  attemptCount: number;
  attempts: Array<{ status: number | null }>;
}

function deliveriesOf(ctx: FaultContext, subscriptionId: string): Promise<DeliveryView[]> {
  return allPages<DeliveryView>(
    `${ctx.stack.alerts.url}/deliveries?subscriptionId=${subscriptionId}`,
    STAKEHOLDER,
    ctx.policy,
  );
}

export async function webhookScenario(ctx: FaultContext, round: number): Promise<Table> {
  const { options } = ctx;
  const table = new Table();
  const secret = randomBytes(24).toString('hex');
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  const load = new Load(ctx.stack, `W${round}`, ctx.run, ctx.policy);
  const dlqBefore = await dlqMessages(ctx);
  const n = options.webhookAlerts;
  try {
    progress(`webhook receiver down and back (round ${round}): setup, 1 agreement × ${n + 1} milestones`);
    await load.setup(1, n + 1);
    const agreementId = load.agreements[0].id;
    const sub = await send(
      `${ctx.stack.alerts.url}/subscriptions`,
      {
        method: 'POST',
        headers: STAKEHOLDER,
        body: {
          name: `fault suite ${load.tag}`,
          filters: { agreementIds: [agreementId], kinds: ['milestone.slipped'] },
          channel: { type: 'webhook', url: receiver.url, secret },
        },
      },
      ctx.policy,
    );
    if (sub.status !== 201)
      throw new Error(`subscribing answered ${sub.status}: ${JSON.stringify(sub.body)}`);
    const subscriptionId = (sub.body as { id: string }).id;
    const [first, ...rest] = load.milestones;
    await load.change('reschedule', first);
    await eventually(() => receiver.of(agreementId).length >= 1, {
      timeoutMs: 60_000,
      intervalMs: 100,
    }).catch(() => {
      throw new Error('the first slip alert was not delivered within 60 s while the receiver was up');
    });

    progress(`  receiver down; ${n} milestones slip`);
    await receiver.stop();
    const downAt = Date.now();
    await pool(rest, options.concurrency, async (m) => void (await load.change('reschedule', m)));
    // Down until each of the new deliveries has failed at least once (and at least --webhook-down seconds).
    const failedOnce = (await eventually(
      async () => {
        const pending = (await deliveriesOf(ctx, subscriptionId)).filter(
          (d) => d.status === 'pending' && d.attemptCount >= 1,
        );
        return pending.length >= n && Date.now() - downAt >= options.webhookDownSeconds * 1000
          ? pending
          : false;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    ).catch(() => {
      throw new Error(
        `the alerts service did not try ${n} deliveries while the receiver was down within 120 s`,
      );
    })) as DeliveryView[];
    const failedAttempts = failedOnce.reduce(
      (sum, d) => sum + d.attempts.filter((a) => a.status === null).length,
      0,
    );

    progress(`  receiver back after ${fmt((Date.now() - downAt) / 1000, 1)} s`);
    await receiver.start();
    const upAt = Date.now();
    const delivered = (await eventually(() => receiver.of(agreementId).length >= n + 1 && Date.now(), {
      timeoutMs: options.boundSeconds * 1000,
      intervalMs: 50,
    }).catch(() => null)) as number | null;
    // Long enough for a repeat to show: a few dispatcher runs.
    await sleep(3000);

    await verifyLoad(
      ctx,
      load,
      table,
      { since: upAt, sinceWhat: 'the receiver back', dlqBefore },
      (snapshot) => {
        const expected = new Set(
          snapshot.events.alerts
            .filter((e) => snapshot.alerts.get(String(e.data.alertId))?.kind === 'milestone.slipped')
            .map((e) => e.eventId),
        );
        const receipts = receiver.of(agreementId);
        const events = new Set(receipts.map((r) => r.eventId));
        const missing = [...expected].filter((id) => !events.has(id));
        const unexpected = [...events].filter((id) => !expected.has(id));
        const repeated = receiver.counts.duplicates + (receipts.length - events.size);
        table.info(
          'receiver down (until every new delivery had failed once)',
          `${fmt((upAt - downAt) / 1000, 1)} s`,
        );
        table.info('failed attempts while it was down', failedAttempts);
        table.info('alert events the subscription matches (in the alerts store)', expected.size);
        table.info('delivered (webhooks, distinct delivery ids)', receipts.length);
        table.expect(
          'webhooks lost (matched, never delivered)',
          missing.length,
          missing.length === 0,
          `${missing.length} alert event(s) never delivered: ${missing.slice(0, 3).join(', ')}`,
        );
        table.expect(
          'webhooks duplicated (a delivery id again, or two deliveries of one event)',
          repeated,
          repeated === 0,
          `${repeated} webhook(s) delivered twice`,
        );
        table.expect(
          'webhooks for events not in the store',
          unexpected.length,
          unexpected.length === 0,
          `${unexpected.length} webhook(s) for events the store does not hold`,
        );
        table.expect(
          'badly signed webhooks',
          receiver.counts.badSignatures,
          receiver.counts.badSignatures === 0,
          `${receiver.counts.badSignatures} webhook(s) with a bad signature`,
        );
        table.expect(
          `every webhook delivered after the receiver is back (bound ${options.boundSeconds} s)`,
          delivered === null
            ? `not within ${options.boundSeconds} s`
            : `${fmt((delivered - upAt) / 1000, 1)} s`,
          delivered !== null,
          `${receipts.length} of ${n + 1} webhooks delivered within ${options.boundSeconds} s of the receiver coming back`,
        );
      },
    );
  } finally {
    await receiver.stop();
  }
  return table;
}
