/**
 * The alerts pipeline against the real stack: agreement and milestone events produced on Kafka as the other
 * services publish them, the read models, the deadline scheduler driven by a TestClock, slip alerts, resolutions,
 * the inbox over HTTP, and alert.* events published to alerts.events by the outbox.
 */
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import mongoose from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { calendarDateOf, Topics, type EventEnvelope, type MilestoneEventData } from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import { Aggregates, EVENT_STORE, ReadModels, ServiceRuntime } from '@tracker/service-runtime';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, type RunningService, startService, TestClock, testConfig, uniqueName } from '@tracker/testing';
import { AlertsApp } from '../service';
import { AlertsConfig } from '../config';
import { DeadlineStore } from '../read-model/deadlines';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { AgreementLifecycle } from '../lifecycle/agreement-lifecycle';
import { AlertsService, type AlertView } from './alerts.service';
import { DeadlineScheduler } from './deadline-scheduler';

describe('alerts pipeline (Kafka → read models → scheduler → alerts → alerts.events)', () => {
  const clock = new TestClock('2026-02-01T09:00:00Z');
  const prefix = `${uniqueName('alp')}.`;
  const config = testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: prefix, ALERT_SCAN_INTERVAL_MS: '0' });
  let svc: RunningService;
  let producer: Producer;
  let consumer: Consumer;
  let scheduler: DeadlineScheduler;
  let deadlines: DeadlineStore;
  const published: EventEnvelope[] = [];
  const events = new ForeignEvents(() => clock.now());

  const agreementId = uuidv7();
  const milestoneId = uuidv7();

  const envelope = (streamId: string, type: string, data: object): EventEnvelope =>
    events.next(streamId, agreementId, type, data);

  const publish = (topic: string, e: EventEnvelope): Promise<EventEnvelope> =>
    publishEvent(producer, `${prefix}${topic}`, e);

  const milestoneEvent = <K extends keyof MilestoneEventData>(
    type: K,
    data: Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>,
  ) =>
    publish(
      Topics.milestones,
      envelope(`milestone-${milestoneId}`, type, { milestoneId, agreementId, ...data }),
    );

  const alertsOf = async (query = ''): Promise<AlertView[]> =>
    (await svc.as('auditor').get(`/alerts?milestoneId=${milestoneId}&limit=100${query}`).expect(200)).body
      .items;

  beforeAll(async () => {
    svc = await startService(AlertsApp.forRoot(config, { clock }));
    scheduler = svc.app.get(DeadlineScheduler);
    deadlines = svc.app.get(DeadlineStore);
    const kafka = new Kafka({
      clientId: 'alerts-test',
      brokers: config.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${prefix}observer` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${Topics.alerts}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        published.push(JSON.parse(message.value!.toString('utf8')) as EventEnvelope);
      },
    });

    await publish(
      Topics.agreements,
      envelope(`agreement-${agreementId}`, 'agreement.registered', {
        agreementId,
        ...agreementRegistration('TR-UZ-2026-CM', 'MoU on critical minerals and rare earths'),
        parties: [
          { country: 'TR', name: 'Türkiye' },
          { country: 'uz', name: 'Uzbekistan' },
        ],
        signedOn: '2026-01-29',
        commodities: ['rare-earth-elements'],
      }),
    );
    await milestoneEvent('milestone.planned', {
      type: 'geological_survey',
      title: 'Joint resource mapping',
      dueDate: '2026-03-31',
      evidence: [],
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await svc?.close();
  });

  it('keeps the agreement info and the milestone deadline from the events', async () => {
    const info = await eventually(() => svc.app.get(AgreementInfoStore).get(agreementId));
    expect(info).toMatchObject({
      version: 1,
      partyCountries: ['TR', 'UZ'],
      commodities: ['rare-earth-elements'],
      lifecycle: 'active',
    });
    const m = await eventually(() => deadlines.get(milestoneId));
    expect(m).toMatchObject({
      version: 1,
      agreementId,
      status: 'scheduled',
      dueDate: '2026-03-31',
      watched: true,
      slipCount: 0,
    });
  });

  it('raises nothing before the first window, then one alert per window however often it runs', async () => {
    expect(await scheduler.runOnce()).toMatchObject({ today: '2026-02-01', raised: 0 });
    clock.set('2026-03-01T06:00:00Z'); // 30 days before
    // An admin runs the scan now (POST /admin/deadline-scans) rather than waiting for the timer.
    const now = await svc.http.post('/admin/deadline-scans').set('Authorization', 'Bearer dev-admin').expect(200);
    expect(now.body).toMatchObject({ today: '2026-03-01', checked: 1, raised: 1, seconds: expect.any(Number) });
    expect(await scheduler.runOnce()).toMatchObject({ checked: 1, raised: 0 });
    clock.set('2026-03-20T06:00:00Z'); // 11 days before: still the 30-day window
    expect(await scheduler.runOnce()).toMatchObject({ raised: 0 });
    const items = await alertsOf();
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'deadline.approaching',
        severity: 'low',
        status: 'open',
        agreementId,
        milestoneId,
        milestoneType: 'geological_survey',
        milestoneTitle: 'Joint resource mapping',
        dueDate: '2026-03-31',
        window: 30,
        dedupKey: `${milestoneId}|deadline.approaching|2026-03-31|30`,
        facts: { milestoneStatus: 'scheduled', daysLeft: 30 },
        raisedAt: '2026-03-01T06:00:00.000Z',
        version: 1,
      }),
    ]);
  });

  it('is safe with several instances: three schedulers racing on their own connections raise each alert once', async () => {
    clock.set('2026-03-25T06:00:00Z'); // 6 days before: the 7-day window
    // Two more instances, each with its own connection, event store and scheduler, racing the app's own.
    const others = await Promise.all(
      [1, 2].map(() =>
        mongoose
          .createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, autoIndex: false })
          .asPromise(),
      ),
    );
    try {
      const schedulers = await Promise.all(
        others.map(async (other) => {
          const otherStore = new EventStore(other, { now: () => clock.now() });
          await otherStore.init();
          const readModels = new ReadModels(other, { refreshMs: 0 });
          await readModels.start();
          const otherDeadlines = new DeadlineStore(readModels);
          const otherAlerts = new AlertsService(otherStore, new Aggregates(otherStore, { name: 'alerts', topic: Topics.alerts, aggregates: [], projections: [], reactors: [] }, readModels), readModels);
          const otherAgreements = new AgreementInfoStore(readModels);
          return new DeadlineScheduler(clock, config, otherDeadlines, otherAlerts, otherAgreements, new AgreementLifecycle(otherAgreements, otherAlerts));
        }),
      );
      const results = await Promise.all([scheduler, ...schedulers].map((s) => s.runOnce()));
      expect(results.map((r) => r.checked)).toEqual([1, 1, 1]);
      expect(results.map((r) => r.idleAgreements)).toEqual([0, 0, 0]);
      expect(results.reduce((n, r) => n + r.raised, 0)).toBe(1);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
    const approaching = await alertsOf('&kind=deadline.approaching');
    expect(approaching.map((a) => [a.window, a.severity])).toEqual([
      [7, 'medium'],
      [30, 'low'],
    ]);
    const store = svc.app.get<EventStore>(EVENT_STORE);
    const raised = [];
    for await (const e of store.readAll({ types: ['alert.raised'], agreementId })) raised.push(e);
    expect(raised).toHaveLength(2);
  });

  it('raises a slip alert on a reschedule to a later date and closes the deadline alerts of the old date', async () => {
    await milestoneEvent('milestone.rescheduled', {
      previousDueDate: '2026-03-31',
      newDueDate: '2026-06-30',
      slipDays: 91,
      reason: 'financing approval delayed',
      slipCount: 1,
      decidedOn: '2026-03-01',
    });
    const slip = await eventually(async () => (await alertsOf('&kind=milestone.slipped'))[0]);
    expect(slip).toMatchObject({
      severity: 'high',
      status: 'open',
      dueDate: '2026-06-30',
      window: 1,
      facts: {
        previousDueDate: '2026-03-31',
        slipDays: 91,
        slipCount: 1,
        reason: 'financing approval delayed',
      },
    });
    await eventually(async () => (await alertsOf('&kind=deadline.approaching&status=resolved')).length === 2);
    expect((await alertsOf('&kind=deadline.approaching')).map((a) => a.resolution)).toEqual([
      'rescheduled',
      'rescheduled',
    ]);
    expect((await deadlines.get(milestoneId))?.dueDate).toBe('2026-06-30');
  });

  it('raises deadline.missed the day after the due date, once', async () => {
    clock.set('2026-07-01T00:00:00Z');
    expect(await scheduler.runOnce()).toMatchObject({ raised: 1 });
    expect(await scheduler.runOnce()).toMatchObject({ raised: 0 });
    const [missed] = await alertsOf('&kind=deadline.missed');
    expect(missed).toMatchObject({
      severity: 'high',
      status: 'open',
      dueDate: '2026-06-30',
      facts: { daysOverdue: 1, slipCount: 1 },
    });
  });

  it('acknowledges an alert of the stakeholder’s inbox, for itself, idempotently; unknown alerts and alerts outside its subscriptions are 404', async () => {
    const [missed] = await alertsOf('&kind=deadline.missed');
    // Not in its inbox yet: no subscription of its matches the alert.
    await svc.as('stakeholder').post(`/alerts/${missed.id}/ack`).send({}).expect(404);
    await svc.as('stakeholder').get(`/alerts/${missed.id}`).expect(404);
    await svc
      .as('stakeholder')
      .post('/subscriptions')
      .send({ filters: { agreementIds: [agreementId] }, channel: { type: 'inbox' } })
      .expect(201);
    const ack = await svc
      .as('stakeholder')
      .post(`/alerts/${missed.id}/ack`)
      .send({ note: 'asked the ministry' })
      .expect(200);
    expect(ack.body).toMatchObject({
      id: missed.id,
      status: 'acknowledged',
      mine: { state: 'acknowledged', at: expect.any(String), note: 'asked the ministry' },
      version: 2,
    });
    // Who else acknowledged is not a stakeholder's business.
    expect(ack.body).not.toHaveProperty('acknowledgements');
    expect(ack.body).not.toHaveProperty('acknowledgedBy');
    const again = await svc.as('stakeholder').post(`/alerts/${missed.id}/ack`).send({}).expect(200);
    expect(again.body).toMatchObject({ status: 'acknowledged', version: 2, mine: { state: 'acknowledged' } });
    const seen = (await svc.as('auditor').get(`/alerts/${missed.id}`).expect(200)).body;
    expect(seen).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'dev-stakeholder',
      acknowledgements: [{ by: 'dev-stakeholder', at: expect.any(String), note: 'asked the ministry' }],
      recipients: [{ by: 'dev-stakeholder', state: 'acknowledged', note: 'asked the ministry' }],
    });
    expect(seen).not.toHaveProperty('mine');
    await svc.as('auditor').get(`/alerts/${uuidv7()}`).expect(404);
    await svc.as('stakeholder').post(`/alerts/${uuidv7()}/ack`).send({}).expect(404);
    await svc.as('stakeholder').post(`/alerts/${missed.id}/ack`).send({ unknown: 1 }).expect(400);
  });

  it('closes every open alert with a resolved notice, which closes itself, when the milestone is met; the scheduler then leaves it alone', async () => {
    await milestoneEvent('milestone.met', {
      metOn: '2026-07-01',
      evidence: [{ url: 'https://example.org/map.pdf' }],
    });
    const notice = await eventually(async () => (await alertsOf('&kind=milestone.resolved'))[0]);
    expect(notice).toMatchObject({ severity: 'info', facts: { outcome: 'met', outcomeOn: '2026-07-01' } });
    // The four open alerts and the notice itself: news, not something to act on.
    await eventually(async () => (await alertsOf('&status=resolved')).length === 5);
    expect((await alertsOf('&kind=milestone.resolved'))[0]).toMatchObject({ status: 'resolved', resolution: 'met' });
    const all = await alertsOf();
    expect(all.filter((a) => a.kind !== 'milestone.resolved').map((a) => [a.kind, a.status])).toEqual(
      expect.arrayContaining([
        ['deadline.missed', 'resolved'],
        ['milestone.slipped', 'resolved'],
      ]),
    );
    expect(all.find((a) => a.kind === 'deadline.missed')?.resolution).toBe('met');
    expect((await deadlines.get(milestoneId))?.watched).toBe(false);
    clock.set('2026-08-01T00:00:00Z');
    expect(await scheduler.runOnce()).toMatchObject({ checked: 0, raised: 0 });
    // Acknowledging or snoozing a resolved alert is refused, with the reason (the stakeholder acknowledged the
    // missed deadline before: that one answers as it is).
    const slipped = all.find((a) => a.kind === 'milestone.slipped')?.id;
    const refused = await svc.as('stakeholder').post(`/alerts/${slipped}/ack`).send({}).expect(409);
    expect(refused.body.detail).toMatch(/already resolved \(met\): nothing to acknowledge/);
    const snoozed = await svc.as('stakeholder').post(`/alerts/${slipped}/snooze`).send({ until: '2026-08-02T00:00:00Z' }).expect(409);
    expect(snoozed.body.detail).toMatch(/nothing to snooze/);
    await svc.as('stakeholder').post(`/alerts/${all.find((a) => a.kind === 'deadline.missed')?.id}/ack`).send({}).expect(200);
  });

  it('re-processing old milestone events changes nothing (version guard, idempotent effects)', async () => {
    const before = await alertsOf();
    const handler = { handle: svc.app.get(ServiceRuntime).handler('milestone-deadlines') };
    const stale = envelope(`milestone-${milestoneId}`, 'milestone.rescheduled', {
      milestoneId,
      agreementId,
      previousDueDate: '2026-03-31',
      newDueDate: '2026-06-30',
      slipDays: 91,
      reason: 'financing approval delayed',
      slipCount: 1,
    });
    stale.streamVersion = 2;
    await handler.handle(stale, { correlationId: uuidv7() } as never);
    expect(await alertsOf()).toEqual(before);
    expect((await deadlines.get(milestoneId))?.status).toBe('met');
  });

  it('filters by kind, status and minimum severity, and pages newest first', async () => {
    expect((await alertsOf('&minSeverity=high')).map((a) => a.kind).sort()).toEqual([
      'deadline.missed',
      'milestone.slipped',
    ]);
    expect((await alertsOf('&status=open')).map((a) => a.kind)).toEqual([]);
    expect((await alertsOf('&status=resolved')).map((a) => a.kind)).toContain('milestone.resolved');
    const first = await svc.as('monitor').get(`/alerts?agreementId=${agreementId}&limit=3`).expect(200);
    expect(first.body.items).toHaveLength(3);
    const second = await svc
      .as('monitor')
      .get(`/alerts?agreementId=${agreementId}&limit=3&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body).toMatchObject({ nextCursor: null });
    const all = [...first.body.items, ...second.body.items] as AlertView[];
    expect(all).toHaveLength(5);
    expect(all.map((a) => a.recordedAt)).toEqual([...all.map((a) => a.recordedAt)].sort().reverse());
    await svc.as('monitor').get('/alerts?minSeverity=huge').expect(400);
    await svc.as('monitor').get('/alerts?agreementId=nope').expect(400);
  });

  it('serves the inbox of a subscription: only the alerts its filters match, only to its owner (and auditors)', async () => {
    const subscribe = async (filters: object) =>
      (
        await svc
          .as('stakeholder')
          .post('/subscriptions')
          .send({ filters, channel: { type: 'inbox' } })
          .expect(201)
      ).body.id as string;
    const inbox = async (id: string, query = '', role: 'stakeholder' | 'auditor' = 'stakeholder') =>
      (
        (await svc.as(role).get(`/alerts?subscriptionId=${id}&limit=100${query}`).expect(200)).body
          .items as AlertView[]
      )
        .map((a) => a.kind)
        .sort();

    const uzSerious = await subscribe({
      partyCountries: ['UZ'],
      commodities: ['Rare-Earth-Elements'],
      kinds: ['deadline.missed', 'milestone.slipped', 'deadline.approaching'],
      minSeverity: 'medium',
    });
    expect(await inbox(uzSerious)).toEqual(['deadline.approaching', 'deadline.missed', 'milestone.slipped']);
    expect(await inbox(uzSerious, '&kind=deadline.missed')).toEqual(['deadline.missed']);
    expect(await inbox(uzSerious, '&minSeverity=high')).toEqual(['deadline.missed', 'milestone.slipped']);
    expect(await inbox(uzSerious, '', 'auditor')).toHaveLength(3);
    expect(await inbox(await subscribe({ partyCountries: ['US'] }))).toEqual([]);
    expect(await inbox(await subscribe({ commodities: ['lithium'] }))).toEqual([]);
    expect(await inbox(await subscribe({ milestoneTypes: ['refinery'] }))).toEqual([]);
    expect(
      await inbox(
        await subscribe({
          agreementIds: [agreementId],
          milestoneTypes: ['geological_survey'],
          kinds: ['milestone.resolved'],
        }),
      ),
    ).toEqual(['milestone.resolved']);
    await svc.as('stakeholder').get(`/alerts?subscriptionId=${uuidv7()}`).expect(404);
    await svc.as('monitor').get(`/alerts?subscriptionId=${uzSerious}`).expect(404);
  });

  it('publishes every alert event to alerts.events, keyed by the agreement', async () => {
    await eventually(
      () =>
        published.filter((e) => e.type === 'alert.raised').length === 5 &&
        published.filter((e) => e.type === 'alert.resolved').length === 5,
    );
    expect(published.filter((e) => e.type === 'alert.acknowledged')).toHaveLength(1);
    expect(new Set(published.map((e) => e.agreementId))).toEqual(new Set([agreementId]));
    expect(published.every((e) => e.streamId.startsWith('alert-') && e.schemaVersion === 1)).toBe(true);
  });

  it('raises agreement.stalled once the agreement saw no milestone progress for 180 days, once', async () => {
    // The last progress was the milestone met on 2026-07-01.
    expect((await svc.app.get(AgreementInfoStore).get(agreementId))?.lastActivityAt).toBe(
      '2026-07-01T00:00:00.000Z',
    );
    clock.set('2026-12-27T23:00:00Z'); // 179 days
    expect(await scheduler.runOnce()).toMatchObject({ idleAgreements: 0, raised: 0 });
    clock.set('2026-12-28T01:00:00Z'); // 180 days
    expect(await scheduler.runOnce()).toMatchObject({ idleAgreements: 1, raised: 1 });
    expect(await scheduler.runOnce()).toMatchObject({ idleAgreements: 1, raised: 0 });
    const stalled = (
      await svc.as('auditor').get(`/alerts?agreementId=${agreementId}&kind=agreement.stalled`).expect(200)
    ).body.items;
    expect(stalled).toEqual([
      expect.objectContaining({
        kind: 'agreement.stalled',
        severity: 'medium',
        status: 'open',
        milestoneId: null,
        window: 180,
        dedupKey: `${agreementId}|agreement.stalled|2026-07-01|180`,
        facts: { lastActivityAt: '2026-07-01T00:00:00.000Z', idleDays: 180 },
      }),
    ]);
  });

  it('leaves a milestone whose raise fails for the next scan and raises the others; three failures in a row end the scan', async () => {
    const dueSoon = calendarDateOf(new Date(clock.now().getTime() + 3 * 86_400_000));
    const ids = [uuidv7(), uuidv7(), uuidv7()];
    for (const id of ids) {
      await publish(
        Topics.milestones,
        envelope(`milestone-${id}`, 'milestone.planned', { milestoneId: id, agreementId, type: 'refinery', title: `Refinery ${id.slice(-4)}`, dueDate: dueSoon, evidence: [] }),
      );
    }
    await eventually(async () => (await Promise.all(ids.map((id) => deadlines.get(id)))).every(Boolean));
    const lifecycle = svc.app.get(AgreementLifecycle);
    const raise = lifecycle.raise.bind(lifecycle);
    const [bad] = ids;
    const spy = jest.spyOn(lifecycle, 'raise').mockImplementation(async (draft, ...rest) => {
      if (draft.milestoneId === bad) throw new Error('this milestone cannot be raised');
      return raise(draft, ...rest);
    });
    try {
      expect(await scheduler.runOnce()).toMatchObject({ raised: 2, failed: 1 });
      spy.mockImplementation(async () => {
        throw new Error('the database is down');
      });
      await expect(scheduler.runOnce()).rejects.toThrow('the database is down');
    } finally {
      spy.mockRestore();
    }
    // The next scan raises what was left.
    expect(await scheduler.runOnce()).toMatchObject({ raised: 1, failed: 0 });
    const raised = await Promise.all(ids.map(async (id) => (await svc.as('auditor').get(`/alerts?milestoneId=${id}`).expect(200)).body.items.length));
    expect(raised).toEqual([1, 1, 1]);
  });
});
