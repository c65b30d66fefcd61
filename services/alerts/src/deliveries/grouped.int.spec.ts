/**
 * Grouped webhooks, reminders and two dispatchers, against the real stack and a real HTTP receiver: two alerts
 * apps on one database and one consumer group (the reactors of both queue work), a TestClock moved by the test.
 *  - a burst of 40 deadline alerts on one agreement arrives as ONE webhook carrying the 40 alerts, after the
 *    group wait; a second burst within the group interval waits for it;
 *  - a subscription with `repeat` gets a reminder of an alert left open at the interval, and none of an alert its
 *    owner acknowledged (the owner's stand is written into the alert document directly: the route that sets it is
 *    another piece of work), at most maxReminders;
 *  - a match that a silence of the owner covers is recorded as silenced and never sent;
 *  - a digest message (`enqueueMessage`) is one signed webhook, once per message id;
 *  - a pending delivery the index does not know (its writer crashed before announcing it) is sent by the next
 *    holder of the dispatcher lease, which rebuilds the index when it takes over;
 *  - both apps dispatch at every step: each webhook is received once (only the dispatcher lease's holder sends).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type EventEnvelope } from '@tracker/contracts';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, type RunningService, startService, TestClock, testConfig, uniqueName } from '@tracker/testing';
import { AlertsApp } from '../service';
import { DeadlineScheduler } from '../alerts/deadline-scheduler';
import { AlertsService } from '../alerts/alerts.service';
import { AlertsConfig } from '../config';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { DeadlineStore } from '../read-model/deadlines';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { DeliveriesService } from './deliveries.service';

// 40 milestones through Kafka and two apps' projections: on a loaded machine that alone can take a minute.
jest.setTimeout(180_000);

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { alerts?: Array<{ id: string }>; events?: unknown[]; alert?: { id: string } };
  signed: boolean;
}

describe('grouped webhooks, reminders, two dispatchers', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('grp')}.`;
  const secret = 'receiver-secret-0123456789';
  let apps: RunningService[] = [];
  let producer: Producer;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  const burstAgreement = uuidv7();
  const remindAgreement = uuidv7();
  const events = new ForeignEvents(() => clock.now());
  let grouped: string;
  let reminding: string;

  const svc = () => apps[0];
  const publish = (topic: string, e: EventEnvelope) => publishEvent(producer, `${prefix}${topic}`, e);
  const stakeholder = () => ({
    post: (path: string) => svc().http.post(path).set('Authorization', 'Bearer dev-stakeholder'),
  });
  /** Both apps dispatch at once, as two instances' timers do. */
  const dispatchBoth = () => Promise.all(apps.map((a) => a.app.get(DeliveriesService).runOnce()));
  const receivedFor = (subscriptionId: string) => received.filter((r) => r.body.subscriptionId === subscriptionId);
  const groupOf = (subscriptionId: string) => svc().app.get(DeliveriesService).groups.findOne({ subscriptionId });

  async function register(agreementId: string, reference: string): Promise<void> {
    await publish(
      Topics.agreements,
      events.next(`agreement-${agreementId}`, agreementId, 'agreement.registered', {
        agreementId,
        ...agreementRegistration(reference, `Agreement ${reference}`),
        parties: [
          { country: 'TR', name: 'Türkiye' },
          { country: 'UZ', name: 'Uzbekistan' },
        ],
        signedOn: '2026-02-10',
        commodities: ['copper'],
      }),
    );
    await eventually(() => svc().app.get(AgreementInfoStore).get(agreementId));
  }

  /** Plans `count` milestones of an agreement due in 5 days (inside the 7-day window): one alert each at the next scan. */
  async function planDueSoon(agreementId: string, count: number): Promise<void> {
    const dueDate = new Date(clock.now().getTime() + 5 * 86_400_000).toISOString().slice(0, 10);
    const ids = Array.from({ length: count }, () => uuidv7());
    for (const milestoneId of ids) {
      await publish(
        Topics.milestones,
        events.next(`milestone-${milestoneId}`, agreementId, 'milestone.planned', {
          milestoneId,
          agreementId,
          type: 'refinery',
          title: `Refinery ${milestoneId.slice(-4)}`,
          dueDate,
          evidence: [],
        }),
      );
    }
    const deadlines = svc().app.get(DeadlineStore);
    await eventually(async () => (await Promise.all(ids.map((id) => deadlines.get(id)))).every(Boolean), { timeoutMs: 90_000 });
  }

  /** Runs the dispatchers until the subscription's group holds `n` pending alerts (their events came back from Kafka). */
  async function gathered(subscriptionId: string, n: number): Promise<void> {
    await eventually(
      async () => {
        await dispatchBoth();
        return (await groupOf(subscriptionId))?.pending.length === n;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-tracker-signature'])) ?? [];
        const signed = !!v1 && createHmac('sha256', secret).update(`${t}.${body}`).digest('hex') === v1;
        received.push({ headers: req.headers, body: JSON.parse(body), signed });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const config = testConfig(AlertsConfig, {
      OUTBOUND_ALLOW: '127.0.0.1/32',
      KAFKA_TOPIC_PREFIX: prefix,
      ALERT_SCAN_INTERVAL_MS: '0',
      DELIVERY_INTERVAL_MS: '0',
      ALERT_APPROACH_WINDOWS_DAYS: '7',
    });
    // Two instances: one database, one consumer group (the partitions of alerts.events split between them).
    apps = [await startService(AlertsApp.forRoot(config, { clock }))];
    apps.push(await startService(AlertsApp.forRoot(config, { clock })));
    const kafka = new Kafka({ clientId: 'grouped-test', brokers: config.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    await register(burstAgreement, 'BURST-1');
    await register(remindAgreement, 'REMIND-1');

    grouped = (
      await stakeholder()
        .post('/subscriptions')
        .send({
          filters: { agreementIds: [burstAgreement], kinds: ['deadline.approaching'] },
          channel: { type: 'webhook', url, secret },
          grouping: { groupBy: ['agreement'], groupWaitSeconds: 30, groupIntervalSeconds: 600 },
        })
        .expect(201)
    ).body.id;
    reminding = (
      await stakeholder()
        .post('/subscriptions')
        .send({
          filters: { agreementIds: [remindAgreement], kinds: ['deadline.approaching'] },
          channel: { type: 'webhook', url, secret },
          repeat: { intervalHours: 24, maxReminders: 2 },
        })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await producer?.disconnect();
    for (const a of apps) await a.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  let firstBatchAt: number;

  it('a burst of 40 deadline alerts on one agreement arrives as one webhook of 40 alerts, after the group wait', async () => {
    await planDueSoon(burstAgreement, 40);
    expect(await svc().app.get(DeadlineScheduler).runOnce()).toMatchObject({ raised: 40 });
    await gathered(grouped, 40);
    expect(receivedFor(grouped)).toHaveLength(0); // the group waits 30 s for the rest of the burst

    clock.advance({ seconds: 29 });
    await dispatchBoth();
    expect(receivedFor(grouped)).toHaveLength(0);
    clock.advance({ seconds: 1 });
    firstBatchAt = clock.now().getTime();
    await dispatchBoth();
    const [webhook, ...more] = receivedFor(grouped);
    expect(more).toHaveLength(0);
    expect(webhook.signed).toBe(true);
    expect(webhook.headers['x-tracker-delivery']).toBe(webhook.body.deliveryId);
    expect(webhook.headers['x-tracker-event']).toBe('alerts');
    expect(webhook.body).toMatchObject({
      kind: 'alerts',
      subscriptionId: grouped,
      group: { key: `agreement=${burstAgreement}`, by: { agreement: burstAgreement } },
    });
    const raised = await svc().app.get(AlertsService).alerts.find({ agreementId: burstAgreement }).toArray();
    expect(new Set(webhook.body.alerts!.map((a) => a.id))).toEqual(new Set(raised.map((a) => a._id)));
    expect(webhook.body.alerts).toHaveLength(40);
    expect(webhook.body.events).toHaveLength(40);
    expect(webhook.body.events![0]).toMatchObject({ type: 'alert.raised' });
  });

  it('a second burst within the group interval waits for it, then goes as one webhook', async () => {
    clock.advance({ seconds: 60 });
    await planDueSoon(burstAgreement, 3);
    expect(await svc().app.get(DeadlineScheduler).runOnce()).toMatchObject({ raised: 3 });
    await gathered(grouped, 3);
    clock.set(new Date(firstBatchAt + 599_000));
    await dispatchBoth();
    expect(receivedFor(grouped)).toHaveLength(1);
    clock.set(new Date(firstBatchAt + 600_000));
    await dispatchBoth();
    const batches = receivedFor(grouped);
    expect(batches).toHaveLength(2);
    expect(batches[1].body.alerts).toHaveLength(3);
    expect(batches[1].signed).toBe(true);
  });

  it('reminds of an alert left open at the repeat interval, not of one its owner acknowledged, at most maxReminders', async () => {
    await planDueSoon(remindAgreement, 2);
    expect(await svc().app.get(DeadlineScheduler).runOnce()).toMatchObject({ raised: 2 });
    const sentAt = clock.now().getTime();
    await eventually(
      async () => {
        await dispatchBoth();
        return receivedFor(reminding).length === 2;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    const [acked, open] = receivedFor(reminding).map((r) => r.body.alert!.id);
    // The owner acknowledges one of them (its own stand on the alert).
    await svc()
      .app.get(AlertsService)
      .alerts.updateOne({ _id: acked }, { $set: { recipients: [{ by: 'dev-stakeholder', state: 'acknowledged', at: clock.now().toISOString() }] } });

    clock.set(new Date(sentAt + 24 * 3_600_000 - 1000));
    await dispatchBoth();
    expect(receivedFor(reminding)).toHaveLength(2);
    clock.set(new Date(sentAt + 24 * 3_600_000));
    await dispatchBoth();
    const first = receivedFor(reminding).slice(2);
    expect(first.map((r) => [r.body.kind, r.body.reminder, r.body.alert!.id])).toEqual([['reminder', 1, open]]);
    expect(first[0].signed).toBe(true);
    expect(first[0].headers['x-tracker-event']).toBe('reminder');

    clock.advance({ hours: 24 });
    await dispatchBoth();
    clock.advance({ hours: 24 });
    await dispatchBoth();
    clock.advance({ hours: 72 });
    await dispatchBoth();
    expect(receivedFor(reminding).slice(2).map((r) => [r.body.reminder, r.body.alert!.id])).toEqual([
      [1, open],
      [2, open],
    ]);
  });

  it('records a match that a silence covers as silenced, and sends nothing for it', async () => {
    const until = new Date(clock.now().getTime() + 7 * 86_400_000).toISOString();
    await stakeholder().post('/silences').send({ subscriptionId: reminding, until, comment: 'in the working group' }).expect(201);
    const before = received.length;
    await planDueSoon(remindAgreement, 1);
    // Its deadline.approaching matches (the earlier milestones' deadline.missed alerts match no subscription here).
    await svc().app.get(DeadlineScheduler).runOnce();
    const silenced = await eventually(
      async () => {
        const res = await svc().http.get(`/deliveries?status=silenced&subscriptionId=${reminding}`).set('Authorization', 'Bearer dev-stakeholder').expect(200);
        return res.body.items.length === 1 ? res.body.items[0] : null;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(silenced).toMatchObject({ status: 'silenced', nextAttemptAt: null, attempts: [], silencedBy: expect.any(String) });
    clock.advance({ minutes: 5 });
    await dispatchBoth();
    expect(received).toHaveLength(before);
  });

  it('sends a digest message as one signed webhook, once per message id', async () => {
    const deliveries = svc().app.get(DeliveriesService);
    const subscription = (await svc().app.get(SubscriptionsService).subscriptions.findOne({ _id: grouped }))!;
    const message = { id: 'digest-2026-03-08', kind: 'digest' as const, body: { date: '2026-03-08', open: 43 } };
    expect(await deliveries.enqueueMessage(subscription, message)).toBe(true);
    expect(await apps[1].app.get(DeliveriesService).enqueueMessage(subscription, message)).toBe(false);
    await dispatchBoth();
    const digests = received.filter((r) => r.body.kind === 'digest');
    expect(digests).toHaveLength(1);
    expect(digests[0].signed).toBe(true);
    expect(digests[0].headers['x-tracker-event']).toBe('digest');
    expect(digests[0].body).toEqual({ deliveryId: digests[0].headers['x-tracker-delivery'], subscriptionId: grouped, kind: 'digest', digest: message.body });
  });

  it('a delivery its writer never announced (a crash before its arrival) is sent once the lease changes hands', async () => {
    const deliveries = svc().app.get(DeliveriesService);
    const subscription = (await svc().app.get(SubscriptionsService).subscriptions.findOne({ _id: grouped }))!;
    // What enqueueMessage stores before it announces the delivery, and nothing more.
    const id = uuidv7();
    const now = clock.now().toISOString();
    await deliveries.deliveries.insertOne({
      _id: id,
      kind: 'digest',
      messageId: 'unannounced',
      subscriptionId: grouped,
      owner: subscription.owner,
      url,
      body: JSON.stringify({ deliveryId: id, subscriptionId: grouped, kind: 'digest', digest: {} }),
      status: 'pending',
      attempts: [],
      attemptCount: 0,
      nextAttemptAt: now,
      since: now,
      createdAt: now,
    });
    await dispatchBoth();
    expect(received.filter((r) => r.body.deliveryId === id)).toHaveLength(0); // the holder does not know of it
    // The holder stops (its lease released); the other app takes over and rebuilds the index from the deliveries.
    const holder = apps.findIndex((a) => a.app.get(DeliveriesService).lease.held);
    expect(holder).toBeGreaterThanOrEqual(0);
    const [stopped] = apps.splice(holder, 1);
    await stopped.close();
    await dispatchBoth();
    expect(received.filter((r) => r.body.deliveryId === id)).toHaveLength(1);
  });

  it('every webhook was received once, validly signed, although both apps dispatched every time', async () => {
    const ids = received.map((r) => String(r.headers['x-tracker-delivery']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(received.every((r) => r.signed)).toBe(true);
    // 2 batches, 2 first sendings and 2 reminders, 1 digest, the unannounced one.
    expect(received).toHaveLength(2 + 2 + 2 + 1 + 1);
  });
});
