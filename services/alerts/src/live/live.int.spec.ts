/**
 * The live stream (SSE) of a subscription against the real stack: an alert raised here goes through the outbox
 * and alerts.events to the instance's live consumer and out to the open streams whose filters match it; a
 * client reconnecting with Last-Event-ID gets what it missed, then live ones.
 */
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import { Cursor } from '@tracker/platform';
import { eventually, startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import type { AlertDraft } from '@tracker/alerts-domain';
import { alertSeq, AlertsService } from '../alerts/alerts.service';
import { LiveAlerts } from './live-alerts';
import { AlertsApp } from '../service';
import { AlertsConfig } from '../config';
import { milestoneAlertDraft } from '../test/alert-drafts';

describe('live alert stream (SSE)', () => {
  let svc: RunningService;
  let base: string;
  const open: IncomingMessage[] = [];

  beforeAll(async () => {
    svc = await startService(
      AlertsApp.forRoot(testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('live')}.`, ALERT_SCAN_INTERVAL_MS: '0', DELIVERY_INTERVAL_MS: '0', LIVE_BACKLOG_MAX: '3' })),
    );
    await svc.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(svc.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    open.forEach((res) => res.destroy());
    await svc?.close();
  });

  /** Opens the stream and collects its events. */
  async function stream(subscriptionId: string, options: { lastEventId?: string; query?: string } = {}) {
    const events: Array<{ event: string; id: string; data: Record<string, unknown> }> = [];
    const headers = { authorization: 'Bearer dev-stakeholder', ...(options.lastEventId && { 'last-event-id': options.lastEventId }) };
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${base}/subscriptions/${subscriptionId}/stream${options.query ?? ''}`, { headers }, resolve).on('error', reject),
    );
    open.push(res);
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.event) events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data) });
      }
    });
    return { res, events };
  }

  const draft = (kind: AlertDraft['kind'], severity: AlertDraft['severity'], agreementId = uuidv7()): AlertDraft =>
    milestoneAlertDraft(agreementId, kind, severity, { milestoneType: 'financing', milestoneTitle: 'Financing closed' });

  const subscribe = async (filters: object) =>
    (await svc.as('stakeholder').post('/subscriptions').send({ filters, channel: { type: 'inbox' } }).expect(201)).body.id as string;

  it('streams the new alerts a subscription matches, and only those', async () => {
    const missedOnly = await stream(await subscribe({ kinds: ['deadline.missed'] }));
    const everything = await stream(await subscribe({}));
    expect(missedOnly.res.statusCode).toBe(200);
    expect(missedOnly.res.headers['content-type']).toMatch(/^text\/event-stream/);

    const alerts = svc.app.get(AlertsService);
    const slipped = (await alerts.raise(draft('milestone.slipped', 'low'), { correlationId: uuidv7() })).alert;
    const missed = (await alerts.raise(draft('deadline.missed', 'high'), { correlationId: uuidv7() })).alert;

    await eventually(() => everything.events.length === 2 && missedOnly.events.length === 1);
    expect(everything.events.map((e) => e.data.id).sort()).toEqual([slipped._id, missed._id].sort());
    expect(missedOnly.events).toEqual([
      {
        event: 'alert.raised',
        id: Cursor.encode(missed.seq),
        data: expect.objectContaining({
          id: missed._id,
          kind: 'deadline.missed',
          severity: 'high',
          reason: 'Financing closed missed its due date 2026-12-31 by 0 days',
          milestone: expect.objectContaining({ id: missed.milestoneId, title: 'Financing closed' }),
          links: expect.objectContaining({ alert: `http://localhost:3003/alerts/${missed._id}` }),
        }),
      },
    ]);
  });

  describe('reconnecting with Last-Event-ID', () => {
    const alerts = () => svc.app.get(AlertsService);
    let at = Date.now() - 60_000;
    /** Raised one after the other, a millisecond apart: the order the stream resumes in. */
    const raise = async (agreementId: string, kind: AlertDraft['kind'] = 'milestone.slipped') =>
      (await alerts().raise(draft(kind, 'medium', agreementId), { correlationId: uuidv7() }, new Date(++at))).alert;
    /** The alerts a stream sent, by id. */
    const ids = (events: Array<{ data: Record<string, unknown> }>) => events.map((e) => e.data.id);

    it('sends exactly the missed alerts the subscription matches, then live ones', async () => {
      const agreementId = uuidv7();
      const subscription = await subscribe({ agreementIds: [agreementId] });
      const first = await stream(subscription);
      const seen = [await raise(agreementId), await raise(agreementId)];
      await eventually(() => first.events.length === 2);
      expect(ids(first.events)).toEqual(seen.map((a) => a._id));
      first.res.destroy();

      const missed = [await raise(agreementId), await raise(agreementId, 'deadline.missed')];
      await raise(uuidv7()); // another agreement's: not this subscription's
      const again = await stream(subscription, { lastEventId: first.events.at(-1)!.id });
      await eventually(() => again.events.length === 2);
      expect(again.events.map((e) => e.id)).toEqual(missed.map((a) => Cursor.encode(a.seq)));
      expect(ids(again.events)).toEqual(missed.map((a) => a._id));
      expect(again.events[1].data).toMatchObject({ kind: 'deadline.missed', agreement: { id: agreementId } });

      const live = await raise(agreementId);
      await eventually(() => again.events.length === 3);
      expect(ids(again.events)).toEqual([...missed, live].map((a) => a._id));
      again.res.destroy();

      // ?lastEventId= for clients that cannot send the header.
      const polyfill = await stream(subscription, { query: `?lastEventId=${again.events[1].id}` });
      await eventually(() => polyfill.events.length === 1);
      expect(ids(polyfill.events)).toEqual([live._id]);
    });

    it('sends an alert whose document was not written yet when the backlog was read, once', async () => {
      const agreementId = uuidv7();
      const subscription = await subscribe({ agreementIds: [agreementId] });
      const first = await stream(subscription);
      const seen = await raise(agreementId);
      await eventually(() => first.events.length === 1);
      first.res.destroy();

      const late = await raise(agreementId);
      const live = svc.app.get(LiveAlerts);
      await eventually(() => live.recent().some((e) => e.data.alertId === late._id));
      // As if its document were still to be written (another instance's, or healed later from the stream).
      await alerts().alerts.deleteOne({ _id: late._id });
      const again = await stream(subscription, { lastEventId: Cursor.encode(seen.seq) });
      await eventually(() => again.events.length === 1);
      expect(again.events[0]).toMatchObject({ id: Cursor.encode(late.seq), data: { id: late._id, status: 'open' } });
      const next = await raise(agreementId);
      await eventually(() => again.events.length === 2);
      expect(ids(again.events)).toEqual([late._id, next._id]);
    });

    it('sends the latest LIVE_BACKLOG_MAX missed alerts after saying that earlier ones are in the inbox', async () => {
      const agreementId = uuidv7();
      const subscription = await subscribe({ agreementIds: [agreementId] });
      const last = await raise(agreementId);
      const missed: string[] = [];
      for (let i = 0; i < 5; i++) missed.push((await raise(agreementId))._id);
      const again = await stream(subscription, { lastEventId: Cursor.encode(last.seq) });
      await eventually(() => again.events.length === 4);
      expect(again.events[0]).toEqual({
        event: 'backlog.truncated',
        id: undefined,
        data: { reason: expect.stringContaining('latest 3'), inbox: `http://localhost:3003/alerts?subscriptionId=${subscription}` },
      });
      expect(ids(again.events.slice(1))).toEqual(missed.slice(-3));
    });

    it('replays an alert raised late about an earlier time (a back-filled report), in the order it was recorded', async () => {
      const agreementId = uuidv7();
      const subscription = await subscribe({ agreementIds: [agreementId] });
      const first = await stream(subscription);
      const newest = await raise(agreementId);
      await eventually(() => first.events.length === 1);
      first.res.destroy();

      // Raised now about a month ago: before the one the stream last sent by business time, after it by record.
      const monthAgo = new Date(at - 30 * 86_400_000);
      const backFilled = (await alerts().raise(draft('milestone.slipped', 'low', agreementId), { correlationId: uuidv7() }, monthAgo)).alert;
      expect(backFilled.raisedAt < newest.raisedAt && backFilled.seq > newest.seq).toBe(true);
      const again = await stream(subscription, { lastEventId: first.events[0].id });
      await eventually(() => again.events.length === 1);
      expect(again.events[0]).toMatchObject({ id: Cursor.encode(backFilled.seq), data: { id: backFilled._id, raisedAt: monthAgo.toISOString() } });
      const next = await raise(agreementId);
      await eventually(() => again.events.length === 2);
      expect(ids(again.events)).toEqual([backFilled._id, next._id]);
    });

    it('resumes from an id given before the upgrade to positions (`<time>|<alert id>`) from where that alert is now', async () => {
      const agreementId = uuidv7();
      const subscription = await subscribe({ agreementIds: [agreementId] });
      const old = await raise(agreementId);
      const missed = await raise(agreementId);
      const again = await stream(subscription, { lastEventId: Cursor.encode(`${old.raisedAt}|${old._id}`) });
      expect(again.res.statusCode).toBe(200);
      await eventually(() => again.events.length === 1);
      expect(ids(again.events)).toEqual([missed._id]);
    });

    it('never moves its position back: each id is the highest position sent so far, whatever order alerts arrive in', async () => {
      const [x, y] = [uuidv7(), uuidv7()];
      const s = await stream(await subscribe({ agreementIds: [x, y] }));
      // Two agreements: two partitions, so the stream may get them in either order.
      const raised = [await raise(x), await raise(y), await raise(x), await raise(y)];
      await eventually(() => s.events.length === 4);
      const positions = s.events.map((e) => Cursor.decode(e.id));
      expect(positions).toEqual([...positions].sort());
      expect(positions.at(-1)).toBe(raised.map((a) => a.seq).sort().at(-1));
    });

    it('answers 400 naming what to send for a malformed or unknown Last-Event-ID, before streaming', async () => {
      const subscription = await subscribe({});
      const url = `/subscriptions/${subscription}/stream`;
      const malformed = await svc.as('stakeholder').get(url).set('Last-Event-ID', 'yesterday').expect(400);
      expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(malformed.body)).toMatch(/Last-Event-ID is not the id: of a message of this stream: send the id: of the last message/);
      const unknown = await svc.as('stakeholder').get(url).set('Last-Event-ID', Cursor.encode(alertSeq(1, uuidv7()))).expect(400);
      expect(JSON.stringify(unknown.body)).toMatch(/Last-Event-ID names no alert this service raised/);
      const badQuery = await svc.as('stakeholder').get(`${url}?lastEventId=7`).expect(400);
      expect(JSON.stringify(badQuery.body)).toMatch(/lastEventId is not the id: of a message/);
    });
  });

  it('documents resuming: the Last-Event-ID header, ?lastEventId= and the 400', async () => {
    const docs = (await svc.http.get('/docs-json').expect(200)).body;
    const operation = docs.paths['/subscriptions/{id}/stream'].get;
    expect(operation.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Last-Event-ID' }), expect.objectContaining({ in: 'query', name: 'lastEventId' })]),
    );
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(docs.components.schemas.AlertPayloadDto).toBeDefined();
  });

  it('answers 404 for a subscription the caller may not see, before streaming', async () => {
    const res = await svc.as('stakeholder').get(`/subscriptions/${uuidv7()}/stream`).expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
