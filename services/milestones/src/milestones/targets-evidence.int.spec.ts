/**
 * Milestones and targets, evidence quality (issue 21) on the real stack: a milestone planned towards a target of
 * its agreement, met with the quantity achieved, evidence links with kinds, publication dates and archived
 * copies; its sourcing (what backs its status, media only marked); the quantity corrected; bad input refused.
 */
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@tracker/contracts';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, uniqueName, type RunningService, testProducer } from '@tracker/testing';
import { MilestonesConfig } from '../config';
import { MilestonesApp } from '../service';

describe('milestones: targets and evidence quality', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('msev')}.`;
  const agreementId = uuidv7();
  let svc: RunningService;
  let producer: Producer;
  const official = { url: 'https://gov.example/decree-12', title: 'Decree', kind: 'official', published: '2026-02-20', archived: { url: 'https://web.archive.org/web/2026/https://gov.example/decree-12', sha256: 'a'.repeat(64) } };
  const media = { url: 'https://news.example/financing', kind: 'media' };
  const plan = (extra: object = {}) => ({ agreementId, type: 'financing', title: 'First financing tranche', dueDate: '2026-12-31', ...extra });

  beforeAll(async () => {
    svc = await startService(MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }));
    producer = await testProducer('msev-test');
    const events = new ForeignEvents(() => clock.now());
    const registration = { ...agreementRegistration('TR-CN-EVIDENCE'), targets: [{ targetId: 'T1', description: 'Chinese investment', amount: 2e9, currency: 'USD' }] };
    await publishEvent(producer, `${prefix}${Topics.agreements}`, events.next(`agreement-${agreementId}`, agreementId, 'agreement.registered', { agreementId, ...registration }));
    await eventually(async () => (await svc.as('monitor').post('/milestones').send(plan({ title: 'Probe' }))).status === 201, { timeoutMs: 30_000, intervalMs: 200 });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  it('plans towards a target, is met with the quantity achieved, shows what backs its status, and the quantity can be corrected', async () => {
    const planned = await svc.as('monitor').post('/milestones').send(plan({ contributesTo: ['T1'], evidence: [official] })).expect(201);
    const id = planned.body.id;
    expect(planned.body).toMatchObject({ contributesTo: ['T1'], evidence: [official], sourcing: { count: 1, official: true, claim: { count: 1, official: true, mediaOnly: false } } });

    const progress = await svc.as('monitor').post(`/milestones/${id}/progress`).set('If-Match', '"1"').send({ percent: 30, evidence: [{ url: 'https://example.org/blog' }] }).expect(200);
    // In progress: the report backs it, its kind not said (other).
    expect(progress.body.sourcing).toMatchObject({ count: 2, claim: { count: 1, official: false, byKind: { other: 1 } } });

    const met = await svc
      .as('monitor')
      .post(`/milestones/${id}/met`)
      .set('If-Match', '"2"')
      .send({ metOn: '2026-02-28', evidence: [media], achieved: { amount: 3e8, unit: 'USD', currency: 'USD' } })
      .expect(200);
    // Met on a news report only: marked.
    expect(met.body).toMatchObject({ status: 'met', achieved: { amount: 3e8, unit: 'USD', currency: 'USD' }, sourcing: { count: 3, official: true, claim: { count: 1, mediaOnly: true, official: false } } });

    const events = await svc.as('auditor').get(`/milestones/${id}/events`).expect(200);
    const metEvent = events.body.items.find((e: { type: string }) => e.type === 'milestone.met');
    expect(metEvent.data).toMatchObject({ achieved: { amount: 3e8, unit: 'USD', currency: 'USD' }, evidence: [media] });
    const corrected = await svc
      .as('monitor')
      .post(`/milestones/${id}/corrections`)
      .set('If-Match', '"3"')
      .send({ eventId: metEvent.eventId, changes: { achieved: { amount: 2.5e8, unit: 'USD', currency: 'USD' } }, reason: 'the bank reported 250 million' })
      .expect(200);
    expect(corrected.body.achieved).toEqual({ amount: 2.5e8, unit: 'USD', currency: 'USD' });
  });

  it.each([
    ['an unknown evidence kind', { evidence: [{ url: 'https://x.example', kind: 'blog' }] }, 'evidence[0].kind'],
    ['an archived copy without a SHA-256', { evidence: [{ url: 'https://x.example', archived: { url: 'https://web.archive.org/x' } }] }, 'evidence[0].archived.sha256'],
    ['a publication date that is no date', { evidence: [{ url: 'https://x.example', published: 'last week' }] }, 'evidence[0].published'],
    ['a target that is no target id', { contributesTo: ['investment'] }, 'contributesTo'],
  ])('refuses %s with 400 naming the field', async (_name, extra, field) => {
    const res = await svc.as('monitor').post('/milestones').send(plan(extra)).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses with 422 a target the agreement does not have (as this service knows its targets)', async () => {
    const res = await svc.as('monitor').post('/milestones').send(plan({ contributesTo: ['T1', 'T3'] })).expect(422);
    expect(res.body).toMatchObject({ detail: expect.stringMatching(/T3 is not a target of agreement .* \(its targets: T1\)/) });
  });

  it.each([
    ['an achieved quantity sent as null', { achieved: null }, 'achieved'],
    ['targets sent as null', { contributesTo: null }, 'contributesTo'],
  ])('refuses %s on an outcome with 400 (left out is fine, null is not; found by the contract fuzzer)', async (_name, extra, field) => {
    const planned = await svc.as('monitor').post('/milestones').send(plan()).expect(201);
    for (const outcome of ['met', 'partially-met']) {
      const res = await svc
        .as('monitor')
        .post(`/milestones/${planned.body.id}/${outcome}`)
        .set('If-Match', '"1"')
        .send({ metOn: '2026-02-28', evidence: [media], note: 'two of three regions', ...extra })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('refuses an achieved quantity without a unit', async () => {
    const planned = await svc.as('monitor').post('/milestones').send(plan()).expect(201);
    const res = await svc.as('monitor').post(`/milestones/${planned.body.id}/met`).set('If-Match', '"1"').send({ metOn: '2026-02-28', evidence: [media], achieved: { amount: 5 } }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('achieved.unit');
  });
});
