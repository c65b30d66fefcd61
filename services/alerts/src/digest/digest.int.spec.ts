/**
 * The daily digest against the real stack: a subscription with a digest at 08:00 Europe/Istanbul, the clock
 * moved past it, the scheduler run: one digest, grouped by agreement and severity, shown at GET /digests, made
 * once however often the scheduler runs; the next day's lists what changed; a webhook subscription's is handed
 * to the deliveries.
 */
import { v7 as uuidv7 } from 'uuid';
import { startService, TestClock, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import type { AlertDraft } from '@tracker/alerts-domain';
import { AlertsApp } from '../service';
import { AlertsService, type AlertDoc } from '../alerts/alerts.service';
import { AlertsConfig } from '../config';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { digestIdOf, DigestScheduler, type DigestView } from './digests.service';
import { milestoneAlertDraft } from '../test/alert-drafts';

describe('daily digest', () => {
  // 06:00 in Istanbul (UTC+3): before the day's digest.
  const clock = new TestClock('2026-12-01T03:00:00.000Z');
  let svc: RunningService;
  let scheduler: DigestScheduler;
  let alerts: AlertsService;
  const mou = uuidv7();
  const offtake = uuidv7();

  beforeAll(async () => {
    const config = testConfig(AlertsConfig, {
      KAFKA_TOPIC_PREFIX: `${uniqueName('digest')}.`,
      ALERT_SCAN_INTERVAL_MS: '0',
      DELIVERY_INTERVAL_MS: '0',
      DIGEST_INTERVAL_MS: '0',
      OUTBOUND_ALLOW: '127.0.0.1/32',
    });
    svc = await startService(AlertsApp.forRoot(config, { clock }));
    scheduler = svc.app.get(DigestScheduler);
    alerts = svc.app.get(AlertsService);
  });
  afterAll(() => svc?.close());

  /** `occurredAt`: its cause's business time (default now; earlier: a back-filled cause, recorded now). */
  const raise = async (agreementId: string, kind: AlertDraft['kind'], severity: AlertDraft['severity'], occurredAt = clock.now()): Promise<AlertDoc> => {
    const draft = milestoneAlertDraft(agreementId, kind, severity, { milestoneType: 'financing', milestoneTitle: `Financing closed (${severity})` });
    return (await alerts.raise(draft, { correlationId: uuidv7() }, occurredAt)).alert;
  };
  const digestsOf = async (subscriptionId: string) => (await svc.as('stakeholder').get(`/digests?subscriptionId=${subscriptionId}`).expect(200)).body.items as DigestView[];
  const ids = (payloads: Array<{ id: string }>) => payloads.map((p) => p.id).sort();

  it('makes one digest a day at 08:00 Istanbul: open alerts by agreement and severity, then what changed', async () => {
    const subscription = (
      await svc
        .as('stakeholder')
        .post('/subscriptions')
        .send({ filters: { agreementIds: [mou, offtake] }, channel: { type: 'inbox' }, digest: { hour: 8, timeZone: 'Europe/Istanbul' } })
        .expect(201)
    ).body.id as string;
    clock.advance({ minutes: 10 });
    const missed = await raise(mou, 'deadline.missed', 'high');
    const approaching = await raise(mou, 'deadline.approaching', 'low');
    const slipped = await raise(offtake, 'milestone.slipped', 'critical');
    await raise(uuidv7(), 'deadline.missed', 'critical'); // not this subscription's

    // 06:10 local: not due yet (the subscription is younger than yesterday's 08:00).
    expect(await scheduler.runOnce()).toEqual({ scheduled: 1, made: 0 });
    expect(await digestsOf(subscription)).toEqual([]);

    clock.set('2026-12-01T05:30:00.000Z'); // 08:30 in Istanbul
    expect(await scheduler.runOnce()).toEqual({ scheduled: 1, made: 1 });
    const [first] = await digestsOf(subscription);
    expect(first).toMatchObject({
      id: digestIdOf(subscription, '2026-12-01'),
      subscriptionId: subscription,
      localDate: '2026-12-01',
      timeZone: 'Europe/Istanbul',
      at: '2026-12-01T05:00:00.000Z',
      channel: 'inbox',
    });
    expect(first.queuedAt).toBeUndefined();
    expect(first.open.count).toBe(3);
    expect(
      first.open.agreements.map((g) => ({ agreement: g.agreement.id, count: g.count, severities: g.severities.map((s) => [s.severity, ids(s.alerts)]) })),
    ).toEqual([
      { agreement: offtake, count: 1, severities: [['critical', [slipped._id]]] },
      { agreement: mou, count: 2, severities: [['high', [missed._id]], ['low', [approaching._id]]] },
    ]);
    expect(first.open.agreements[1].severities[0].alerts[0]).toMatchObject({ reason: expect.stringContaining('missed its due date 2026-12-31'), links: expect.any(Object) });
    expect(ids(first.changes.raised)).toEqual(ids([missed, approaching, slipped].map((a) => ({ id: a._id }))));

    // Once: again, and again later the same day.
    expect(await scheduler.runOnce()).toEqual({ scheduled: 1, made: 0 });
    clock.advance({ hours: 6 });
    expect(await scheduler.runOnce()).toEqual({ scheduled: 1, made: 0 });
    expect(await digestsOf(subscription)).toHaveLength(1);

    // The next day: one acknowledged by the owner, one resolved, one new, and one new about last week (recorded
    // today from a back-filled report: news in today's digest, though its cause is older than yesterday's).
    await svc.as('stakeholder').post(`/alerts/${approaching._id}/ack`).send({}).expect(200);
    await alerts.resolve(missed._id, 'met', { correlationId: uuidv7() });
    const fresh = await raise(mou, 'deadline.approaching', 'medium');
    const backFilled = await raise(offtake, 'milestone.slipped', 'low', new Date('2026-11-24T09:00:00.000Z'));
    clock.set('2026-12-02T05:00:00.000Z'); // 08:00 sharp
    expect(await scheduler.runOnce()).toEqual({ scheduled: 1, made: 1 });
    const [second, before] = await digestsOf(subscription);
    expect(before.id).toBe(first.id);
    expect(second).toMatchObject({ localDate: '2026-12-02', since: '2026-12-01T05:00:00.000Z', at: '2026-12-02T05:00:00.000Z' });
    expect({ raised: ids(second.changes.raised), resolved: ids(second.changes.resolved), acknowledged: ids(second.changes.acknowledged) }).toEqual({
      raised: [fresh._id, backFilled._id].sort(),
      resolved: [missed._id],
      acknowledged: [approaching._id],
    });
    expect(second.open.count).toBe(4);
    expect(second.open.agreements[1].severities.map((s) => s.severity)).toEqual(['medium', 'low']);

    // Shown to the owner, monitors and auditors alike.
    await svc.as('monitor').get(`/digests/${second.id}`).expect(200);
    expect((await svc.as('auditor').get(`/digests/${second.id}`).expect(200)).body).toEqual(second);
  });

  it('hands a webhook subscription’s digest to the deliveries, once', async () => {
    const subscription = (
      await svc
        .as('stakeholder')
        .post('/subscriptions')
        .send({
          filters: { agreementIds: [mou] },
          channel: { type: 'webhook', url: 'http://127.0.0.1:9/digests', secret: 'a-long-random-signing-secret-0123' },
          digest: { hour: 9, timeZone: 'Europe/Istanbul' },
        })
        .expect(201)
    ).body.id as string;
    clock.set('2026-12-03T06:01:00.000Z'); // 09:01 in Istanbul
    await scheduler.runOnce();
    await scheduler.runOnce();
    const [digest] = await digestsOf(subscription);
    expect(digest).toMatchObject({ channel: 'webhook', queuedAt: '2026-12-03T06:01:00.000Z' });
    const deliveries = await svc.app.get(DeliveriesService).deliveries.find({ subscriptionId: subscription }).toArray();
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries[0].body)).toMatchObject({ kind: 'digest', digest: { id: digest.id, localDate: '2026-12-03', links: { digest: `http://localhost:3003/digests/${digest.id}` } } });
  });

  it('answers 404 for someone else’s or an unknown digest or subscription, 400 for a malformed id', async () => {
    // The admin's own subscription: someone else's for the stakeholder.
    const theirs = (
      await svc.as('admin').post('/subscriptions').send({ filters: { agreementIds: [offtake] }, channel: { type: 'inbox' }, digest: { hour: 7, timeZone: 'UTC' } }).expect(201)
    ).body.id as string;
    clock.advance({ days: 1 });
    await scheduler.runOnce();
    const digest = (await svc.as('auditor').get(`/digests?subscriptionId=${theirs}`).expect(200)).body.items[0];
    expect(digest).toMatchObject({ subscriptionId: theirs });
    await svc.as('stakeholder').get(`/digests/${digest.id}`).expect(404);
    await svc.as('stakeholder').get(`/digests?subscriptionId=${theirs}`).expect(404);
    const mine = (await svc.as('stakeholder').get('/digests?limit=100').expect(200)).body.items as Array<{ subscriptionId: string }>;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((d) => d.subscriptionId)).not.toContain(theirs);

    await svc.as('stakeholder').get(`/digests/${uuidv7()}`).expect(404);
    await svc.as('stakeholder').get(`/digests?subscriptionId=${uuidv7()}`).expect(404);
    const malformed = await svc.as('stakeholder').get('/digests?subscriptionId=nope').expect(400);
    expect(JSON.stringify(malformed.body)).toMatch(/subscriptionId must be a UUID/);
  });
});
