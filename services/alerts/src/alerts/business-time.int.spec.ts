/**
 * Alerts on business time (issue 15, ADR 0008), against the real stack: a milestone reported met late, on a date
 * before its due date, resolves the miss raised meanwhile as met on time; a corrected due date closes the
 * deadline alerts of the wrong date and the scheduler raises those of the right one.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type EventEnvelope, type MilestoneEventData } from '@tracker/contracts';
import { ForeignEvents, TestClock, eventually, publishEvent, startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { AlertsConfig } from '../config';
import { DeadlineStore } from '../read-model/deadlines';
import { AlertsApp } from '../service';
import { AlertsService, type AlertView } from './alerts.service';
import { DeadlineScheduler } from './deadline-scheduler';

describe('alerts: business time', () => {
  const clock = new TestClock('2026-06-01T09:00:00Z');
  const prefix = `${uniqueName('abz')}.`;
  const config = testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: prefix, ALERT_SCAN_INTERVAL_MS: '0' });
  const events = new ForeignEvents(() => clock.now());
  const agreementId = uuidv7();
  let svc: RunningService;
  let producer: Producer;
  let scheduler: DeadlineScheduler;
  let deadlines: DeadlineStore;

  const milestoneEvent = async <K extends keyof MilestoneEventData>(
    milestoneId: string,
    type: K,
    data: Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>,
    occurredAt?: string,
  ): Promise<EventEnvelope> =>
    publishEvent(
      producer,
      `${prefix}${Topics.milestones}`,
      events.next(`milestone-${milestoneId}`, agreementId, type, { milestoneId, agreementId, ...data }, occurredAt ? { occurredAt } : {}),
    );
  const alertsOf = async (milestoneId: string): Promise<AlertView[]> =>
    (await svc.as('auditor').get(`/alerts?milestoneId=${milestoneId}&limit=100`).expect(200)).body.items;
  const planned = (title: string, dueDate: string) => ({ type: 'financing' as const, title, dueDate, evidence: [] });

  beforeAll(async () => {
    svc = await startService(AlertsApp.forRoot(config, { clock }));
    scheduler = svc.app.get(DeadlineScheduler);
    deadlines = svc.app.get(DeadlineStore);
    producer = new Kafka({ clientId: 'abz', brokers: config.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  it('a milestone met by its due date but reported late resolves the miss as met on time', async () => {
    const milestoneId = uuidv7();
    await milestoneEvent(milestoneId, 'milestone.planned', planned('First disbursement', '2026-06-30'));
    await eventually(() => deadlines.get(milestoneId));
    // 2 July: nothing reported, so the deadline is missed.
    clock.set('2026-07-02T09:00:00Z');
    await scheduler.runOnce();
    expect((await alertsOf(milestoneId)).map((a) => [a.kind, a.status])).toEqual([['deadline.missed', 'open']]);
    // 5 July: it was met on 28 June after all.
    clock.set('2026-07-05T09:00:00Z');
    await milestoneEvent(milestoneId, 'milestone.met', { metOn: '2026-06-28', evidence: [{ url: 'https://example.org/transfer.pdf' }] }, '2026-06-28T00:00:00.000Z');
    const resolved = await eventually(async () => {
      const alerts = await alertsOf(milestoneId);
      return alerts.find((a) => a.kind === 'deadline.missed' && a.status === 'resolved');
    });
    expect(resolved?.resolution).toBe('metOnTime');
    const notice = (await alertsOf(milestoneId)).find((a) => a.kind === 'milestone.resolved');
    expect(notice?.facts).toMatchObject({ outcome: 'met', outcomeOn: '2026-06-28' });
    // Not watched any more: no miss again.
    clock.set('2026-07-20T09:00:00Z');
    await scheduler.runOnce();
    expect((await alertsOf(milestoneId)).filter((a) => a.status !== 'resolved' && a.kind !== 'milestone.resolved')).toEqual([]);
  });

  it('a corrected due date closes the deadline alerts of the wrong date; the scan raises those of the right one', async () => {
    const milestoneId = uuidv7();
    clock.set('2026-08-01T09:00:00Z');
    const plan = await milestoneEvent(milestoneId, 'milestone.planned', planned('Processing plant permit', '2026-08-05'));
    await eventually(() => deadlines.get(milestoneId));
    await scheduler.runOnce();
    expect((await alertsOf(milestoneId)).map((a) => [a.kind, a.dueDate, a.window])).toEqual([['deadline.approaching', '2026-08-05', 7]]);
    // The due date was typed wrongly: 5 December.
    await milestoneEvent(milestoneId, 'milestone.corrected', {
      correctsEventId: plan.eventId,
      correctsType: 'milestone.planned',
      changes: { dueDate: '2026-12-05' },
      current: true,
      reason: 'typed August for December',
    });
    const closed = await eventually(async () => {
      const alerts = await alertsOf(milestoneId);
      return alerts.find((a) => a.status === 'resolved');
    });
    expect(closed).toMatchObject({ kind: 'deadline.approaching', dueDate: '2026-08-05', resolution: 'dueDateCorrected' });
    expect(await deadlines.get(milestoneId)).toMatchObject({ dueDate: '2026-12-05', slipCount: 0, watched: true });
    clock.set('2026-11-10T09:00:00Z');
    await scheduler.runOnce();
    const open = (await alertsOf(milestoneId)).filter((a) => a.status === 'open');
    expect(open.map((a) => [a.kind, a.dueDate, a.window])).toEqual([['deadline.approaching', '2026-12-05', 30]]);
  });

  it('decides on a document behind its stream without losing what it missed (the stream is folded again)', async () => {
    const milestoneId = uuidv7();
    clock.set('2026-09-01T09:00:00Z');
    await milestoneEvent(milestoneId, 'milestone.planned', planned('Offtake contract', '2026-09-03'));
    await eventually(() => deadlines.get(milestoneId));
    await scheduler.runOnce();
    const [alert] = await alertsOf(milestoneId);
    // A stakeholder acknowledges what its subscriptions bring it.
    await svc.as('stakeholder').post('/subscriptions').send({ filters: { agreementIds: [agreementId] }, channel: { type: 'inbox' } }).expect(201);
    await svc.as('stakeholder').post(`/alerts/${alert.id}/ack`).send({ note: 'seen' }).expect(200);
    // The document falls behind its stream (as after a crash between an append and its write elsewhere).
    const service = svc.app.get(AlertsService);
    const acknowledged = (await service.alerts.findOne({ _id: alert.id }))!;
    await service.alerts.replaceOne({ _id: alert.id }, { ...acknowledged, version: 1, status: 'open', acknowledgedAt: undefined, acknowledgedBy: undefined });
    const resolved = await service.resolve(alert.id, 'cancelled', { correlationId: uuidv7() });
    expect(resolved).toMatchObject({ version: 3, status: 'resolved', resolution: 'cancelled', acknowledgedBy: 'dev-stakeholder' });
    expect(await service.alerts.findOne({ _id: alert.id })).toMatchObject({ version: 3, acknowledgedBy: 'dev-stakeholder', acknowledgedAt: acknowledged.acknowledgedAt });
  });
});
