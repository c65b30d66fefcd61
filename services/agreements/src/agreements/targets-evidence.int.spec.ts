/**
 * Targets against results, evidence quality and corrections of the lists (issue 21) on the real stack: milestone
 * events published on their topic as the milestones service would, the agreement's targets with what they
 * achieved (now and as of a time), its sourcing, and each list correction with its refusals.
 */
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@tracker/contracts';
import { eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, trUzMemorandum, uniqueName, type RunningService, testProducer } from '@tracker/testing';
import { AgreementsConfig } from '../config';
import { AgreementsApp } from '../service';

describe('agreements: targets against results, evidence quality, corrections of lists', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('tgt')}.`;
  let svc: RunningService;
  let producer: Producer;
  let id: string;
  let version = 1;
  const [m1, m2, m3] = [uuidv7(), uuidv7(), uuidv7()];
  const foreign = new ForeignEvents(() => clock.now());
  const send = (milestoneId: string, type: string, data: object) =>
    publishEvent(producer, `${prefix}${Topics.milestones}`, foreign.next(`milestone-${milestoneId}`, id, type, { milestoneId, agreementId: id, ...data }));
  const get = async () => (await svc.as('stakeholder').get(`/agreements/${id}`).expect(200)).body;
  const change = async (action: string, body: object, status = 200) => {
    const res = await svc.as('monitor').post(`/agreements/${id}/${action}`).set('If-Match', `"${version}"`).send(body);
    expect([res.status, res.body.detail]).toEqual([status, status === 200 ? undefined : expect.any(String)]);
    if (status === 200) version = res.body.version;
    return res.body;
  };
  const usd = (amount: number) => ({ amount, unit: 'USD', currency: 'USD' });
  let beforeOutcomes: string;

  beforeAll(async () => {
    svc = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }));
    producer = await testProducer('targets-test');
    const body = trUzMemorandum('TR-CN-TARGETS', {
      objectives: ['joint mining ventures', 'technology transfer'],
      // Signed 29 January 2026: five years to the target date.
      targets: [{ description: 'Chinese investment in the mining sector', amount: 2e9, currency: 'USD', byDate: '2031-01-29' }],
      sources: [
        { title: 'Turkey and China Collaborate on Critical Minerals', url: 'https://example.org/tr-cn', publisher: 'news report', kind: 'media' },
        { title: 'Ministry statement', url: 'https://example.org/ministry' },
      ],
    });
    id = (await svc.as('monitor').post('/agreements').send(body).expect(201)).body.id;
    send(m1, 'milestone.planned', { type: 'financing', title: 'First financing tranche', dueDate: '2026-12-31', evidence: [], contributesTo: ['T1'] });
    send(m2, 'milestone.planned', { type: 'financing', title: 'European co-financing', dueDate: '2026-12-31', evidence: [], contributesTo: ['T1'] });
    await send(m3, 'milestone.planned', { type: 'joint_venture', title: 'Joint venture registered', dueDate: '2027-06-30', evidence: [] });
    beforeOutcomes = clock.now().toISOString();
    clock.set('2026-07-01T09:00:00Z');
    send(m1, 'milestone.met', { metOn: '2026-06-30', evidence: [{ url: 'https://news.example/tranche', kind: 'media' }], achieved: usd(3e8) });
    send(m2, 'milestone.partially-met', { metOn: '2026-06-30', evidence: [{ url: 'https://gov.example/decree', kind: 'official' }], note: 'half', achieved: { amount: 1e8, unit: 'EUR', currency: 'EUR' } });
    await send(m3, 'milestone.started', { startedOn: '2026-06-01' });
    await eventually(async () => (await get()).milestones.partiallyMet === 1 && (await get()).milestones.inProgress === 1);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  it('shows each target with what its milestones achieved, the share and whether it is on track; another currency is listed, not added', async () => {
    const [target] = (await get()).targets;
    expect(target).toMatchObject({ targetId: 'T1', amount: 2e9, currency: 'USD' });
    expect(target.progress).toEqual({
      achieved: 3e8,
      share: 0.15,
      // 15 % achieved against 9 % of the five years elapsed.
      onTrack: true,
      contributions: [
        { milestoneId: m1, status: 'met', achieved: usd(3e8), added: true },
        { milestoneId: m2, status: 'partiallyMet', achieved: { amount: 1e8, unit: 'EUR', currency: 'EUR' }, added: false },
      ],
    });
  });

  it('shows how well it is sourced: kinds (other when not said), official sources, status claims on media only or on nothing', async () => {
    const view = await get();
    expect(view.sources.map((s: { sourceId: string; kind: string }) => [s.sourceId, s.kind])).toEqual([
      ['S1', 'media'],
      ['S2', 'other'],
    ]);
    expect(view.sourcing).toEqual({
      count: 2,
      byKind: { official: 0, company: 0, 'international-organisation': 0, media: 1, other: 1 },
      official: false,
      mediaOnly: false,
      claims: 3,
      officiallyBacked: 1,
      everyClaimOfficial: false,
      mediaOnlyMilestones: [m1],
      unsourcedMilestones: [m3],
    });
  });

  it('the as-of view shows the targets as they stood then', async () => {
    const then = await svc.as('auditor').get(`/agreements/${id}/as-of?at=${encodeURIComponent(beforeOutcomes)}`).expect(200);
    expect(then.body.agreement.targets[0].progress).toMatchObject({ achieved: 0, share: 0, contributions: [{ milestoneId: m1, status: 'scheduled', added: false }, { milestoneId: m2, added: false }] });
    expect(then.body.agreement.sourcing).toMatchObject({ claims: 0, everyClaimOfficial: true });
    const now = await svc.as('auditor').get(`/agreements/${id}/as-of?at=${encodeURIComponent(clock.now().toISOString())}`).expect(200);
    expect(now.body.agreement.targets[0].progress).toMatchObject({ achieved: 3e8, share: 0.15, onTrack: true });
  });

  it('corrects and removes targets, sources and objectives with reasons; refuses a correction that changes nothing (400) and unknown entries (404)', async () => {
    // The milestones moved the derived status: the agreement's version is what it is now.
    version = (await get()).version;
    // The target: corrected (the share follows), then a correction that says what it already says.
    let view = await change('targets/correct', { targetId: 'T1', amount: 1.5e9, reason: 'the ministry announced USD 1.5 billion' });
    expect(view.targets[0]).toMatchObject({ targetId: 'T1', amount: 1.5e9, progress: { achieved: 3e8, share: 0.2 } });
    expect((await change('targets/correct', { targetId: 'T1', amount: 1.5e9, reason: 'again' }, 400)).detail).toMatch(/changes nothing/);
    await change('targets/correct', { targetId: 'T7', amount: 1, reason: 'no such target' }, 404);
    expect((await change('targets/correct', { targetId: 'first', reason: 'not an id' }, 400)).errors).toEqual([expect.objectContaining({ field: 'targetId', message: expect.stringMatching(/such as T1/) })]);

    // The source: its kind corrected, then removed; removed again is unknown.
    view = await change('sources/correct', { sourceId: 'S2', kind: 'official', published: '2026-01-30', reason: 'a statement of the ministry' });
    expect(view.sources[1]).toMatchObject({ sourceId: 'S2', kind: 'official', published: '2026-01-30' });
    expect(view.sourcing).toMatchObject({ official: true });
    expect((await change('sources/correct', { sourceId: 'S2', kind: 'blog', reason: 'not a kind' }, 400)).errors).toEqual([expect.objectContaining({ field: 'kind' })]);
    expect((await change('sources/correct', { sourceId: 'S2', archived: { url: 'https://web.archive.org/x', sha256: 'abc' }, reason: 'a short hash' }, 400)).errors).toEqual([expect.objectContaining({ field: 'archived.sha256' })]);
    view = await change('sources/remove', { sourceId: 'S1', reason: 'about another agreement' });
    expect(view.sources.map((s: { sourceId: string }) => s.sourceId)).toEqual(['S2']);
    await change('sources/remove', { sourceId: 'S1', reason: 'again' }, 404);

    // The objectives.
    view = await change('objectives/correct', { objective: 'technology transfer', correctedTo: 'technology transfer in refining', reason: 'as the text says' });
    expect(view.objectives).toEqual(['joint mining ventures', 'technology transfer in refining']);
    await change('objectives/correct', { objective: 'joint mining ventures', correctedTo: 'joint mining ventures', reason: 'the same' }, 400);
    await change('objectives/correct', { objective: 'joint mining ventures', correctedTo: 'technology transfer in refining', reason: 'a duplicate' }, 409);
    view = await change('objectives/remove', { objective: 'joint mining ventures', reason: 'not in the text' });
    expect(view.objectives).toEqual(['technology transfer in refining']);

    // An amendment with no change.
    expect((await change('amend', { title: view.title }, 400)).detail).toMatch(/the amendment changes nothing/);

    // A removed target's id is not reused.
    view = await change('targets/remove', { targetId: 'T1', reason: 'a reported expectation, not a target of the text' });
    expect(view.targets).toEqual([]);
    view = await change('targets', { description: 'processing capacity', amount: 570000, unit: 'tonnes/year' });
    expect(view.targets.map((t: { targetId: string }) => t.targetId)).toEqual(['T2']);

    // Every correction is an event with its reason.
    const events = await svc.as('auditor').get(`/agreements/${id}/events`).expect(200);
    expect(events.body.items.filter((e: { type: string }) => /-(corrected|removed)$/.test(e.type)).map((e: { type: string; data: { reason: string } }) => [e.type, e.data.reason])).toEqual([
      ['agreement.target-corrected', 'the ministry announced USD 1.5 billion'],
      ['agreement.source-corrected', 'a statement of the ministry'],
      ['agreement.source-removed', 'about another agreement'],
      ['agreement.objective-corrected', 'as the text says'],
      ['agreement.objective-removed', 'not in the text'],
      ['agreement.target-removed', 'a reported expectation, not a target of the text'],
    ]);
  });
});
