/**
 * The agreement-wide history and as-of view, against the real stack: a scripted life of one agreement at known
 * clock times, its milestones' and alerts' events published on their topics as the other services would.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type Actor, type EventEnvelope } from '@tracker/contracts';
import { ReadModels } from '@tracker/service-runtime';
import { TestClock, eventually, startService, testConfig, uniqueName, type RunningService, ForeignEvents, publishEvent, trUzMemorandum } from '@tracker/testing';
import { AgreementsApp } from '../service';
import { AgreementsConfig } from '../config';
import { agreementJournalProjection, JOURNAL, type JournalEntryDoc } from './agreement-journal';

interface Item {
  source: string;
  eventId: string;
  type: string;
  streamId: string;
  streamVersion: number;
  position: number;
  recordedAt: string;
  actor: Actor;
  data: Record<string, unknown>;
}

const T = {
  registered: '2026-02-01T09:00:00.000Z',
  amended: '2026-02-10T09:00:00.000Z',
  planned: '2026-03-01T09:00:00.000Z',
  started: '2026-04-01T09:00:00.000Z',
  progress: '2026-05-01T09:00:00.000Z',
  alertRaised: '2026-06-15T09:00:00.000Z',
  rescheduled: '2026-06-20T09:00:00.000Z',
  alertResolved: '2026-06-21T09:00:00.000Z',
  met: '2026-08-15T09:00:00.000Z',
  secondAlert: '2026-09-01T09:00:00.000Z',
  acknowledged: '2026-09-02T09:00:00.000Z',
};

const MONITOR: Actor = { id: 'dev-monitor', role: 'monitor' };
const ALERTS_SERVICE: Actor = { id: 'alerts-service', role: 'system' };

describe('agreement history and as-of view', () => {
  const clock = new TestClock(T.registered);
  const prefix = `${uniqueName('hist')}.`;
  let svc: RunningService;
  let producer: Producer;
  let id: string;
  const milestoneA = uuidv7();
  const milestoneB = uuidv7();
  const alertX = uuidv7();
  const alertY = uuidv7();
  let startedEnvelope: EventEnvelope;

  const foreign = new ForeignEvents(() => clock.now());
  const positions = { milestones: 0, alerts: 0 };
  const milestoneEvent = (
    milestoneId: string,
    type: string,
    data: object,
    position = ++positions.milestones,
  ) =>
    foreign.next(
      `milestone-${milestoneId}`,
      id,
      type,
      { milestoneId, agreementId: id, ...data },
      { actor: MONITOR, position },
    );
  const alertEvent = (alertId: string, type: string, data: object, actor: Actor = ALERTS_SERVICE) =>
    foreign.next(
      `alert-${alertId}`,
      id,
      type,
      { alertId, agreementId: id, ...data },
      { actor, position: ++positions.alerts },
    );
  const sendMilestone = (e: EventEnvelope) => publishEvent(producer, `${prefix}${Topics.milestones}`, e);
  const sendAlert = (e: EventEnvelope) => publishEvent(producer, `${prefix}${Topics.alerts}`, e);

  const history = (query = '') =>
    svc.as('auditor').get(`/agreements/${id}/history${query ? `?${query}` : ''}`);
  const all = async (query = ''): Promise<Item[]> => {
    const res = await history(['limit=1000', query].filter(Boolean).join('&')).expect(200);
    return res.body.items;
  };
  const asOf = (at: string) => svc.as('auditor').get(`/agreements/${id}/as-of?at=${encodeURIComponent(at)}`);
  const statusIs = (status: string) =>
    eventually(async () => (await svc.as('monitor').get(`/agreements/${id}`)).body.status === status);

  beforeAll(async () => {
    svc = await startService(
      AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
    const kafka = new Kafka({
      clientId: 'test',
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      logLevel: logLevel.ERROR,
    });
    producer = kafka.producer();
    await producer.connect();

    const registered = await svc
      .as('monitor')
      .post('/agreements')
      .send(trUzMemorandum('TR-UZ-2026-HISTORY', { title: 'Memorandum on critical minerals' }))
      .expect(201);
    id = registered.body.id;

    clock.set(T.amended);
    await svc
      .as('monitor')
      .post(`/agreements/${id}/amend`)
      .set('If-Match', '"1"')
      .send({ title: 'Memorandum of Understanding on critical minerals and rare earths' })
      .expect(200);

    clock.set(T.planned);
    // B is built and sent first but holds the later position: recorded at the same time, position decides.
    const plannedB = milestoneEvent(
      milestoneB,
      'milestone.planned',
      { type: 'financing', title: 'Financing line', dueDate: '2026-09-30', evidence: [] },
      2,
    );
    const plannedA = milestoneEvent(
      milestoneA,
      'milestone.planned',
      { type: 'processing_plant', title: 'Lithium plant', dueDate: '2026-06-30', evidence: [] },
      1,
    );
    positions.milestones = 2;
    await sendMilestone(plannedB);
    await sendMilestone(plannedA);

    // Each step that moves the derived status waits for it, so its agreement.status-derived is recorded at that step's time.
    clock.set(T.started);
    startedEnvelope = milestoneEvent(milestoneA, 'milestone.started', { startedOn: '2026-04-01' });
    await sendMilestone(startedEnvelope);
    await sendMilestone(startedEnvelope); // redelivered
    await statusIs('inImplementation');

    clock.set(T.progress);
    await sendMilestone(
      milestoneEvent(milestoneA, 'milestone.progress-reported', { percent: 40, evidence: [] }),
    );

    clock.set(T.alertRaised);
    await sendAlert(
      alertEvent(alertX, 'alert.raised', {
        dedupKey: `${milestoneA}|deadline.approaching|2026-06-30|30`,
        kind: 'deadline.approaching',
        severity: 'medium',
        milestoneId: milestoneA,
        milestoneType: 'processing_plant',
        milestoneTitle: 'Lithium plant',
        dueDate: '2026-06-30',
        window: 30,
        facts: { daysLeft: 15, milestoneStatus: 'inProgress' },
      }),
    );

    clock.set(T.rescheduled);
    await sendMilestone(
      milestoneEvent(milestoneA, 'milestone.rescheduled', {
        previousDueDate: '2026-06-30',
        newDueDate: '2026-08-31',
        slipDays: 62,
        reason: 'permits delayed',
        slipCount: 1,
      }),
    );

    clock.set(T.alertResolved);
    await sendAlert(alertEvent(alertX, 'alert.resolved', { resolution: 'rescheduled' }));

    clock.set(T.met);
    await sendMilestone(
      milestoneEvent(milestoneA, 'milestone.met', {
        metOn: '2026-08-14',
        evidence: [{ url: 'https://example.org/plant.pdf' }],
      }),
    );
    await statusIs('delivering');

    clock.set(T.secondAlert);
    await sendAlert(
      alertEvent(alertY, 'alert.raised', {
        dedupKey: `${milestoneB}|deadline.approaching|2026-09-30|30`,
        kind: 'deadline.approaching',
        severity: 'medium',
        milestoneId: milestoneB,
        milestoneType: 'financing',
        milestoneTitle: 'Financing line',
        dueDate: '2026-09-30',
        window: 30,
        facts: { daysLeft: 29, milestoneStatus: 'scheduled' },
      }),
    );
    clock.set(T.acknowledged);
    await sendAlert(
      alertEvent(
        alertY,
        'alert.acknowledged',
        { by: 'dev-stakeholder' },
        { id: 'dev-stakeholder', role: 'stakeholder' },
      ),
    );

    // 4 of the agreement (registered, amended, two status-derived), 6 of its milestones, 4 of its alerts.
    await eventually(async () => (await all()).length === 14, { timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  describe('GET /agreements/{id}/history', () => {
    it('merges the three services’ events in recorded order, ties by source then position, each once', async () => {
      const items = await all();
      expect(items.map((e) => [e.recordedAt, e.source, e.type])).toEqual([
        [T.registered, 'agreements', 'agreement.registered'],
        [T.amended, 'agreements', 'agreement.amended'],
        [T.planned, 'milestones', 'milestone.planned'],
        [T.planned, 'milestones', 'milestone.planned'],
        [T.started, 'agreements', 'agreement.status-derived'],
        [T.started, 'milestones', 'milestone.started'],
        [T.progress, 'milestones', 'milestone.progress-reported'],
        [T.alertRaised, 'alerts', 'alert.raised'],
        [T.rescheduled, 'milestones', 'milestone.rescheduled'],
        [T.alertResolved, 'alerts', 'alert.resolved'],
        [T.met, 'agreements', 'agreement.status-derived'],
        [T.met, 'milestones', 'milestone.met'],
        [T.secondAlert, 'alerts', 'alert.raised'],
        [T.acknowledged, 'alerts', 'alert.acknowledged'],
      ]);
      expect(items.slice(2, 4).map((e) => e.data.milestoneId)).toEqual([milestoneA, milestoneB]);
      expect(items.filter((e) => e.eventId === startedEnvelope.eventId)).toHaveLength(1);
    });

    it('carries who recorded what, when, and the hash chain of the agreement’s own stream', async () => {
      const items = await all('source=agreements');
      expect(Object.keys(items[0]).sort()).toEqual(
        [
          'source',
          'eventId',
          'type',
          'schemaVersion',
          'streamId',
          'streamVersion',
          'position',
          'recordedAt',
          'occurredAt',
          'actor',
          'correlationId',
          'causationId',
          'hash',
          'prevHash',
          'data',
        ].sort(),
      );
      expect(items[0]).toMatchObject({
        streamId: `agreement-${id}`,
        streamVersion: 1,
        actor: MONITOR,
        prevHash: null,
      });
      expect(items[1].streamVersion).toBe(2);
      expect((items[1] as unknown as { prevHash: string }).prevHash).toBe(
        (items[0] as unknown as { hash: string }).hash,
      );
      const derived = items[2] as unknown as { actor: Actor; causationId: string };
      expect(derived.actor).toEqual({ id: 'agreements-service', role: 'system' });
      expect(derived.causationId).toBe(startedEnvelope.eventId);
      // The same events, as GET /agreements/{id}/events gives them.
      const own = await svc.as('auditor').get(`/agreements/${id}/events`).expect(200);
      expect(items.map((e) => e.eventId)).toEqual(own.body.items.map((e: EventEnvelope) => e.eventId));
    });

    const filters: Array<[string, string, string[]]> = [
      [
        'a time range, both ends inclusive',
        `from=${T.started}&to=${T.alertResolved}`,
        [
          'agreement.status-derived',
          'milestone.started',
          'milestone.progress-reported',
          'alert.raised',
          'milestone.rescheduled',
          'alert.resolved',
        ],
      ],
      [
        'a time with an offset',
        `from=${encodeURIComponent('2026-09-01T11:00:00+02:00')}`,
        ['alert.raised', 'alert.acknowledged'],
      ],
      ['up to a time', `to=${T.amended}`, ['agreement.registered', 'agreement.amended']],
      ['one type', 'type=milestone.planned', ['milestone.planned', 'milestone.planned']],
      [
        'several types',
        'type=alert.raised,agreement.amended',
        ['agreement.amended', 'alert.raised', 'alert.raised'],
      ],
      ['an actor', 'actor=agreements-service', ['agreement.status-derived', 'agreement.status-derived']],
      ['another actor', 'actor=dev-stakeholder', ['alert.acknowledged']],
      ['a source', 'source=alerts', ['alert.raised', 'alert.resolved', 'alert.raised', 'alert.acknowledged']],
      [
        'several filters at once',
        `source=milestones&type=milestone.met,milestone.planned&from=${T.started}`,
        ['milestone.met'],
      ],
      ['filters that match nothing', 'actor=nobody', []],
    ];
    it.each(filters)('filters by %s', async (_name, query, types) => {
      expect((await all(query)).map((e) => e.type)).toEqual(types);
    });

    it('pages with an opaque cursor, filters kept', async () => {
      const everything = await all();
      const seen: Item[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body: { items: Item[]; nextCursor: string | null } = (
          await history(`limit=5${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
        ).body;
        seen.push(...body.items);
        cursor = body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.map((e) => e.eventId)).toEqual(everything.map((e) => e.eventId));

      const first = await history('source=alerts&limit=3').expect(200);
      const rest = await history(`source=alerts&limit=3&cursor=${first.body.nextCursor}`).expect(200);
      expect(rest.body.items.map((e: Item) => e.type)).toEqual(['alert.acknowledged']);
      expect(rest.body.nextCursor).toBeNull();
      expect((await history('limit=14').expect(200)).body.nextCursor).toBeNull();
    });

    it('records a redelivered event once, live and through the replay’s projection', async () => {
      const readModels = svc.app.get(ReadModels);
      await agreementJournalProjection.apply(readModels, startedEnvelope);
      await agreementJournalProjection.apply(readModels, startedEnvelope);
      // The replay's chunks: one event already recorded, one twice in the same chunk.
      await agreementJournalProjection.applyMany!(readModels, [startedEnvelope, startedEnvelope]);
      expect((await all()).filter((e) => e.eventId === startedEnvelope.eventId)).toHaveLength(1);
    });

    it('is rebuilt by the replay’s projection into the same documents', async () => {
      const readModels = svc.app.get(ReadModels);
      const live = await readModels
        .collection<JournalEntryDoc>(JOURNAL)
        .find({ agreementId: id })
        .sort({ _id: 1 })
        .toArray();
      const generation = await readModels.newGeneration([JOURNAL], uniqueName('journal'));
      try {
        const envelopes = live.map(({ _id, source: _source, at: _at, sortKey: _sortKey, ...envelope }) => envelope as unknown as EventEnvelope);
        // As a replay hands them over: in chunks, with redeliveries (each event twice, once in another chunk).
        await agreementJournalProjection.applyMany!(generation, envelopes.slice(0, 3));
        await agreementJournalProjection.applyMany!(generation, envelopes);
        for (const envelope of envelopes) await agreementJournalProjection.apply(generation, envelope);
        const rebuilt = await generation
          .collection<JournalEntryDoc>(JOURNAL)
          .find({})
          .sort({ _id: 1 })
          .toArray();
        expect(rebuilt).toEqual(live);
      } finally {
        await readModels.drop([...generation.physical.values()]);
      }
    });

    it('answers 404 for an unknown agreement', async () => {
      const res = await svc.as('auditor').get(`/agreements/${uuidv7()}/history`).expect(404);
      expect(res.body.detail).toMatch(/not found/);
    });

    const badQueries: Array<[string, string]> = [
      ['from=yesterday', 'from'],
      ['to=2026-02-30T00:00:00Z', 'to'],
      [`from=${T.met}&to=${T.started}`, 'to'],
      ['type=milestone.finished', 'type'],
      ['type=milestone.met&type=alert.raised', 'type'],
      ['actor=a%20b', 'actor'],
      ['source=elsewhere', 'source'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['cursor=not%20a%20cursor', 'cursor'],
      ['unknown=1', 'unknown'],
      ['type[$ne]=x', 'type[$ne]'],
    ];
    it.each(badQueries)('refuses %s with 400 naming the field', async (query, field) => {
      const res = await history(query).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('says which types are unknown, and that several go comma-separated', async () => {
      const unknown = await history('type=milestone.met,milestone.finished').expect(400);
      expect(unknown.body.errors).toEqual([
        { field: 'type', message: expect.stringMatching(/unknown event types \(milestone\.finished\)/) },
      ]);
      const repeated = await history('type=milestone.met&type=alert.raised').expect(400);
      expect(repeated.body.errors).toEqual([
        { field: 'type', message: expect.stringMatching(/separate several types with commas/) },
      ]);
    });

    it('is for auditors (and admins): monitors and stakeholders are refused', async () => {
      await svc.as('admin').get(`/agreements/${id}/history`).expect(200);
      await svc.as('monitor').get(`/agreements/${id}/history`).expect(403);
      await svc.as('stakeholder').get(`/agreements/${id}/history`).expect(403);
    });
  });

  describe('GET /agreements/{id}/as-of', () => {
    it('answers 404 before the registration, saying so, and for an unknown agreement', async () => {
      const before = await asOf('2026-01-15T00:00:00Z').expect(404);
      expect(before.body.detail).toMatch(/not yet registered at 2026-01-15T00:00:00.000Z/);
      const unknown = await svc.as('auditor').get(`/agreements/${uuidv7()}/as-of?at=${T.met}`).expect(404);
      expect(unknown.body.detail).toMatch(/not found/);
    });

    it('at the registration instant: the agreement as registered, nothing else yet', async () => {
      const res = await asOf(T.registered).expect(200);
      expect(res.body).toMatchObject({
        asOf: T.registered,
        agreement: {
          id,
          version: 1,
          title: 'Memorandum on critical minerals',
          status: 'signed',
          lifecycle: 'active',
          implementationStatus: 'signed',
          milestones: { planned: 0, met: 0, nextDueDate: null },
          // Activity in business time (issue 15): the signing, on 29 January, however late it was typed in.
          lastActivityAt: '2026-01-29T00:00:00.000Z',
        },
        milestones: [],
        openAlerts: [],
      });
    });

    it('after the amendment and the planning: both milestones scheduled, still signed', async () => {
      const res = await asOf('2026-03-15T00:00:00Z').expect(200);
      expect(res.body.agreement).toMatchObject({
        version: 2,
        title: 'Memorandum of Understanding on critical minerals and rare earths',
        status: 'signed',
        milestones: { planned: 2, inProgress: 0, nextDueDate: '2026-06-30' },
      });
      expect(res.body.milestones).toEqual([
        {
          id: milestoneA,
          title: 'Lithium plant',
          type: 'processing_plant',
          status: 'scheduled',
          dueDate: '2026-06-30',
          plannedDueDate: '2026-06-30',
          slipCount: 0,
          percent: 0,
          outcomeOn: null,
          version: 1,
        },
        expect.objectContaining({ id: milestoneB, title: 'Financing line', status: 'scheduled', version: 1 }),
      ]);
      // The agreement part is what GET /agreements/{id}?asOf= says of that time.
      const alone = await svc.as('auditor').get(`/agreements/${id}?asOf=2026-03-15T00:00:00Z`).expect(200);
      const { asOf: _asOf, ...agreement } = alone.body;
      expect(res.body.agreement).toMatchObject(agreement);
    });

    it('after the start and a progress report: in implementation, 40 %', async () => {
      const started = await asOf('2026-04-15T00:00:00Z').expect(200);
      expect(started.body.agreement).toMatchObject({
        version: 3,
        status: 'inImplementation',
        milestones: { inProgress: 1 },
      });
      expect(started.body.milestones[0]).toMatchObject({ status: 'inProgress', percent: 0, version: 2 });
      const progressed = await asOf('2026-05-15T00:00:00Z').expect(200);
      expect(progressed.body.milestones[0]).toMatchObject({ status: 'inProgress', percent: 40, version: 3 });
    });

    it('an alert is open from the instant it was raised until it was resolved', async () => {
      expect((await asOf('2026-06-15T08:59:59.999Z').expect(200)).body.openAlerts).toEqual([]);
      const raised = await asOf(T.alertRaised).expect(200);
      expect(raised.body.openAlerts).toEqual([
        {
          id: alertX,
          kind: 'deadline.approaching',
          severity: 'medium',
          status: 'open',
          milestoneId: milestoneA,
          milestoneTitle: 'Lithium plant',
          dueDate: '2026-06-30',
          window: 30,
          raisedAt: T.alertRaised,
          acknowledgedAt: null,
        },
      ]);
      const slipped = await asOf('2026-06-20T12:00:00Z').expect(200);
      expect(slipped.body.openAlerts.map((a: { id: string }) => a.id)).toEqual([alertX]);
      expect(slipped.body.milestones[0]).toMatchObject({
        dueDate: '2026-08-31',
        plannedDueDate: '2026-06-30',
        slipCount: 1,
      });
      expect(slipped.body.agreement.milestones).toMatchObject({ slipped: 1, nextDueDate: '2026-08-31' });
      expect((await asOf(T.alertResolved).expect(200)).body.openAlerts).toEqual([]);
    });

    it('after the outcome: delivering, met, 100 %', async () => {
      const res = await asOf('2026-08-20T00:00:00Z').expect(200);
      expect(res.body.agreement).toMatchObject({
        version: 4,
        status: 'delivering',
        implementationStatus: 'delivering',
        milestones: { planned: 2, met: 1, inProgress: 0, missed: 0, nextDueDate: '2026-09-30' },
        lastActivityAt: T.met,
      });
      expect(res.body.milestones[0]).toMatchObject({
        status: 'met',
        percent: 100,
        outcomeOn: '2026-08-14',
        version: 5,
      });
    });

    it('after everything: the acknowledged alert is still open; later, the idle agreement is stalled and B missed', async () => {
      const res = await asOf('2026-09-10T00:00:00Z').expect(200);
      expect(res.body.openAlerts).toEqual([
        expect.objectContaining({
          id: alertY,
          status: 'acknowledged',
          raisedAt: T.secondAlert,
          acknowledgedAt: T.acknowledged,
        }),
      ]);
      const later = await asOf('2027-06-01T00:00:00Z').expect(200);
      expect(later.body.agreement).toMatchObject({ status: 'stalled', milestones: { missed: 1, met: 1 } });
    });

    const badQueries: Array<[string, string]> = [
      ['', 'at'],
      ['at=yesterday', 'at'],
      ['at=2026-02-30T00:00:00Z', 'at'],
      ['at=2026-03-01T25:00:00Z', 'at'],
      [`at=${T.met}&asOf=${T.met}`, 'asOf'],
    ];
    it.each(badQueries)('refuses ?%s with 400 naming the field', async (query, field) => {
      const res = await svc.as('auditor').get(`/agreements/${id}/as-of?${query}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('is for every reader, as ?asOf= is', async () => {
      for (const role of ['auditor', 'monitor', 'stakeholder', 'admin'] as const) {
        await svc.as(role).get(`/agreements/${id}/as-of?at=${T.met}`).expect(200);
      }
      await svc.http.get(`/agreements/${id}/as-of?at=${T.met}`).expect(401);
    });
  });

  it('documents both routes in OpenAPI', async () => {
    const docs = await svc.http.get('/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/agreements/{id}/history', '/agreements/{id}/as-of']),
    );
    const params = docs.body.paths['/agreements/{id}/history'].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(params).toEqual(
      expect.arrayContaining(['from', 'to', 'type', 'actor', 'source', 'limit', 'cursor']),
    );
  });
});
