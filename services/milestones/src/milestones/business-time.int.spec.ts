/**
 * Two clocks on a milestone and its agreement's path (issue 15, ADR 0008), through HTTP and Kafka against the real
 * stack: a scripted history with late entries and two corrections, queried at a grid of (validAt, knownAt); the
 * refusals of impossible business times; the timeline of a suspended, resumed, then terminated agreement.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type EventEnvelope } from '@tracker/contracts';
import { agreementRegistration, ForeignEvents, TestClock, eventually, publishEvent, startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { MilestonesConfig } from '../config';
import { MilestonesApp } from '../service';

describe('milestones: business time and record time', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('bt')}.`;
  const events = new ForeignEvents(() => clock.now());
  let svc: RunningService;
  let producer: Producer;

  /** An agreement event as the agreements service publishes it, happening at `occurredAt` (default: now). */
  async function agreementEvent(agreementId: string, type: string, data: object, occurredAt?: string): Promise<void> {
    const envelope = events.next(`agreement-${agreementId}`, agreementId, type, { agreementId, ...data }, occurredAt ? { occurredAt } : {});
    await publishEvent(producer, `${prefix}${Topics.agreements}`, envelope);
  }
  const registration = (reference: string) => agreementRegistration(reference);

  const agreementId = uuidv7();
  let milestoneId: string;
  let version = 1;
  const monitor = () => svc.as('monitor');
  const change = async (action: string, body: object) => {
    const res = await monitor().post(`/milestones/${milestoneId}/${action}`).set('If-Match', `"${version}"`).send(body).expect(200);
    version = res.body.version;
    return res.body;
  };
  const eventIdOf = async (type: string) => {
    const res = await svc.as('auditor').get(`/milestones/${milestoneId}/events`).expect(200);
    return (res.body.items as EventEnvelope[]).find((e) => e.type === type)!.eventId;
  };

  beforeAll(async () => {
    svc = await startService(MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }));
    producer = new Kafka({ clientId: 'bt', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.ERROR }).producer();
    await producer.connect();
    await agreementEvent(agreementId, 'agreement.registered', registration('BT-1'), '2026-01-29T00:00:00.000Z');

    // The script, in record time (the clock) with the business time each entry states:
    // 1 March: planned, agreed on 10 February; due 30 June.
    const planned = await eventually(async () => {
      const r = await monitor()
        .post('/milestones')
        .send({ agreementId, type: 'geological_survey', title: 'Resource mapping of the Fergana valley', dueDate: '2026-06-30', occurredAt: '2026-02-10' });
      if (r.status !== 201) throw new Error(`planning answered ${r.status}`);
      return r;
    });
    milestoneId = planned.body.id;
    // 5 July: a progress report describing 15 May (50 %), typed in late.
    clock.set('2026-07-05T09:00:00Z');
    await change('progress', { percent: 50, occurredAt: '2026-05-15' });
    // 6 July: met on 20 June, typed in late.
    clock.set('2026-07-06T09:00:00Z');
    await change('met', { metOn: '2026-06-20', evidence: [{ url: 'https://example.org/map.pdf' }] });
    // 1 August: correction 1, the met date was 25 June.
    clock.set('2026-08-01T09:00:00Z');
    await change('corrections', { eventId: await eventIdOf('milestone.met'), changes: { metOn: '2026-06-25' }, reason: 'the survey report is dated 25 June' });
    // 2 August: correction 2, the report said 40 %, not 50 %.
    clock.set('2026-08-02T09:00:00Z');
    await change('corrections', { eventId: await eventIdOf('milestone.progress-reported'), changes: { percent: 40 }, reason: 'typo in the percentage' });
    clock.set('2026-09-01T09:00:00Z');
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  // Each cell: (validAt, knownAt) → the milestone's status, percent and outcome date then, or 404.
  const grid: Array<[string | null, string | null, [string, number, string | null] | 404]> = [
    ['2026-02-01', null, 404], // not yet agreed
    ['2026-02-15', '2026-02-20T00:00:00Z', 404], // agreed, but not yet typed in
    ['2026-02-15', '2026-03-02T00:00:00Z', ['scheduled', 0, null]],
    ['2026-05-31', '2026-03-02T00:00:00Z', ['scheduled', 0, null]], // the report was not known yet
    ['2026-05-31', '2026-07-05T12:00:00Z', ['inProgress', 50, null]],
    ['2026-06-22', '2026-07-06T12:00:00Z', ['met', 100, '2026-06-20']], // met on 20 June, as known on 6 July
    ['2026-06-22', '2026-08-01T12:00:00Z', ['inProgress', 50, null]], // after correction 1: not yet met on 22 June
    ['2026-06-30', '2026-08-01T12:00:00Z', ['met', 100, '2026-06-25']],
    ['2026-05-31', '2026-08-03T00:00:00Z', ['inProgress', 40, null]], // after correction 2
    [null, '2026-07-06T12:00:00Z', ['met', 100, '2026-06-20']], // record time only: as known on 6 July
    [null, '2026-03-02T00:00:00Z', ['scheduled', 0, null]],
    ['2026-06-30', null, ['met', 100, '2026-06-25']], // business time only: as known now
  ];
  it.each(grid)('validAt %s, knownAt %s', async (validAt, knownAt, expected) => {
    const query = new URLSearchParams({ ...(validAt && { validAt }), ...(knownAt && { knownAt }) }).toString();
    const res = await svc.as('stakeholder').get(`/milestones/${milestoneId}?${query}`);
    if (expected === 404) {
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(validAt && !knownAt ? /not yet planned at .* \(validAt/ : /not yet planned at .* \(knownAt/);
      return;
    }
    expect(res.status).toBe(200);
    const [status, percent, outcomeOn] = expected;
    expect({ status: res.body.status, percent: res.body.percent, outcomeOn: res.body.outcomeOn ?? null }).toEqual({ status, percent, outcomeOn });
    // The answer says which times it used.
    expect(res.body).toMatchObject({
      validAt: validAt ? new Date(`${validAt}T00:00:00Z`).toISOString() : null,
      knownAt: knownAt ? new Date(knownAt).toISOString() : null,
    });
  });

  it('shows the current state with both corrections, and keeps every event in the history', async () => {
    const now = await svc.as('stakeholder').get(`/milestones/${milestoneId}`).expect(200);
    expect(now.body).toMatchObject({ status: 'met', percent: 100, outcomeOn: '2026-06-25' });
    expect(now.body.corrections.map((c: { correctsType: string; changes: object }) => [c.correctsType, c.changes])).toEqual([
      ['milestone.met', { metOn: '2026-06-25' }],
      ['milestone.progress-reported', { percent: 40 }],
    ]);
    const history = await svc.as('auditor').get(`/milestones/${milestoneId}/events`).expect(200);
    const items = history.body.items as EventEnvelope[];
    expect(items.map((e) => [e.type, e.occurredAt.slice(0, 10), e.recordedAt.slice(0, 10)])).toEqual([
      ['milestone.planned', '2026-02-10', '2026-03-01'],
      ['milestone.progress-reported', '2026-05-15', '2026-07-05'],
      ['milestone.met', '2026-06-20', '2026-07-06'], // as recorded: the correction does not rewrite it
      ['milestone.corrected', '2026-08-01', '2026-08-01'],
      ['milestone.corrected', '2026-08-02', '2026-08-02'],
    ]);
    expect(items[3].data).toMatchObject({ correctsEventId: items[2].eventId, occurredAt: '2026-06-25T00:00:00.000Z', reason: 'the survey report is dated 25 June' });
    const verify = await svc.as('auditor').get('/audit/verify').expect(200);
    expect(verify.body).toMatchObject({ ok: true, broken: [] });
  });

  it('corrects a corrected fact again, against what it says now (a correction can be taken back)', async () => {
    const m = await monitor().post('/milestones').send({ agreementId, type: 'refinery', title: 'Refinery site chosen', dueDate: '2026-08-31', occurredAt: '2026-08-01' }).expect(201);
    const post = (action: string, version: number, body: object) => monitor().post(`/milestones/${m.body.id}/${action}`).set('If-Match', `"${version}"`).send(body);
    await post('met', 1, { metOn: '2026-08-10', evidence: [{ url: 'https://example.org/site.pdf' }] }).expect(200);
    const events = await svc.as('auditor').get(`/milestones/${m.body.id}/events`).expect(200);
    const metId = (events.body.items as EventEnvelope[])[1].eventId;
    await post('corrections', 2, { eventId: metId, changes: { metOn: '2026-08-12' }, reason: 'dated the 12th' }).expect(200);
    // Saying the 12th again changes nothing; going back to the 10th does.
    await post('corrections', 3, { eventId: metId, changes: { metOn: '2026-08-12' }, reason: 'again' }).expect(422);
    const back = await post('corrections', 3, { eventId: metId, changes: { metOn: '2026-08-10' }, reason: 'the 10th after all' }).expect(200);
    expect(back.body).toMatchObject({ outcomeOn: '2026-08-10', version: 4 });
    expect((await svc.as('stakeholder').get(`/milestones/${m.body.id}?validAt=2026-08-11`).expect(200)).body).toMatchObject({ status: 'met', outcomeOn: '2026-08-10' });
  });

  it('keeps the percent of the latest report by date when an older report is back-filled, and corrects that one in force', async () => {
    const m = await monitor().post('/milestones').send({ agreementId, type: 'processing_plant', title: 'Processing plant built', dueDate: '2026-12-31', occurredAt: '2026-05-01' }).expect(201);
    const post = (action: string, version: number, body: object) => monitor().post(`/milestones/${m.body.id}/${action}`).set('If-Match', `"${version}"`).send(body);
    await post('progress', 1, { percent: 20, note: 'foundations poured' }).expect(200);
    const backFilled = await post('progress', 2, { percent: 8, note: 'site cleared', occurredAt: '2026-06-03' }).expect(200);
    expect(backFilled.body).toMatchObject({ percent: 20, percentOn: '2026-09-01', lastNote: 'foundations poured' });
    expect((await svc.as('stakeholder').get(`/milestones/${m.body.id}`).expect(200)).body).toMatchObject({ percent: 20, percentOn: '2026-09-01' });
    // The back-filled report is the history of June.
    expect((await svc.as('stakeholder').get(`/milestones/${m.body.id}?validAt=2026-07-01`).expect(200)).body).toMatchObject({ percent: 8, percentOn: '2026-06-03' });
    // Today's report, recorded before the back-filled one, is still the one a correction of its percent changes.
    const events = await svc.as('auditor').get(`/milestones/${m.body.id}/events`).expect(200);
    const [todays] = (events.body.items as EventEnvelope[]).filter((e) => e.type === 'milestone.progress-reported' && (e.data as { percent: number }).percent === 20);
    const fixed = await post('corrections', 3, { eventId: todays?.eventId, changes: { percent: 22 }, reason: 'the site report says 22 %' }).expect(200);
    expect(fixed.body).toMatchObject({ percent: 22, percentOn: '2026-09-01', version: 4 });
    expect((await svc.as('auditor').get(`/milestones/${m.body.id}/events?from=4`).expect(200)).body.items[0].data).toMatchObject({ current: true });
  });

  it('refuses business times in the future or before the signing (422, naming the dates), changing nothing', async () => {
    const other = await monitor().post('/milestones').send({ agreementId, type: 'financing', title: 'Financing round closed', dueDate: '2027-01-31' }).expect(201);
    const refused = [
      [{ percent: 10, occurredAt: '2026-09-02' }, /occurredAt 2026-09-02 is in the future/],
      [{ percent: 10, occurredAt: '2026-09-01T09:06:00Z' }, /in the future/],
      [{ percent: 10, occurredAt: '2026-01-28' }, /occurredAt 2026-01-28 is before the agreement was signed \(2026-01-29\)/],
    ] as const;
    for (const [body, message] of refused) {
      const res = await monitor().post(`/milestones/${other.body.id}/progress`).set('If-Match', '"1"').send(body).expect(422);
      expect(res.body.detail).toMatch(message);
    }
    const met = await monitor()
      .post(`/milestones/${other.body.id}/met`)
      .set('If-Match', '"1"')
      .send({ metOn: '2025-12-31', evidence: [{ url: 'https://example.org/x.pdf' }] })
      .expect(422);
    expect(met.body.detail).toMatch(/metOn 2025-12-31 is before the agreement was signed/);
    await monitor().post(`/milestones/${other.body.id}/progress`).set('If-Match', '"1"').send({ percent: 10, occurredAt: '2026-13-01' }).expect(400);
    expect((await svc.as('stakeholder').get(`/milestones/${other.body.id}`).expect(200)).body).toMatchObject({ version: 1, status: 'scheduled' });
    // A correction that names an event of another milestone, or changes nothing.
    const foreign = await monitor()
      .post(`/milestones/${other.body.id}/corrections`)
      .set('If-Match', '"1"')
      .send({ eventId: await eventIdOf('milestone.met'), changes: { metOn: '2026-06-01' }, reason: 'wrong milestone' })
      .expect(422);
    expect(foreign.body.detail).toMatch(/is not one of this milestone's events/);
  });

  it('tells the path of a suspended, resumed, then terminated agreement in real-world order, flagging late entries', async () => {
    const path = uuidv7();
    clock.set('2026-04-01T09:00:00Z');
    await agreementEvent(path, 'agreement.registered', registration('BT-2'), '2026-01-29T00:00:00.000Z');
    const m = await eventually(async () => {
      const r = await monitor().post('/milestones').send({ agreementId: path, type: 'workforce_training', title: 'Training of 50 geologists', dueDate: '2026-12-31', occurredAt: '2026-02-01' });
      if (r.status !== 201) throw new Error(`planning answered ${r.status}`);
      return r;
    });
    await monitor().post(`/milestones/${m.body.id}/start`).set('If-Match', '"1"').send({ occurredAt: '2026-03-01' }).expect(200);
    // Suspended from 1 May (typed in on 10 June), resumed on 1 July, terminated on 1 September.
    clock.set('2026-06-10T09:00:00Z');
    await agreementEvent(path, 'agreement.suspended', { reason: 'political crisis', effectiveOn: '2026-05-01' }, '2026-05-01T00:00:00.000Z');
    clock.set('2026-07-01T09:00:00Z');
    await agreementEvent(path, 'agreement.resumed', { effectiveOn: '2026-07-01' });
    clock.set('2026-09-01T09:00:00Z');
    await agreementEvent(path, 'agreement.terminated', { reason: 'withdrawn', effectiveOn: '2026-09-01' });
    const timeline = await eventually(async () => {
      const res = await svc.as('stakeholder').get(`/agreements/${path}/timeline`).expect(200);
      if (res.body.steps.length < 6) throw new Error(`${res.body.steps.length} steps so far`);
      return res.body;
    });
    expect(timeline.steps.map((s: { type: string; occurredAt: string; recordedLateDays: number; agreementStatus: string }) => [s.type, s.occurredAt.slice(0, 10), s.recordedLateDays, s.agreementStatus])).toEqual([
      ['agreement.registered', '2026-01-29', 62, 'signed'],
      ['milestone.planned', '2026-02-01', 59, 'signed'],
      ['milestone.started', '2026-03-01', 31, 'inImplementation'],
      ['agreement.suspended', '2026-05-01', 40, 'suspended'],
      ['agreement.resumed', '2026-07-01', 0, 'inImplementation'],
      ['agreement.terminated', '2026-09-01', 0, 'terminated'],
    ]);
    expect(timeline.currentStatus).toBe('terminated');
    // The path as it was on 15 June, as known then: suspended, the resumption not yet happened.
    const then = await svc.as('stakeholder').get(`/agreements/${path}/timeline?validAt=2026-06-15&knownAt=2026-06-15T00:00:00Z`).expect(200);
    expect(then.body).toMatchObject({ currentStatus: 'suspended', validAt: '2026-06-15T00:00:00.000Z', knownAt: '2026-06-15T00:00:00.000Z' });
    expect(then.body.steps.map((s: { type: string }) => s.type)).toEqual(['agreement.registered', 'milestone.planned', 'milestone.started', 'agreement.suspended']);
  });
});
