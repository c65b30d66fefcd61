/**
 * The milestones service through HTTP and Kafka, against the real stack. Agreements exist here only as events
 * on `agreements.events`, produced by the test as the agreements service would.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type EventEnvelope } from '@tracker/contracts';
import { agreementRegistration, TestClock, eventually, startService, testConfig, uniqueName, type RunningService, ForeignEvents, publishEvent } from '@tracker/testing';
import { MilestonesApp } from '../service';
import { MilestonesConfig } from '../config';

describe('milestones service (HTTP + Kafka)', () => {
  const clock = new TestClock('2026-02-01T09:00:00Z');
  const prefix = `${uniqueName('ms')}.`;
  let svc: RunningService;
  let producer: Producer;
  const events = new ForeignEvents(() => clock.now());

  /** Publishes an agreement event the way the agreements service does. */
  async function agreementEvent(agreementId: string, type: string, data: object): Promise<void> {
    const envelope = events.next(`agreement-${agreementId}`, agreementId, type, { agreementId, ...data });
    await publishEvent(producer, `${prefix}${Topics.agreements}`, envelope);
  }

  const registered = (reference: string, title: string) => agreementRegistration(reference, title);

  const trUz = uuidv7();
  const terminated = uuidv7();

  beforeAll(async () => {
    svc = await startService(
      MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
    const kafka = new Kafka({
      clientId: 'test',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.ERROR,
    });
    producer = kafka.producer();
    await producer.connect();
    await agreementEvent(
      trUz,
      'agreement.registered',
      registered('TR-UZ-2026-MINING', 'MoU on cooperation in the mining sector'),
    );
    await agreementEvent(
      terminated,
      'agreement.registered',
      registered('TR-NE-MINING', 'MoU on mineral exploration'),
    );
    await agreementEvent(terminated, 'agreement.terminated', { reason: 'withdrawn' });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  const survey = {
    type: 'geological_survey',
    title: 'Joint exploration and resource-mapping programme launched',
    responsibleParty: 'State Committee on Geology',
    expectedOutcome: {
      description: 'Resource map of three regions',
      quantity: { amount: 3, unit: 'regions' },
    },
    dueDate: '2026-12-31',
  };
  const plan = (body: object) => svc.as('monitor').post('/milestones').send(body);
  let surveyId: string;

  it('plans a milestone for an agreement known only from its Kafka event', async () => {
    const res = await eventually(async () => {
      const r = await plan({ ...survey, agreementId: trUz });
      if (r.status !== 201) throw new Error(`planning answered ${r.status}, expected 201`);
      return r;
    });
    surveyId = res.body.id;
    expect(res.headers.location).toBe(`/milestones/${surveyId}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      status: 'scheduled',
      dueDate: '2026-12-31',
      slipCount: 0,
      agreementId: trUz,
    });
  });

  it('refuses an unknown agreement (422) and a terminated one (409)', async () => {
    const unknown = await plan({ ...survey, agreementId: uuidv7() }).expect(422);
    expect(unknown.body.detail).toMatch(/unknown/);
    const refused = await eventually(async () => {
      const r = await plan({ ...survey, agreementId: terminated });
      if (r.status !== 409) throw new Error(`planning answered ${r.status}, expected 409`);
      return r;
    });
    expect(refused.body.detail).toMatch(/terminated/);
  });

  const invalid: Array<[string, object, string]> = [
    ['an unknown type', { ...survey, type: 'party' }, 'type'],
    ['an impossible due date', { ...survey, dueDate: '2026-02-30' }, 'dueDate'],
    ['a missing title', { ...survey, title: undefined }, 'title'],
    ['an agreement id that is not a UUID', { ...survey, agreementId: 'TR-UZ' }, 'agreementId'],
    [
      'a negative quantity',
      { ...survey, expectedOutcome: { description: 'x', quantity: { amount: -1, unit: 't' } } },
      'expectedOutcome.quantity.amount',
    ],
    ['evidence that is not a URL', { ...survey, evidence: [{ url: 'not a url' }] }, 'evidence[0].url'],
    ['an unknown field', { ...survey, priority: 'high' }, 'priority'],
    ['a Mongo operator key', { ...survey, $where: 'sleep(1000)' }, '$where'],
  ];
  it.each(invalid)('refuses %s with 400 naming the field', async (_name, body, field) => {
    const res = await plan({ agreementId: trUz, ...body }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('records a sequence of reschedules with their slip days, and says when it slipped three times', async () => {
    const steps: Array<[string, number]> = [
      ['2027-03-31', 90],
      ['2027-06-30', 91],
      ['2027-05-31', -30],
      ['2027-09-30', 122],
    ];
    let version = 1;
    for (const [newDueDate, slipDays] of steps) {
      const res = await svc
        .as('monitor')
        .post(`/milestones/${surveyId}/reschedule`)
        .set('If-Match', `"${version}"`)
        .send({ newDueDate, reason: 'funding approval delayed' })
        .expect(200);
      version = res.body.version;
      expect(res.body.slips.at(-1)).toMatchObject({ newDueDate, slipDays });
    }
    const res = await svc.as('stakeholder').get(`/milestones/${surveyId}`).expect(200);
    expect(res.body).toMatchObject({
      dueDate: '2027-09-30',
      plannedDueDate: '2026-12-31',
      slipCount: 3,
      repeatedlySlipped: true,
    });
    expect(res.body.slips.map((s: { slipDays: number }) => s.slipDays)).toEqual([90, 91, -30, 122]);
    await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/reschedule`)
      .set('If-Match', '"1"')
      .send({ newDueDate: '2028-01-01', reason: 'stale' })
      .expect(409);
    await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/reschedule`)
      .send({ newDueDate: '2028-01-01', reason: 'no version' })
      .expect(428);
  });

  it('reports progress, refuses met without evidence (409), then marks it met with evidence', async () => {
    clock.set('2026-06-01T09:00:00Z');
    const progress = await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/progress`)
      .set('If-Match', '"5"')
      .send({
        percent: 60,
        note: 'two regions mapped',
        evidence: [{ url: 'https://example.org/interim.pdf' }],
      })
      .expect(200);
    expect(progress.body).toMatchObject({ status: 'inProgress', percent: 60, version: 6 });
    const refused = await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/met`)
      .set('If-Match', '"6"')
      .send({ metOn: '2026-05-30' })
      .expect(409);
    expect(refused.body.detail).toMatch(/requires evidence/);
    await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/met`)
      .set('If-Match', '"6"')
      .send({ metOn: '2026-07-01', evidence: [{ url: 'https://example.org/final.pdf' }] })
      // An outcome date in the future: a business time refused by a rule (422, ADR 0008; 400 before).
      .expect(422);
    const met = await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/met`)
      .set('If-Match', '"6"')
      .send({
        metOn: '2026-05-30',
        evidence: [{ url: 'https://example.org/final.pdf', title: 'Final report' }],
      })
      .expect(200);
    expect(met.body).toMatchObject({ status: 'met', outcomeOn: '2026-05-30', percent: 100 });
    const late = await svc
      .as('monitor')
      .post(`/milestones/${surveyId}/progress`)
      .set('If-Match', '"7"')
      .send({ percent: 70 })
      .expect(409);
    expect(late.body.detail).toMatch(/already met/);
  });

  it('filters the list and pages it', async () => {
    const training = await plan({
      agreementId: trUz,
      type: 'workforce_training',
      title: 'Common training standards',
      dueDate: '2026-03-31',
    }).expect(201);
    const jv = await plan({
      agreementId: trUz,
      type: 'joint_venture',
      title: 'First joint venture registered',
      dueDate: '2027-12-31',
    }).expect(201);
    await svc
      .as('monitor')
      .post(`/milestones/${jv.body.id}/cancel`)
      .set('If-Match', '"1"')
      .send({ reason: 'merged into another venture' })
      .expect(200);
    const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((m) => m.id);
    const q = (query: string) => svc.as('auditor').get(`/milestones?${query}`).expect(200);
    expect(ids(await q(`agreementId=${trUz}`))).toEqual([surveyId, training.body.id, jv.body.id]);
    expect(ids(await q('type=joint_venture'))).toEqual([jv.body.id]);
    expect(ids(await q('status=met'))).toEqual([surveyId]);
    expect(ids(await q('dueBefore=2026-04-01'))).toEqual([training.body.id]);
    expect(ids(await q('dueAfter=2027-10-01'))).toEqual([jv.body.id]);
    expect(ids(await q('slipped=true'))).toEqual([surveyId]);
    expect(ids(await q('overdue=true'))).toEqual([training.body.id]);
    const page1 = await q('limit=2');
    const page2 = await q(`limit=2&cursor=${page1.body.nextCursor}`);
    expect([...ids(page1), ...ids(page2)]).toEqual([surveyId, training.body.id, jv.body.id]);
    for (const bad of [
      'slipped=yes',
      'status=done',
      'overdue[$ne]=true',
      'dueBefore=tomorrow',
      'agreementId=1',
    ]) {
      await svc.as('auditor').get(`/milestones?${bad}`).expect(400);
    }
  });

  it('answers as-of, the event history for auditors, and 404 for unknown milestones', async () => {
    const before = await svc
      .as('auditor')
      .get(`/milestones/${surveyId}?asOf=2026-03-01T00:00:00Z`)
      .expect(200);
    expect(before.body).toMatchObject({ status: 'scheduled', slipCount: 3 });
    const events = await svc.as('auditor').get(`/milestones/${surveyId}/events`).expect(200);
    expect(events.body.items.map((e: EventEnvelope) => e.type)).toEqual([
      'milestone.planned',
      'milestone.rescheduled',
      'milestone.rescheduled',
      'milestone.rescheduled',
      'milestone.rescheduled',
      'milestone.progress-reported',
      'milestone.met',
    ]);
    expect(events.body.items.every((e: EventEnvelope) => e.agreementId === trUz)).toBe(true);
    await svc.as('monitor').get(`/milestones/${surveyId}/events`).expect(403);
    await svc.as('monitor').get(`/milestones/${uuidv7()}`).expect(404);
    await svc.as('monitor').post(`/milestones/${uuidv7()}/start`).set('If-Match', '"1"').expect(404);
  });

  it('tells the agreement’s timeline with the derived status after each step', async () => {
    const res = await svc.as('stakeholder').get(`/agreements/${trUz}/timeline`).expect(200);
    expect(res.body).toMatchObject({
      agreementId: trUz,
      reference: 'TR-UZ-2026-MINING',
      currentStatus: 'delivering',
    });
    const steps = res.body.steps.map((s: { type: string; agreementStatus: string }) => [
      s.type,
      s.agreementStatus,
    ]);
    expect(steps).toEqual([
      // The agreement's own steps are part of its path (issue 15): the signing first.
      ['agreement.registered', 'signed'],
      ['milestone.planned', 'signed'],
      ['milestone.rescheduled', 'signed'],
      ['milestone.rescheduled', 'signed'],
      ['milestone.rescheduled', 'signed'],
      ['milestone.rescheduled', 'signed'],
      // the only milestone so far is met (on 30 May, recorded on 1 June): everything planned was delivered…
      ['milestone.met', 'completed'],
      // (in real-world order the report dated 1 June, recorded before the outcome, comes after it and moves nothing back)
      ['milestone.progress-reported', 'completed'],
      // …until more is planned.
      ['milestone.planned', 'delivering'],
      ['milestone.planned', 'delivering'],
      ['milestone.cancelled', 'delivering'],
    ]);
    await svc.as('stakeholder').get(`/agreements/${uuidv7()}/timeline`).expect(404);
  });

  it('publishes its events to milestones.events keyed by agreement id', async () => {
    const kafka = new Kafka({
      clientId: 'test-reader',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.ERROR,
    });
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    const seen: Array<{ key: string; type: string; ceType: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${Topics.milestones}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const e = JSON.parse(message.value!.toString()) as EventEnvelope;
        seen.push({
          key: message.key!.toString(),
          type: e.type,
          ceType: message.headers!.ce_type!.toString(),
        });
      },
    });
    await eventually(() => seen.length >= 10);
    await consumer.disconnect();
    expect(seen.every((m) => m.key === trUz && m.type === m.ceType)).toBe(true);
  });

  // Last: it adds a milestone and events the tests above count.
  it('refuses new progress on a milestone once its agreement is terminated (409, saying why); its outcome is still recorded', async () => {
    const ending = uuidv7();
    await agreementEvent(ending, 'agreement.registered', registered('TR-KZ-MINING', 'MoU on mining cooperation'));
    const planned = await eventually(async () => {
      const r = await plan({ ...survey, agreementId: ending });
      if (r.status !== 201) throw new Error(`planning answered ${r.status}, expected 201`);
      return r;
    });
    const id = planned.body.id as string;
    await agreementEvent(ending, 'agreement.terminated', { reason: 'the ministry withdrew' });
    // Known here once planning another milestone is refused for it.
    await eventually(async () => (await plan({ ...survey, agreementId: ending })).status === 409);
    const refused = await svc.as('monitor').post(`/milestones/${id}/start`).set('If-Match', '"1"').send({}).expect(409);
    expect(refused.body.detail).toMatch(/agreement .* is terminated: this milestone takes no new progress/);
    await svc.as('monitor').post(`/milestones/${id}/progress`).set('If-Match', '"1"').send({ percent: 10 }).expect(409);
    await svc.as('monitor').post(`/milestones/${id}/not-met`).set('If-Match', '"1"').send({ reason: 'the agreement was terminated' }).expect(200);
  });
});
