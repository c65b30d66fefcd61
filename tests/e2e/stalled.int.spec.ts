/**
 * agreement.stalled in practice: the three services on the real Kafka and database, the agreements registered and
 * their milestones planned through the REST APIs as a monitor (or the seed, `npm run seed`) does. An agreement
 * without activity for ALERT_STALLED_AFTER_DAYS (one rule for both services, activityTime in libs/contracts: from
 * the registration's business time, the signing, its own later events, or its milestones' progress) gets exactly
 * one agreement.stalled, when and only when the agreements service calls it stalled: listed in the inbox, sent to
 * the webhooks whose filters match it; the next activity closes it (activityResumed). First with one TestClock driving the scan through `POST /admin/deadline-scans`, then on
 * the demo data with the services' own clocks moved by CLOCK_OFFSET_MS and the scan on its timer.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TestClock, eventually, startService, testConfig, uniqueName, trUzMemorandum } from '@tracker/testing';
/* eslint-disable @nx/enforce-module-boundaries */
import { toRegisterBody } from '../../tools/seed/load-seed';
import { AgreementsApp } from '../../services/agreements/src/service';
import { AgreementsConfig } from '../../services/agreements/src/config';
import { MilestonesApp } from '../../services/milestones/src/service';
import { MilestonesConfig } from '../../services/milestones/src/config';
import { AlertsApp } from '../../services/alerts/src/service';
import { AlertsConfig } from '../../services/alerts/src/config';
import { DeliveriesService } from '../../services/alerts/src/deliveries/deliveries.service';
import { AgreementInfoStore } from '../../services/alerts/src/read-model/agreement-info';
/* eslint-enable @nx/enforce-module-boundaries */

interface Received {
  subscriptionId: string;
  event: { type: string };
  alert: { id: string; kind: string; status: string; agreementId: string; resolution?: string };
}

interface Stall {
  id: string;
  status: string;
  resolution?: string;
  facts: { lastActivityAt?: string; idleDays?: number };
}

/** The three services, each as `npm run up` starts it (its own database), on one topic prefix. */
async function startAll(clock: TestClock | undefined, alertsSettings: Record<string, string>, common: Record<string, string> = {}) {
  const shared = { KAFKA_TOPIC_PREFIX: `${uniqueName('stall')}.`, ...common };
  const options = clock ? { clock } : {};
  const agreements = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, shared), options));
  const milestones = await startService(MilestonesApp.forRoot(testConfig(MilestonesConfig, shared), options));
  const alerts = await startService(AlertsApp.forRoot(testConfig(AlertsConfig, { ...shared, DELIVERY_INTERVAL_MS: '0', DIGEST_INTERVAL_MS: '0', ...alertsSettings }), options));
  return { agreements, milestones, alerts, close: () => Promise.all([agreements.close(), milestones.close(), alerts.close()]) };
}
type Services = Awaited<ReturnType<typeof startAll>>;

/** Plans a milestone once the milestones service knows the agreement (from Kafka; until then it answers 422). */
async function plan(s: Services, agreementId: string, type: string, title: string, dueDate: string): Promise<string> {
  const res = await eventually(async () => {
    const r = await s.milestones.as('monitor').post('/milestones').send({ agreementId, type, title, dueDate });
    if (r.status !== 201) throw new Error(`planning answered ${r.status}`);
    return r;
  });
  return res.body.id;
}

const stallsOf = async (s: Services, agreementId: string, as: 'auditor' | 'stakeholder' = 'auditor'): Promise<Stall[]> =>
  (await s.alerts.as(as).get(`/alerts?agreementId=${agreementId}&kind=agreement.stalled&limit=100`).expect(200)).body.items;

/** The stall of the agreement once `check` holds for it. */
const stallWhere = (s: Services, agreementId: string, check: (a: Stall) => boolean) =>
  eventually(async () => {
    const all = await stallsOf(s, agreementId);
    if (all.length !== 1 || !check(all[0])) throw new Error(`stalls so far: ${JSON.stringify(all)}`);
    return all[0];
  });

describe('agreement.stalled in practice (e2e)', () => {
  const clock = new TestClock('2026-03-02T09:00:00Z');
  let s: Services;
  let server: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    s = await startAll(clock, { OUTBOUND_ALLOW: '127.0.0.1/32', ALERT_SCAN_INTERVAL_MS: '0' });
  });

  afterAll(async () => {
    await s?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const hook = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const reference = (tag: string) => `STALL-${tag}-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  const scan = async () => (await s.alerts.as('admin').post('/admin/deadline-scans').expect(200)).body;
  const implementationStatus = async (agreementId: string) => (await s.agreements.as('auditor').get(`/agreements/${agreementId}`).expect(200)).body.implementationStatus;
  /** What the webhook receiver got of the agreement's stall. */
  const sent = (agreementId: string, type: string) => received.filter((m) => m.event.type === type && m.alert.kind === 'agreement.stalled' && m.alert.agreementId === agreementId);
  const subscribe = (name: string, filters: object) =>
    s.alerts.as('stakeholder').post('/subscriptions').send({ name, filters, channel: { type: 'webhook', url: hook(), secret: 'stall-webhook-secret-0123' } });

  async function register(tag: string): Promise<string> {
    const res = await s.agreements
      .as('monitor')
      .post('/agreements')
      .send(trUzMemorandum(reference(tag), { title: 'Cooperation on critical minerals', signatories: [], commodities: ['tungsten'] }));
    if (res.status !== 201) throw new Error(`registering answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  let withMilestones: string;
  let survey: string;
  let withoutMilestones: string;
  const subscriptions: Record<string, string> = {};

  it('registers an agreement with milestones and one without; webhooks subscribe by agreement, kind and country', async () => {
    withMilestones = await register('M');
    survey = await plan(s, withMilestones, 'geological_survey', 'Joint geological survey', '2027-12-31');
    await plan(s, withMilestones, 'financing', 'Project financing closed', '2027-12-31');
    withoutMilestones = await register('0');
    for (const [name, filters] of [
      ['by agreement', { agreementIds: [withMilestones] }],
      ['by kind', { kinds: ['agreement.stalled'] }],
      ['by country', { partyCountries: ['UZ'] }],
      // Milestone alerts only: an agreement-level alert has no milestone type.
      ['by milestone type', { milestoneTypes: ['geological_survey'] }],
    ] as const) {
      const res = await subscribe(name, filters).expect(201);
      subscriptions[name] = res.body.id;
    }
  });

  it('refuses a subscription to agreement.stalled by milestone type: it could never match', async () => {
    const res = await subscribe('stalls of surveys', { kinds: ['agreement.stalled'], milestoneTypes: ['geological_survey'] }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'filters.milestoneTypes', message: expect.stringContaining('agreement.stalled is about an agreement, not a milestone') }]);
  });

  it('raises one agreement.stalled 180 days after the signing, as the agreements service turns it stalled', async () => {
    const info = s.alerts.app.get(AgreementInfoStore);
    await eventually(async () => (await info.get(withMilestones))?.lastActivityAt !== undefined && (await info.get(withoutMilestones))?.lastActivityAt !== undefined);
    clock.set('2026-07-27T09:00:00Z'); // 179 days after the signing, the registration's business time
    expect(await scan()).toMatchObject({ today: '2026-07-27', raised: 0 });
    expect(await implementationStatus(withMilestones)).toBe('signed');

    clock.set('2026-07-28T09:00:00Z'); // 180 days
    expect(await scan()).toMatchObject({ today: '2026-07-28', idleAgreements: 2, raised: 2 });
    expect(await scan()).toMatchObject({ raised: 0 });
    for (const id of [withMilestones, withoutMilestones]) {
      expect(await implementationStatus(id)).toBe('stalled');
      expect(await stallsOf(s, id)).toEqual([
        expect.objectContaining({ status: 'open', severity: 'medium', window: 180, facts: { lastActivityAt: '2026-01-29T00:00:00.000Z', idleDays: 180 } }),
      ]);
      // In the stakeholder's inbox: its subscriptions match it.
      expect((await stallsOf(s, id, 'stakeholder')).map((a) => a.status)).toEqual(['open']);
    }
  });

  it('sends it once to each webhook whose filters match it, not to the one filtering by milestone type', async () => {
    const expected = [subscriptions['by agreement'], subscriptions['by kind'], subscriptions['by country']].sort();
    await eventually(async () => {
      await s.alerts.app.get(DeliveriesService).runOnce();
      return sent(withMilestones, 'alert.raised').length >= expected.length;
    });
    await s.alerts.app.get(DeliveriesService).runOnce();
    expect(sent(withMilestones, 'alert.raised').map((m) => m.subscriptionId).sort()).toEqual(expected);
  });

  it('a start entered late, dated the day the stall is measured from, leaves it open', async () => {
    clock.set('2026-08-10T09:00:00Z');
    await s.milestones.as('monitor').post(`/milestones/${survey}/start`).set('If-Match', '"1"').send({ occurredAt: '2026-01-29T15:00:00Z' }).expect(200);
    await eventually(async () => (await s.alerts.app.get(AgreementInfoStore).get(withMilestones))?.lastActivityAt === '2026-01-29T15:00:00.000Z');
    await scan();
    expect((await stallsOf(s, withMilestones)).map((a) => a.status)).toEqual(['open']);
    expect(await implementationStatus(withMilestones)).toBe('stalled');
  });

  it('the next progress closes it (activityResumed) and the resolution is sent; no stall follows', async () => {
    await s.milestones.as('monitor').post(`/milestones/${survey}/progress`).set('If-Match', '"2"').send({ percent: 10 }).expect(200);
    const closed = await stallWhere(s, withMilestones, (a) => a.status === 'resolved');
    expect(closed.resolution).toBe('activityResumed');
    await eventually(async () => {
      await s.alerts.app.get(DeliveriesService).runOnce();
      return sent(withMilestones, 'alert.resolved').some((m) => m.subscriptionId === subscriptions['by kind'] && m.alert.resolution === 'activityResumed');
    });
    expect(await implementationStatus(withMilestones)).toBe('inImplementation');
    clock.set('2026-12-01T09:00:00Z');
    await scan();
    expect((await stallsOf(s, withMilestones)).map((a) => a.status)).toEqual(['resolved']);
  });

  it('the agreement without milestones stays stalled: planning a milestone is no progress, its start is', async () => {
    const first = await plan(s, withoutMilestones, 'financing', 'Financing instrument', '2027-12-31');
    await scan();
    expect((await stallsOf(s, withoutMilestones)).map((a) => a.status)).toEqual(['open']);
    expect(await implementationStatus(withoutMilestones)).toBe('stalled');
    await s.milestones.as('monitor').post(`/milestones/${first}/start`).set('If-Match', '"1"').send({}).expect(200);
    expect((await stallWhere(s, withoutMilestones, (a) => a.status === 'resolved')).resolution).toBe('activityResumed');
  });

  /** The agreement's last activity once the alerts service has it as the agreements service does. */
  const sameActivity = (agreementId: string) =>
    eventually(async () => {
      const dashboard = (await s.agreements.as('auditor').get(`/agreements/${agreementId}`).expect(200)).body.lastActivityAt;
      const inbox = (await s.alerts.app.get(AgreementInfoStore).get(agreementId))?.lastActivityAt;
      if (!dashboard || dashboard !== inbox) throw new Error(`agreements say ${dashboard}, alerts ${inbox}`);
      return dashboard as string;
    });
  const listedStalled = async (agreementId: string) =>
    (await s.agreements.as('auditor').get(`/agreements?status=stalled&limit=100`).expect(200)).body.items.some((a: { id: string }) => a.id === agreementId);

  it('an amendment (no milestone moved) is activity in both services, and at the exact threshold both say stalled', async () => {
    const amended = await register('A');
    await sameActivity(amended);
    await scan();
    await stallWhere(s, amended, (a) => a.status === 'open');
    const res = await s.agreements.as('monitor').post(`/agreements/${amended}/amend`).set('If-Match', '"1"').send({ title: 'Cooperation on critical minerals and tungsten' }).expect(200);
    expect(res.body.implementationStatus).toBe('signed');
    expect(await sameActivity(amended)).toBe('2026-12-01T09:00:00.000Z');
    expect((await stallWhere(s, amended, (a) => a.status === 'resolved')).resolution).toBe('activityResumed');

    clock.set('2027-05-29T23:59:59Z'); // the last second of the 179th day
    await scan();
    expect((await stallsOf(s, amended)).map((a) => a.status)).toEqual(['resolved']);
    expect([await implementationStatus(amended), await listedStalled(amended)]).toEqual(['signed', false]);

    clock.set('2027-05-30T00:00:00Z'); // the 180th day begins: stalled in both at once, not hours apart
    expect([await implementationStatus(amended), await listedStalled(amended)]).toEqual(['stalled', true]);
    await scan();
    const stalls = await stallsOf(s, amended);
    expect(stalls.filter((a) => a.status === 'open')).toEqual([expect.objectContaining({ facts: { lastActivityAt: '2026-12-01T09:00:00.000Z', idleDays: 180 } })]);
  });

  it('a corrected signing date, moved later, moves the start of idleness in both: the stall closes, the status follows', async () => {
    const corrected = await register('C');
    await sameActivity(corrected);
    await scan();
    await stallWhere(s, corrected, (a) => a.status === 'open' && a.facts.lastActivityAt === '2026-01-29T00:00:00.000Z');
    expect(await implementationStatus(corrected)).toBe('stalled');
    const events = await s.agreements.as('auditor').get(`/agreements/${corrected}/events`).expect(200);
    await s.agreements
      .as('monitor')
      .post(`/agreements/${corrected}/corrections`)
      .set('If-Match', '"1"')
      .send({ eventId: events.body.items[0].eventId, changes: { signedOn: '2027-05-01', datePrecision: 'day' }, reason: 'signed in May 2027, not January 2026' })
      .expect(200);
    expect(await sameActivity(corrected)).toBe('2027-05-01T00:00:00.000Z');
    expect((await stallWhere(s, corrected, (a) => a.status === 'resolved')).resolution).toBe('activityResumed');
    expect(await implementationStatus(corrected)).toBe('signed');
  });
});

describe('agreement.stalled on the demo data, the services on their own clocks (e2e)', () => {
  // Business time 2 December 2026 for all three services, as `CLOCK_OFFSET_MS=… npm run up` would set it.
  const offset = String(Date.parse('2026-12-02T09:00:00Z') - Date.now());
  let s: Services;
  const ids = new Map<string, string>();
  const firstMilestone = new Map<string, string>();
  const idOf = (ref: string) => {
    const id = ids.get(ref);
    if (!id) throw new Error(`${ref} is not seeded`);
    return id;
  };

  beforeAll(async () => {
    s = await startAll(undefined, { ALERT_SCAN_INTERVAL_MS: '300' }, { CLOCK_OFFSET_MS: offset });
  });
  afterAll(() => s?.close());

  it('the scan on its timer raises one stall for each seeded agreement idle since its signing, none for the others', async () => {
    // What `npm run seed` loads, loaded the way it loads it.
    const seed = JSON.parse(readFileSync(path.join(__dirname, '../../deploy/demo-data/agreements.json'), 'utf8'));
    for (const a of seed.agreements) {
      const res = await s.agreements.as('monitor').post('/agreements').send(toRegisterBody(a, seed.sources)).expect(201);
      ids.set(a.ref, res.body.id);
      for (const m of a.milestones ?? []) {
        const id = await plan(s, res.body.id, m.type, m.title, m.due);
        if (!firstMilestone.has(a.ref)) firstMilestone.set(a.ref, id);
      }
    }
    // Signed on 29 January and 4 February: idle for more than 180 days. The two without a known signing date are
    // measured from their registration, today.
    const uzTr = await stallWhere(s, idOf('TR-UZ-2026-MINING'), (a) => a.status === 'open');
    expect(uzTr.facts).toEqual({ lastActivityAt: '2026-01-29T00:00:00.000Z', idleDays: 307 });
    await stallWhere(s, idOf('US-UZ-2026-CRITMIN'), (a) => a.status === 'open');
    // Another scan (the timer's keep coming): still one each, and none for the agreements registered today.
    expect((await s.alerts.as('admin').post('/admin/deadline-scans').expect(200)).body).toMatchObject({ today: '2026-12-02' });
    for (const ref of ['TR-UZ-2026-MINING', 'US-UZ-2026-CRITMIN']) expect(await stallsOf(s, idOf(ref))).toHaveLength(1);
    for (const ref of ['TR-NE-MINING', 'TR-CN-MINING']) expect(await stallsOf(s, idOf(ref))).toEqual([]);
  });

  it('progress on one of its milestones closes it', async () => {
    const agreementId = idOf('TR-UZ-2026-MINING');
    await s.milestones.as('monitor').post(`/milestones/${firstMilestone.get('TR-UZ-2026-MINING')}/start`).set('If-Match', '"1"').send({}).expect(200);
    expect((await stallWhere(s, agreementId, (a) => a.status === 'resolved')).resolution).toBe('activityResumed');
  });
});
