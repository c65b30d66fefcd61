/**
 * The live stream (SSE) of a subscription against the real stack: an alert raised here goes through the outbox
 * and alerts.events to the instance's live consumer and out to the open streams whose filters match it.
 */
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import { eventually, startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import type { AlertDraft } from '@tracker/alerts-domain';
import { AlertsService } from '../alerts/alerts.service';
import { AlertsApp } from '../service';
import { AlertsConfig } from '../config';

describe('live alert stream (SSE)', () => {
  let svc: RunningService;
  let base: string;
  const open: IncomingMessage[] = [];

  beforeAll(async () => {
    svc = await startService(
      AlertsApp.forRoot(testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('live')}.`, ALERT_SCAN_INTERVAL_MS: '0', DELIVERY_INTERVAL_MS: '0' })),
    );
    await svc.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(svc.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    open.forEach((res) => res.destroy());
    await svc?.close();
  });

  /** Opens the stream and collects its events. */
  async function stream(subscriptionId: string, key = 'dev-stakeholder') {
    const events: Array<{ event: string; id: string; data: Record<string, unknown> }> = [];
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${base}/subscriptions/${subscriptionId}/stream`, { headers: { authorization: `Bearer ${key}` } }, resolve).on('error', reject),
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

  const draft = (kind: AlertDraft['kind'], severity: AlertDraft['severity']): AlertDraft => {
    const milestoneId = uuidv7();
    return {
      dedupKey: `${milestoneId}|${kind}|2026-12-31|-`,
      kind,
      severity,
      agreementId: uuidv7(),
      milestoneId,
      milestoneType: 'financing',
      milestoneTitle: 'Financing closed',
      dueDate: '2026-12-31',
      window: null,
      facts: {},
    };
  };

  it('streams the new alerts a subscription matches, and only those', async () => {
    const subscribe = async (filters: object) =>
      (await svc.as('stakeholder').post('/subscriptions').send({ filters, channel: { type: 'inbox' } }).expect(201)).body.id as string;
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
      { event: 'alert.raised', id: expect.any(String), data: expect.objectContaining({ id: missed._id, kind: 'deadline.missed', severity: 'high' }) },
    ]);
  });

  it('answers 404 for a subscription the caller may not see, before streaming', async () => {
    const res = await svc.as('stakeholder').get(`/subscriptions/${uuidv7()}/stream`).expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
