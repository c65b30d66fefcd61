/**
 * Each stakeholder's own inbox and stand, and silences, against the real stack (tracker issue 20): two
 * stakeholder keys with different subscriptions see different inboxes and take their own stands (acknowledge,
 * snooze, done) on the alerts both see; a monitor sees every recipient's; silences mark what they hold back.
 */
import { v7 as uuidv7 } from 'uuid';
import { startService, testConfig, TestClock, uniqueName, type RunningService } from '@tracker/testing';
import type { AlertDraft } from '@tracker/alerts-domain';
import { MONGO_CONNECTION } from '@tracker/service-runtime';
import { AlertsApp } from '../service';
import { AlertsConfig } from '../config';
import { SilencesService } from '../silences/silences.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { AlertsService } from './alerts.service';
import { milestoneAlertDraft } from '../test/alert-drafts';

/** The keys of this test: two stakeholders with subscriptions, one without, a monitor, an auditor. */
const KEYS = { a: 'ngo-a', b: 'ngo-b', c: 'ngo-c', monitor: 'ops', auditor: 'audit' } as const;
type Who = keyof typeof KEYS;
const secret = (who: Who) => `key-${KEYS[who]}-0001`;

describe('recipients: own inboxes, own stands, silences', () => {
  const clock = new TestClock('2026-12-01T09:00:00Z');
  let svc: RunningService;
  const as = (who: Who) => ({
    get: (url: string) => svc.http.get(url).set('Authorization', `Bearer ${secret(who)}`),
    post: (url: string, body: object = {}) => svc.http.post(url).set('Authorization', `Bearer ${secret(who)}`).send(body),
  });

  const X = uuidv7(); // an agreement A follows, and B for its serious alerts
  const Y = uuidv7(); // an agreement B follows
  /** The alerts, raised oldest first: x1 (X, low), x2 (X, high), y1 (Y, low), y2 (Y stalled). */
  const ids: Record<'x1' | 'x2' | 'y1' | 'y2', string> = { x1: '', x2: '', y1: '', y2: '' };
  const subs = { a1: '', a2: '', b1: '', b2: '' };

  const inbox = async (who: Who, query = ''): Promise<Array<{ id: string; mine?: unknown; silenced?: unknown }>> =>
    (await as(who).get(`/alerts?limit=100${query}`).expect(200)).body.items;
  const namesIn = async (who: Who, query = '') => {
    const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    return (await inbox(who, query)).map((a) => byId[a.id]);
  };
  const subscribe = async (who: Who, filters: object) => (await as(who).post('/subscriptions', { filters, channel: { type: 'inbox' } }).expect(201)).body.id as string;

  const milestone = (agreementId: string, kind: AlertDraft['kind'], severity: AlertDraft['severity']): AlertDraft =>
    milestoneAlertDraft(agreementId, kind, severity, { window: 7, facts: { milestoneStatus: 'scheduled', daysLeft: 6 } });

  beforeAll(async () => {
    const config = testConfig(AlertsConfig, {
      KAFKA_TOPIC_PREFIX: `${uniqueName('rcp')}.`,
      ALERT_SCAN_INTERVAL_MS: '0',
      SILENCES_REFRESH_MS: '600000',
      API_KEYS: JSON.stringify([
        { name: KEYS.a, roles: ['stakeholder'], key: secret('a') },
        { name: KEYS.b, roles: ['stakeholder'], key: secret('b') },
        { name: KEYS.c, roles: ['stakeholder'], key: secret('c') },
        { name: KEYS.monitor, roles: ['monitor'], key: secret('monitor') },
        { name: KEYS.auditor, roles: ['auditor'], key: secret('auditor') },
      ]),
    });
    svc = await startService(AlertsApp.forRoot(config, { clock }));
    const alerts = svc.app.get(AlertsService);
    const drafts: Record<keyof typeof ids, AlertDraft> = {
      x1: milestone(X, 'deadline.approaching', 'low'),
      x2: milestone(X, 'deadline.missed', 'high'),
      y1: milestone(Y, 'deadline.approaching', 'low'),
      y2: {
        dedupKey: `${Y}|agreement.stalled|2026-06-01|180`,
        kind: 'agreement.stalled',
        severity: 'medium',
        agreementId: Y,
        milestoneId: null,
        milestoneType: null,
        milestoneTitle: null,
        dueDate: null,
        window: 180,
        facts: { lastActivityAt: '2026-06-01T00:00:00.000Z', idleDays: 180 },
      },
    };
    let minute = 0;
    for (const name of ['x1', 'x2', 'y1', 'y2'] as const) {
      ids[name] = (await alerts.raise(drafts[name], { correlationId: uuidv7() }, new Date(clock.now().getTime() - 60_000 * (10 - minute++)))).alert._id;
    }
    // A: agreement X, and stalled agreements anywhere. B: agreement Y, and X's serious alerts. C: nothing.
    subs.a1 = await subscribe('a', { agreementIds: [X] });
    subs.a2 = await subscribe('a', { kinds: ['agreement.stalled'] });
    subs.b1 = await subscribe('b', { agreementIds: [Y] });
    subs.b2 = await subscribe('b', { agreementIds: [X], minSeverity: 'high' });
  });
  afterAll(async () => {
    await svc?.close();
  });

  describe('own inboxes', () => {
    it('shows each stakeholder the alerts its subscriptions match (their union), newest first, each open for it', async () => {
      expect(await namesIn('a')).toEqual(['y2', 'x2', 'x1']);
      expect(await namesIn('b')).toEqual(['y2', 'y1', 'x2']);
      expect((await inbox('a')).map((a) => a.mine)).toEqual([{ state: 'open' }, { state: 'open' }, { state: 'open' }]);
      // The filters still narrow the inbox.
      expect(await namesIn('a', `&agreementId=${X}`)).toEqual(['x2', 'x1']);
      expect(await namesIn('b', '&minSeverity=medium')).toEqual(['y2', 'x2']);
    });

    it('gives a stakeholder without a subscription an empty inbox, and a monitor every alert, without `mine`', async () => {
      expect(await inbox('c')).toEqual([]);
      const all = await inbox('monitor');
      expect(all.map((a) => a.id).sort()).toEqual(Object.values(ids).sort());
      expect(all.every((a) => !('mine' in a))).toBe(true);
    });

    it('pages an inbox with the cursor', async () => {
      const first = (await as('a').get('/alerts?limit=2').expect(200)).body;
      expect(first.items.map((a: { id: string }) => a.id)).toEqual([ids.y2, ids.x2]);
      const second = (await as('a').get(`/alerts?limit=2&cursor=${first.nextCursor}`).expect(200)).body;
      expect(second).toEqual({ items: [expect.objectContaining({ id: ids.x1 })], nextCursor: null });
    });

    it('serves one subscription’s inbox to its owner only', async () => {
      expect(await namesIn('a', `&subscriptionId=${subs.a2}`)).toEqual(['y2']);
      await as('b').get(`/alerts?subscriptionId=${subs.a2}`).expect(404);
    });

    it('answers 404 for an alert none of the stakeholder’s subscriptions matches, to read it or act on it', async () => {
      await as('b').get(`/alerts/${ids.x1}`).expect(404);
      for (const [action, body] of [['ack', {}], ['snooze', { until: '2026-12-02T09:00:00Z' }], ['done', {}]] as const) {
        await as('b').post(`/alerts/${ids.x1}/${action}`, body).expect(404);
        await as('c').post(`/alerts/${ids.y2}/${action}`, body).expect(404);
      }
      expect((await as('a').get(`/alerts/${ids.x1}`).expect(200)).body).toMatchObject({ id: ids.x1, mine: { state: 'open' } });
    });

    it('refuses a ?mine= that is not a list of stands (400 naming it)', async () => {
      const res = await as('a').get('/alerts?mine=open,sleeping').expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'mine' })]);
    });
  });

  describe('own stands', () => {
    it('A’s acknowledgement is A’s: B still sees the alert open; a monitor sees both acknowledgements with their notes', async () => {
      const acked = (await as('a').post(`/alerts/${ids.x2}/ack`, { note: 'called the ministry' }).expect(200)).body;
      expect(acked).toMatchObject({ id: ids.x2, status: 'acknowledged', mine: { state: 'acknowledged', note: 'called the ministry', at: clock.now().toISOString() } });
      expect((await as('b').get(`/alerts/${ids.x2}`).expect(200)).body).toMatchObject({ status: 'acknowledged', mine: { state: 'open' } });
      expect((await inbox('b')).find((a) => a.id === ids.x2)?.mine).toEqual({ state: 'open' });
      clock.advance({ minutes: 5 });
      await as('b').post(`/alerts/${ids.x2}/ack`, { note: 'we follow it too' }).expect(200);
      const seen = (await as('monitor').get(`/alerts/${ids.x2}`).expect(200)).body;
      expect(seen.acknowledgements).toEqual([
        { by: KEYS.a, at: '2026-12-01T09:00:00.000Z', note: 'called the ministry' },
        { by: KEYS.b, at: '2026-12-01T09:05:00.000Z', note: 'we follow it too' },
      ]);
      expect(seen.recipients).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ by: KEYS.a, state: 'acknowledged' }),
          expect.objectContaining({ by: KEYS.b, state: 'acknowledged' }),
        ]),
      );
      // Still in both inboxes: acknowledged is not done.
      expect(await namesIn('a')).toContain('x2');
    });

    it('a snooze hides the alert from A’s inbox until then, shows it with ?mine=snoozed, leaves B’s alone, and runs out', async () => {
      const until = '2026-12-03T09:00:00.000Z';
      const snoozed = (await as('a').post(`/alerts/${ids.y2}/snooze`, { until: '2026-12-03T10:00:00+01:00', note: 'after the board meeting' }).expect(200)).body;
      expect(snoozed.mine).toEqual({ state: 'snoozed', at: clock.now().toISOString(), until, note: 'after the board meeting' });
      expect(snoozed.status).toBe('open');
      expect(await namesIn('a')).toEqual(['x2', 'x1']);
      expect(await namesIn('a', '&mine=snoozed')).toEqual(['y2']);
      expect(await namesIn('b')).toContain('y2');
      clock.set(until); // the snooze ran out: open again, back in the inbox
      expect(await namesIn('a')).toEqual(['y2', 'x2', 'x1']);
      expect((await as('a').get(`/alerts/${ids.y2}`).expect(200)).body.mine).toEqual({ state: 'open' });
    });

    it('done takes the alert out of A’s inbox for good; ?mine= lists any stands asked for', async () => {
      const done = (await as('a').post(`/alerts/${ids.x1}/done`, { note: 'handled' }).expect(200)).body;
      expect(done.mine).toMatchObject({ state: 'done', note: 'handled' });
      expect(await namesIn('a')).toEqual(['y2', 'x2']);
      expect(await namesIn('a', '&mine=done')).toEqual(['x1']);
      expect(await namesIn('a', '&mine=open,acknowledged,snoozed,done')).toEqual(['y2', 'x2', 'x1']);
      expect(await namesIn('a', '&mine=acknowledged')).toEqual(['x2']);
      // Done is for good: snoozing it is refused, with the reason; marking it done again answers it as it is.
      const refused = await as('a').post(`/alerts/${ids.x1}/snooze`, { until: '2026-12-05T00:00:00Z' }).expect(409);
      expect(refused.body.detail).toMatch(/marked done by ngo-a/);
      expect((await as('a').post(`/alerts/${ids.x1}/done`).expect(200)).body.mine.state).toBe('done');
    });

    it('refuses a snooze into the past, of more than 90 days, or without a valid time (400 naming until)', async () => {
      const untilRefused = async (body: object) => {
        const res = await as('b').post(`/alerts/${ids.y1}/snooze`, body).expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'until' })]);
        return res.body.errors[0].message as string;
      };
      expect(await untilRefused({ until: '2026-12-01T00:00:00Z' })).toMatch(/later than now/);
      expect(await untilRefused({ until: clock.now().toISOString() })).toMatch(/later than now/);
      expect(await untilRefused({ until: '2027-03-10T00:00:00Z' })).toMatch(/at most 90 days/);
      expect(await untilRefused({ until: 'next week' })).toMatch(/ISO 8601/);
      expect(await untilRefused({ until: '2026-12-31' })).toMatch(/ISO 8601/);
      expect(await untilRefused({})).toMatch(/ISO 8601/);
      // Exactly 90 days ahead is allowed.
      await as('b').post(`/alerts/${ids.y1}/snooze`, { until: new Date(clock.now().getTime() + 90 * 86_400_000).toISOString() }).expect(200);
    });

    it('keeps monitors and auditors read-only', async () => {
      await as('monitor').post(`/alerts/${ids.x2}/ack`).expect(403);
      await as('auditor').post(`/alerts/${ids.x2}/done`).expect(403);
      await as('monitor').post('/silences', { agreementId: X, until: '2026-12-10T00:00:00Z', comment: 'no' }).expect(403);
    });
  });

  describe('silences', () => {
    const inADay = () => new Date(clock.now().getTime() + 86_400_000).toISOString();
    let silenceA = '';

    it('creates a silence of one’s own subscription, marks what it holds back in the inbox, and answers the dispatcher', async () => {
      const res = await as('a').post('/silences', { subscriptionId: subs.a1, until: inADay(), comment: 'renegotiation under way' }).expect(201);
      silenceA = res.body.id;
      expect(res.headers.location).toBe(`/silences/${silenceA}`);
      expect(res.body).toEqual({
        id: silenceA,
        owner: KEYS.a,
        subscriptionId: subs.a1,
        until: inADay(),
        endsAt: inADay(),
        active: true,
        comment: 'renegotiation under way',
        createdAt: clock.now().toISOString(),
        createdBy: KEYS.a,
      });
      const mark = { id: silenceA, until: inADay(), comment: 'renegotiation under way' };
      const items = await inbox('a', '&mine=open,acknowledged,done');
      // x1, x2: only a1 matches them, silenced; y2: a2 matches it, not silenced.
      expect(Object.fromEntries(items.map((a) => [a.id, a.silenced]))).toEqual({ [ids.x1]: mark, [ids.x2]: mark, [ids.y2]: undefined });
      expect((await as('a').get(`/alerts/${ids.x2}`).expect(200)).body.silenced).toEqual(mark);
      // B's subscriptions are B's: not silenced by A.
      expect((await as('b').get(`/alerts/${ids.x2}`).expect(200)).body).not.toHaveProperty('silenced');

      const silences = svc.app.get(SilencesService);
      expect(await silences.silencing({ _id: subs.a1, owner: KEYS.a }, { agreementId: X }, clock.now())).toMatchObject({ id: silenceA, active: true });
      expect(await silences.silencing({ _id: subs.a2, owner: KEYS.a }, { agreementId: Y }, clock.now())).toBeNull();
      expect(await silences.silencing({ _id: subs.b2, owner: KEYS.b }, { agreementId: X }, clock.now())).toBeNull();
      // Not before it was created, nor once it ends.
      expect(await silences.silencing({ _id: subs.a1, owner: KEYS.a }, { agreementId: X }, new Date(clock.now().getTime() - 1))).toBeNull();
      expect(await silences.silencing({ _id: subs.a1, owner: KEYS.a }, { agreementId: X }, new Date(inADay()))).toBeNull();
    });

    it('silences an agreement across all of the owner’s subscriptions', async () => {
      const res = await as('b').post('/silences', { agreementId: Y, until: inADay(), comment: 'suspended; we wait' }).expect(201);
      const items = await inbox('b', '&mine=open,acknowledged,snoozed,done');
      const marked = items.filter((a) => a.silenced).map((a) => a.id);
      expect(marked.sort()).toEqual([ids.y1, ids.y2].sort());
      expect(items.find((a) => a.id === ids.y2)?.silenced).toEqual({ id: res.body.id, until: inADay(), comment: 'suspended; we wait' });
      const silences = svc.app.get(SilencesService);
      expect(await silences.silencing({ _id: subs.b1, owner: KEYS.b }, { agreementId: Y }, clock.now())).toMatchObject({ id: res.body.id });
      expect(await silences.silencing({ _id: subs.b2, owner: KEYS.b }, { agreementId: Y }, clock.now())).toMatchObject({ id: res.body.id });
      // A's alerts of that agreement are A's business.
      expect(await silences.silencing({ _id: subs.a2, owner: KEYS.a }, { agreementId: Y }, clock.now())).toBeNull();
      expect((await as('a').get(`/alerts/${ids.y2}`).expect(200)).body).not.toHaveProperty('silenced');
    });

    it('lists one’s own silences (monitors and auditors: all), by whether they hold now', async () => {
      const ownersOf = async (who: Who, query = '') => (await as(who).get(`/silences${query}`).expect(200)).body.items.map((s: { owner: string }) => s.owner);
      expect(await ownersOf('a')).toEqual([KEYS.a]);
      expect(await ownersOf('c')).toEqual([]);
      expect(await ownersOf('monitor')).toEqual([KEYS.a, KEYS.b]);
      expect(await ownersOf('auditor', '?active=true')).toEqual([KEYS.a, KEYS.b]);
      expect(await ownersOf('auditor', '?active=false')).toEqual([]);
      expect((await as('monitor').get(`/silences/${silenceA}`).expect(200)).body).toMatchObject({ id: silenceA, owner: KEYS.a });
      await as('b').get(`/silences/${silenceA}`).expect(404);
      await as('a').get('/silences?active=maybe').expect(400);
    });

    it('expires a silence: it ends now, the record stays, the alerts are no longer marked, the dispatcher delivers again', async () => {
      await as('b').post(`/silences/${silenceA}/expire`).expect(404);
      clock.advance({ hours: 1 });
      const expired = (await as('a').post(`/silences/${silenceA}/expire`).expect(200)).body;
      expect(expired).toMatchObject({ id: silenceA, active: false, expiredAt: clock.now().toISOString(), expiredBy: KEYS.a, endsAt: clock.now().toISOString() });
      expect((await as('a').get(`/alerts/${ids.x2}`).expect(200)).body).not.toHaveProperty('silenced');
      expect(await svc.app.get(SilencesService).silencing({ _id: subs.a1, owner: KEYS.a }, { agreementId: X }, clock.now())).toBeNull();
      expect((await as('a').get('/silences?active=false').expect(200)).body.items.map((s: { id: string }) => s.id)).toEqual([silenceA]);
      // Again: answered as it is.
      expect((await as('a').post(`/silences/${silenceA}/expire`).expect(200)).body).toEqual(expired);
    });

    it('holds a silence created through another instance from the moment it is answered, and lifts it when expired there', async () => {
      const silences = svc.app.get(SilencesService);
      // Another instance: its own service and memory, the same database.
      const other = new SilencesService(svc.app.get(MONGO_CONNECTION), clock, svc.app.get(SubscriptionsService), svc.app.get(AlertsConfig));
      const subscription = { _id: subs.a2, owner: KEYS.a };
      expect(await silences.silencing(subscription, { agreementId: Y }, clock.now())).toBeNull(); // read just now
      const created = await other.create({ subscriptionId: subs.a2, until: inADay(), comment: 'elsewhere' }, { id: KEYS.a, role: 'stakeholder' });
      // SILENCES_REFRESH_MS is ten minutes here: only the generation can have told this instance.
      expect(await silences.silencing(subscription, { agreementId: Y }, clock.now())).toMatchObject({ id: created.id, comment: 'elsewhere' });
      await other.expire(created.id, { id: KEYS.a, role: 'stakeholder' });
      expect(await silences.silencing(subscription, { agreementId: Y }, clock.now())).toBeNull();
    });

    it('refuses invalid silences with the field, and someone else’s or an unknown subscription with 404', async () => {
      const fieldsOf = async (body: object) => (await as('a').post('/silences', body).expect(400)).body.errors.map((e: { field: string }) => e.field);
      const valid = { agreementId: X, until: inADay(), comment: 'ok' };
      expect(await fieldsOf({ until: inADay(), comment: 'neither' })).toEqual(['subscriptionId']);
      expect(await fieldsOf({ ...valid, until: '2026-11-30T00:00:00Z' })).toEqual(['until']);
      expect(await fieldsOf({ ...valid, until: new Date(clock.now().getTime() + 366 * 86_400_000).toISOString() })).toEqual(['until']);
      expect(await fieldsOf({ ...valid, until: 'tomorrow' })).toEqual(['until']);
      expect(await fieldsOf({ agreementId: X, until: inADay() })).toEqual(['comment']);
      expect(await fieldsOf({ ...valid, comment: '' })).toEqual(['comment']);
      expect(await fieldsOf({ ...valid, comment: 'x'.repeat(1001) })).toEqual(['comment']);
      expect(await fieldsOf({ ...valid, agreementId: 'TR-UZ-2026' })).toEqual(['agreementId']);
      expect(await fieldsOf({ ...valid, owner: KEYS.b })).toEqual(['owner']);
      await as('b').post('/silences', { subscriptionId: subs.a1, until: inADay(), comment: 'not mine' }).expect(404);
      await as('a').post('/silences', { subscriptionId: uuidv7(), until: inADay(), comment: 'unknown' }).expect(404);
      await as('a').post('/silences', { ...valid, comment: 'x'.repeat(1000) }).expect(201);
    });
  });

  describe('order', () => {
    it('lists an alert raised today about a month ago (a back-filled cause) first: newest recorded first', async () => {
      const alerts = svc.app.get(AlertsService);
      const Z = uuidv7();
      const today = (await alerts.raise(milestone(Z, 'deadline.approaching', 'low'), { correlationId: uuidv7() }, clock.now())).alert;
      const monthAgo = new Date(clock.now().getTime() - 30 * 86_400_000);
      const backFilled = (await alerts.raise(milestone(Z, 'milestone.slipped', 'medium'), { correlationId: uuidv7() }, monthAgo)).alert;
      const listed = (await as('monitor').get(`/alerts?agreementId=${Z}`).expect(200)).body.items as Array<{ id: string; raisedAt: string; recordedAt: string }>;
      expect(listed.map((a) => a.id)).toEqual([backFilled._id, today._id]);
      expect(listed[0].raisedAt).toBe(monthAgo.toISOString());
      expect(Date.parse(listed[0].recordedAt)).toBeGreaterThanOrEqual(Date.parse(listed[1].recordedAt));
      expect(Date.parse(listed[0].recordedAt) - monthAgo.getTime()).toBeGreaterThan(29 * 86_400_000);
    });
  });
});
