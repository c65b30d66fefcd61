/**
 * Two clocks on an agreement (issue 15, ADR 0008) against the real stack: the signing as business time of the
 * registration, lifecycle changes with their effective dates, a corrected signing date, refusals, and stored v1
 * events read through the upcasters with their hash chain intact.
 */
import { agreementStreamId } from '@tracker/contracts';
import { computeEventHash, type EventStore } from '@tracker/event-store';
import { EVENT_STORE } from '@tracker/service-runtime';
import { TestClock, eventually, startService, testConfig, trUzMemorandum, uniqueName, type RunningService } from '@tracker/testing';
import { v7 as uuidv7 } from 'uuid';
import { AgreementsConfig } from '../config';
import { AgreementsApp } from '../service';

describe('agreements: business time and record time', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  let svc: RunningService;
  let id: string;
  let version = 1;
  const monitor = () => svc.as('monitor');
  const at = (query: string) => svc.as('stakeholder').get(`/agreements/${id}?${query}`);
  const change = async (action: string, body: object, status = 200) => {
    const res = await monitor().post(`/agreements/${id}/${action}`).set('If-Match', `"${version}"`).send(body).expect(status);
    if (status === 200) version = res.body.version;
    return res;
  };

  beforeAll(async () => {
    svc = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('abt')}.` }), { clock }));
    // Signed in Ankara on 29 January, typed in on 1 March.
    id = (await monitor().post('/agreements').send(trUzMemorandum('BT-TR-UZ')).expect(201)).body.id;
    // Suspended from 15 February, typed in on 1 March; resumed on 1 April (recorded then).
    await change('suspend', { reason: 'review of the ministry', occurredAt: '2026-02-15' });
    clock.set('2026-04-01T09:00:00Z');
    await change('resume', {});
  });
  afterAll(async () => svc?.close());

  it('records the signing as the registration’s business time, and lifecycle changes with their effective dates', async () => {
    const history = await svc.as('auditor').get(`/agreements/${id}/events`).expect(200);
    expect(history.body.items.map((e: { type: string; schemaVersion: number; occurredAt: string; recordedAt: string; data: { effectiveOn?: string } }) => [e.type, e.schemaVersion, e.occurredAt, e.recordedAt.slice(0, 10), e.data.effectiveOn ?? null])).toEqual([
      ['agreement.registered', 1, '2026-01-29T00:00:00.000Z', '2026-03-01', null],
      ['agreement.suspended', 2, '2026-02-15T00:00:00.000Z', '2026-03-01', '2026-02-15'],
      ['agreement.resumed', 2, '2026-04-01T09:00:00.000Z', '2026-04-01', '2026-04-01'],
    ]);
  });

  // Each cell: (validAt, knownAt) → the lifecycle then and since when, or 404 with the clock that ruled it out.
  const grid: Array<[string, string | RegExp, string | null]> = [
    ['validAt=2026-01-28', /not yet signed at 2026-01-28T00:00:00.000Z \(validAt/, null],
    ['knownAt=2026-02-20T00:00:00Z', /not yet registered at 2026-02-20T00:00:00.000Z \(knownAt/, null],
    // Signed in January but typed in on 1 March: on 10 February it was in force (the 404 of issue 15 is gone).
    ['validAt=2026-02-10', 'active', null],
    ['validAt=2026-02-20', 'suspended', '2026-02-15'],
    ['validAt=2026-02-20&knownAt=2026-03-01T09:00:00Z', 'suspended', '2026-02-15'],
    ['validAt=2026-03-20&knownAt=2026-03-02T00:00:00Z', 'suspended', '2026-02-15'], // the resumption not yet known
    ['validAt=2026-04-02', 'active', '2026-04-01'],
    ['asOf=2026-03-02T00:00:00Z', 'suspended', '2026-02-15'], // asOf is knownAt
  ];
  it.each(grid)('?%s', async (query, expected, since) => {
    const res = await at(query);
    if (expected instanceof RegExp) {
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(expected);
      return;
    }
    expect(res.status).toBe(200);
    expect({ lifecycle: res.body.lifecycle, since: res.body.lifecycleSince ?? null }).toEqual({ lifecycle: expected, since });
  });

  it('refuses business times in the future or before the signing with 422 naming the dates, and changes nothing', async () => {
    const future = await change('objectives', { objective: 'joint exploration', occurredAt: '2026-04-02' }, 422);
    expect(future.body.detail).toMatch(/occurredAt 2026-04-02 is in the future/);
    const before = await change('suspend', { reason: 'review of the ministry', occurredAt: '2026-01-10' }, 422);
    expect(before.body.detail).toMatch(/occurredAt 2026-01-10 is before the agreement was signed \(2026-01-29\)/);
    await change('objectives', { objective: 'joint exploration', occurredAt: '29 January' }, 400);
    expect((await svc.as('stakeholder').get(`/agreements/${id}`).expect(200)).body).toMatchObject({ version, lifecycle: 'active' });
  });

  it('corrects the signing date with an event naming the registration; reads as known before it still show the old one', async () => {
    const events = await svc.as('auditor').get(`/agreements/${id}/events`).expect(200);
    const registered = events.body.items[0].eventId as string;
    clock.set('2026-04-10T09:00:00Z');
    const corrected = await change('corrections', { eventId: registered, changes: { signedOn: '2026-01-20', datePrecision: 'day' }, reason: 'the ministry dated it 20 January' });
    expect(corrected.body).toMatchObject({ signedOn: '2026-01-20', corrections: [{ correctsEventId: registered, correctsType: 'agreement.registered' }] });
    expect((await at('validAt=2026-01-25')).body).toMatchObject({ signedOn: '2026-01-20', lifecycle: 'active' });
    const asKnownBefore = await at('validAt=2026-01-25&knownAt=2026-04-05T00:00:00Z');
    expect(asKnownBefore.status).toBe(404);
    // The history keeps both; the chain is untouched.
    const after = await svc.as('auditor').get(`/agreements/${id}/events`).expect(200);
    expect(after.body.items[0]).toEqual(events.body.items[0]);
    expect(after.body.items.at(-1)).toMatchObject({ type: 'agreement.corrected', data: { correctsEventId: registered, occurredAt: '2026-01-20T00:00:00.000Z' } });
    const refused = await change('corrections', { eventId: registered, changes: { effectiveOn: '2026-02-01' }, reason: 'wrong field' }, 422);
    expect(refused.body.detail).toMatch(/effectiveOn cannot be corrected on a agreement.registered event/);
    expect((await svc.as('auditor').get(`/audit/verify?streamId=${agreementStreamId(id)}`).expect(200)).body).toMatchObject({ ok: true, broken: [] });
  });

  it('reads stored v1 lifecycle events as v2 (their effective date from their business time), with the chain intact', async () => {
    const store = svc.app.get<EventStore>(EVENT_STORE);
    const old = uuidv7();
    const streamId = agreementStreamId(old);
    const details = trUzMemorandum('BT-OLD', { signatories: [], sectors: [], commodities: [], objectives: [], targets: [], sources: [] });
    // Written as the service wrote them before business time: schema version 1, no effectiveOn.
    await store.append(streamId, [{ type: 'agreement.registered', schemaVersion: 1, data: { agreementId: old, ...details } }], { expectedVersion: 0, agreementId: old, actor: { id: 'dev-monitor', role: 'monitor' }, correlationId: uuidv7() });
    await store.append(streamId, [{ type: 'agreement.suspended', schemaVersion: 1, data: { agreementId: old, reason: 'old' }, occurredAt: '2026-03-15T10:00:00Z' }], { expectedVersion: 1, agreementId: old, actor: { id: 'dev-monitor', role: 'monitor' }, correlationId: uuidv7() });
    const res = await svc.as('stakeholder').get(`/agreements/${old}`).expect(200);
    expect(res.body).toMatchObject({ lifecycle: 'suspended', lifecycleSince: '2026-03-15' });
    const events = await svc.as('auditor').get(`/agreements/${old}/events`).expect(200);
    expect(events.body.items[1]).toMatchObject({ type: 'agreement.suspended', schemaVersion: 2, data: { reason: 'old', effectiveOn: '2026-03-15' } });
    // Stored as written: version 1 without the field, and its hash still verifies.
    const stored = await store.collection.findOne({ streamId, streamVersion: 2 });
    expect(stored).toMatchObject({ schemaVersion: 1, data: { reason: 'old' } });
    expect((stored!.data as { effectiveOn?: string }).effectiveOn).toBeUndefined();
    expect((await svc.as('auditor').get(`/audit/verify?streamId=${streamId}`).expect(200)).body).toMatchObject({ ok: true, streamsChecked: 1 });
    // The agreement-wide history keeps each event as published, so its hash still checks out.
    const history = await eventually(async () => {
      const res = await svc.as('auditor').get(`/agreements/${old}/history?source=agreements`).expect(200);
      if (res.body.items.length < 2) throw new Error('the journal has not got both yet');
      return res.body.items as Array<Parameters<typeof computeEventHash>[0] & { hash: string }>;
    });
    expect(history[1]).toMatchObject({ type: 'agreement.suspended', schemaVersion: 1, data: { reason: 'old' } });
    for (const item of history) expect(computeEventHash({ ...item, agreementId: old })).toBe(item.hash);
  });

  it('tells the agreement-wide history in business order on request (from/to on the same clock)', async () => {
    // An objective agreed on 1 February, typed in only now.
    await change('objectives', { objective: 'training of geologists', occurredAt: '2026-02-01' });
    const history = (order: string) =>
      eventually(async () => {
        const res = await svc.as('auditor').get(`/agreements/${id}/history?source=agreements${order}`).expect(200);
        const types = (res.body.items as Array<{ type: string }>).map((e) => e.type);
        if (!types.includes('agreement.objective-added')) throw new Error('the journal has not got it yet');
        return types;
      });
    expect(await history('')).toEqual(['agreement.registered', 'agreement.suspended', 'agreement.resumed', 'agreement.corrected', 'agreement.objective-added']);
    expect(await history('&order=business')).toEqual(['agreement.registered', 'agreement.objective-added', 'agreement.suspended', 'agreement.resumed', 'agreement.corrected']);
    expect(await history('&order=business&from=2026-01-30T00:00:00Z&to=2026-03-31T00:00:00Z')).toEqual(['agreement.objective-added', 'agreement.suspended']);
  });
});
