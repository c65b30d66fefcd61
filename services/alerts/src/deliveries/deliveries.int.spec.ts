/**
 * Webhook delivery against the real stack and a real HTTP receiver started by the test: an alert raised by the
 * scheduler goes through the outbox and alerts.events to a delivery per matching webhook subscription, signed with
 * HMAC-SHA256 over `${timestamp}.${body}`, retried with backoff through a day-long outage (time moved by a
 * TestClock), recorded attempt by attempt, given up after the retry period, re-driven, never sent twice once
 * acknowledged with a 2xx, not by a second instance and not after a restart.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type EventEnvelope } from '@tracker/contracts';
import { ReadModels } from '@tracker/service-runtime';
import { OutboundPolicy } from '@tracker/platform';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, type RunningService, startService, TestClock, testConfig, uniqueName } from '@tracker/testing';
import { AlertsApp } from '../service';
import { DeadlineScheduler } from '../alerts/deadline-scheduler';
import { AlertsService } from '../alerts/alerts.service';
import { AlertPayloads } from '../alerts/payload';
import { AlertsConfig } from '../config';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { DeadlineStore } from '../read-model/deadlines';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { DeliveriesService, type DeliveryView } from './deliveries.service';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

describe('webhook deliveries', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('dlv')}.`;
  const secret = 'receiver-secret-0123456789';
  let config: AlertsConfig;
  let svc: RunningService;
  let deliveries: DeliveriesService;
  let producer: Producer;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  /** What the receiver answers next. */
  let answer = 503;
  const agreementId = uuidv7();
  const events = new ForeignEvents(() => clock.now());

  const envelope = (streamId: string, type: string, data: object): EventEnvelope =>
    events.next(streamId, agreementId, type, data);
  const publish = (topic: string, e: EventEnvelope) => publishEvent(producer, `${prefix}${topic}`, e);

  async function planMilestone(dueDate: string): Promise<string> {
    const milestoneId = uuidv7();
    await publish(
      Topics.milestones,
      envelope(`milestone-${milestoneId}`, 'milestone.planned', {
        milestoneId,
        agreementId,
        type: 'refinery',
        title: `Refinery due ${dueDate}`,
        dueDate,
        evidence: [],
      }),
    );
    await eventually(() => svc.app.get(DeadlineStore).get(milestoneId));
    return milestoneId;
  }

  const stakeholder = () => ({
    get: (path: string) => svc.http.get(path).set('Authorization', 'Bearer dev-stakeholder'),
    post: (path: string) => svc.http.post(path).set('Authorization', 'Bearer dev-stakeholder'),
  });
  const listDeliveries = async (query = ''): Promise<DeliveryView[]> =>
    (await stakeholder().get(`/deliveries?limit=100${query}`).expect(200)).body.items;

  /** Moves the clock to the delivery's next attempt and runs the dispatcher once. */
  async function nextAttempt(id: string) {
    const [d] = (await listDeliveries()).filter((x) => x.id === id);
    clock.set(d.nextAttemptAt!);
    return deliveries.runOnce();
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered: answer,
        });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tracker`;

    config = testConfig(AlertsConfig, {
      // The receiver is on this machine: the outbound policy refuses loopback unless allowed.
      OUTBOUND_ALLOW: '127.0.0.1/32',
      KAFKA_TOPIC_PREFIX: prefix,
      ALERT_SCAN_INTERVAL_MS: '0',
      DELIVERY_INTERVAL_MS: '0',
      ALERT_APPROACH_WINDOWS_DAYS: '7',
    });
    svc = await startService(AlertsApp.forRoot(config, { clock }));
    deliveries = svc.app.get(DeliveriesService);
    deliveries.random = () => 1;
    const kafka = new Kafka({
      clientId: 'deliveries-test',
      brokers: config.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();

    await publish(
      Topics.agreements,
      envelope(`agreement-${agreementId}`, 'agreement.registered', {
        agreementId,
        ...agreementRegistration('TR-CN-2026', 'MoU on natural resources'),
        parties: [
          { country: 'TR', name: 'Türkiye' },
          { country: 'CN', name: 'China' },
        ],
        signedOn: '2026-02-10',
        commodities: ['copper'],
      }),
    );
    await eventually(() => svc.app.get(AgreementInfoStore).get(agreementId));
    // Matching webhook, a webhook of another country, an inbox: only the first gets deliveries. With one approach
    // window (7 days) and only deadline.approaching subscribed, each milestone gives exactly one delivery.
    await stakeholder()
      .post('/subscriptions')
      .send({
        filters: { partyCountries: ['TR'], commodities: ['Copper'], kinds: ['deadline.approaching'] },
        channel: { type: 'webhook', url, secret },
      })
      .expect(201);
    await stakeholder()
      .post('/subscriptions')
      .send({ filters: { partyCountries: ['US'] }, channel: { type: 'webhook', url, secret } })
      .expect(201);
    await stakeholder()
      .post('/subscriptions')
      .send({ channel: { type: 'inbox' } })
      .expect(201);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  let first: DeliveryView;

  it('queues one delivery per matching webhook subscription for a raised alert', async () => {
    await planMilestone('2026-03-06');
    expect(await svc.app.get(DeadlineScheduler).runOnce()).toMatchObject({ raised: 1 });
    const items = (await eventually(async () => {
      const all = await listDeliveries();
      return all.length === 1 ? all : null;
    })) as DeliveryView[];
    first = items[0];
    expect(first).toMatchObject({
      status: 'pending',
      eventType: 'alert.raised',
      url,
      owner: 'dev-stakeholder',
      attempts: [],
      attemptCount: 0,
    });
    expect(first).not.toHaveProperty('body');
  });

  it('retries a receiver that is down, with growing delays, recording every attempt', async () => {
    answer = 503;
    expect(await deliveries.runOnce()).toEqual({ attempted: 1, delivered: 0, failed: 0 });
    expect(await deliveries.runOnce()).toEqual({ attempted: 0, delivered: 0, failed: 0 }); // not due yet
    const start = clock.now().getTime();
    for (let i = 0; i < 6; i++) await nextAttempt(first.id);
    const [d] = await listDeliveries();
    expect(d.status).toBe('pending');
    expect(d.attempts.map((a) => [a.n, a.status, a.error])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => [n, 503, 'HTTP 503']),
    );
    const gaps = d.attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(d.attempts[i].at));
    expect(gaps).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000]);
    expect(clock.now().getTime() - start).toBe(gaps.reduce((x, y) => x + y, 0));
  });

  it('keeps trying through a day of outage, then delivers signed JSON once, and never again', async () => {
    const since = Date.parse(first.since);
    while (clock.now().getTime() - since < 86_400_000) await nextAttempt(first.id);
    expect((await listDeliveries())[0].status).toBe('pending');

    answer = 204;
    // A second instance (own connection) dispatching at the same time: one of them sends.
    const other = await mongoose
      .createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, autoIndex: false })
      .asPromise();
    try {
      const [d] = await listDeliveries();
      clock.set(d.nextAttemptAt!);
      const readModels = new ReadModels(other, { refreshMs: 0 });
      await readModels.start();
      const second = new DeliveriesService(
        other,
        clock,
        config,
        new SubscriptionsService(other, clock, svc.app.get(OutboundPolicy)),
        new AgreementInfoStore(readModels),
        svc.app.get(AlertsService),
        svc.app.get(OutboundPolicy),
        svc.app.get(AlertPayloads),
      );
      const results = await Promise.all([deliveries.runOnce(), second.runOnce()]);
      expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    } finally {
      await other.close();
    }
    const [d] = await listDeliveries();
    expect(d).toMatchObject({
      status: 'delivered',
      nextAttemptAt: null,
      deliveredAt: clock.now().toISOString(),
    });
    expect(d.attempts.at(-1)).toMatchObject({ status: 204 });
    expect(d.attempts.length).toBeGreaterThan(15);

    const ok = received.filter((r) => r.answered === 204);
    expect(ok).toHaveLength(1);
    const [{ headers, body }] = ok;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-tracker-delivery']).toBe(first.id);
    expect(headers['x-tracker-event']).toBe('alert.raised');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['x-tracker-signature'] as string) ?? [];
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
    expect(createHmac('sha256', 'another-secret-0123456').update(`${t}.${body}`).digest('hex')).not.toBe(v1);
    expect(JSON.parse(body)).toMatchObject({
      deliveryId: first.id,
      event: { type: 'alert.raised' },
      alert: {
        kind: 'deadline.approaching',
        agreementId,
        dueDate: '2026-03-06',
        window: 7,
        // What the owner needs to act without another lookup, and its own stand.
        reason: 'Refinery due 2026-03-06 is due in 5 days (2026-03-06)',
        windowDays: 7,
        agreement: { id: agreementId, reference: 'TR-CN-2026', title: 'MoU on natural resources' },
        milestone: { title: 'Refinery due 2026-03-06', type: 'refinery', dueDate: '2026-03-06', status: 'scheduled' },
        links: { agreement: expect.stringMatching(new RegExp(`/agreements/${agreementId}$`)) },
        mine: { state: 'open' },
      },
    });
    // Nobody else's stand goes to this owner.
    expect(JSON.parse(body).alert).not.toHaveProperty('recipients');
    // Every attempt sent the same bytes.
    expect(new Set(received.map((r) => r.body)).size).toBe(1);

    clock.advance({ days: 3 });
    expect(await deliveries.runOnce()).toEqual({ attempted: 0, delivered: 0, failed: 0 });
  });

  it('gives up after the retry period (kept as failed), and a re-drive sends it again', async () => {
    answer = 500;
    const due = clock.now().toISOString().slice(0, 10);
    await planMilestone(due);
    // The new milestone's approach alert only (the first milestone, due tomorrow, has its 7-day alert already).
    expect(await svc.app.get(DeadlineScheduler).runOnce()).toMatchObject({ raised: 1 });
    const d = await eventually(async () => (await listDeliveries('&status=pending'))[0]);
    await deliveries.runOnce();
    let status = 'pending';
    for (let i = 0; i < 60 && status === 'pending'; i++) {
      await nextAttempt(d.id);
      status = (await listDeliveries()).find((x) => x.id === d.id)!.status;
    }
    const failed = (await listDeliveries('&status=failed'))[0];
    expect(failed).toMatchObject({ id: d.id, status: 'failed', nextAttemptAt: null });
    expect(clock.now().getTime() - Date.parse(failed.since)).toBeLessThanOrEqual(
      config.DELIVERY_GIVE_UP_AFTER_MS,
    );
    clock.advance({ days: 1 });
    expect(await deliveries.runOnce()).toMatchObject({ attempted: 0 });

    await stakeholder().post(`/deliveries/${first.id}/redrive`).expect(409); // delivered: nothing to re-drive
    await stakeholder().post(`/deliveries/${uuidv7()}/redrive`).expect(404);
    const redriven = await stakeholder().post(`/deliveries/${d.id}/redrive`).expect(200);
    expect(redriven.body).toMatchObject({ status: 'pending', nextAttemptAt: clock.now().toISOString() });
    answer = 200;
    expect(await deliveries.runOnce()).toEqual({ attempted: 1, delivered: 1, failed: 0 });
    expect((await listDeliveries('&status=delivered')).map((x) => x.id).sort()).toEqual(
      [first.id, d.id].sort(),
    );
  });

  it('sends nothing again after a restart', async () => {
    const sent = received.length;
    await svc.close();
    svc = await startService(AlertsApp.forRoot(config, { clock }));
    deliveries = svc.app.get(DeliveriesService);
    clock.advance({ days: 1 });
    expect(await deliveries.runOnce()).toEqual({ attempted: 0, delivered: 0, failed: 0 });
    expect(received).toHaveLength(sent);
    expect((await listDeliveries()).map((x) => x.status)).toEqual(['delivered', 'delivered']);
  });

  it('shows every delivery to auditors and admins (stakeholders: their own, by owner); validates the filters', async () => {
    expect(
      (await svc.http.get('/deliveries').set('Authorization', 'Bearer dev-auditor').expect(200)).body.items,
    ).toHaveLength(2);
    expect(
      (await svc.http.get('/deliveries').set('Authorization', 'Bearer dev-admin').expect(200)).body.items,
    ).toHaveLength(2);
    await svc.http.get('/deliveries?status=lost').set('Authorization', 'Bearer dev-auditor').expect(400);
  });
});
