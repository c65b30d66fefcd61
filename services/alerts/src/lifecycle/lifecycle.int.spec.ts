/**
 * The agreement's lifecycle and its alerts on the real stack (Kafka, FerretDB), the other services' events
 * published as they publish them, the scan driven by a TestClock: a suspension holds the open alerts back and
 * the scan raises nothing for the agreement while it lasts; the resumption brings them back and the next scan
 * raises what is due; a termination closes everything with its reason and nothing is raised after; an idle
 * agreement gets agreement.stalled after the period, and its next progress report closes it.
 */
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { AgreementSchemaVersions, alertStreamId, MilestoneSchemaVersions, Topics, type AgreementEventData, type MilestoneEventData } from '@tracker/contracts';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, testProducer, uniqueName, type RunningService } from '@tracker/testing';
import type { EventStore } from '@tracker/event-store';
import { EVENT_STORE } from '@tracker/service-runtime';
import type { AlertView } from '../alerts/alerts.service';
import { DeadlineScheduler } from '../alerts/deadline-scheduler';
import { AlertsConfig } from '../config';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { DeadlineStore } from '../read-model/deadlines';
import { AlertsApp } from '../service';

describe('agreement lifecycle and alerts (integration)', () => {
  const clock = new TestClock('2026-05-15T09:00:00Z');
  const prefix = `${uniqueName('lc')}.`;
  const events = new ForeignEvents(() => clock.now());
  let svc: RunningService;
  let producer: Producer;
  let scheduler: DeadlineScheduler;
  let deadlines: DeadlineStore;
  let agreements: AgreementInfoStore;

  /** One agreement of the test, with the events its services would publish. */
  const agreement = (agreementId = uuidv7()) => ({
    agreementId,
    publish: <K extends keyof AgreementEventData>(type: K, data: Omit<AgreementEventData[K], 'agreementId'>, occurredAt?: string) =>
      publishEvent(
        producer,
        `${prefix}${Topics.agreements}`,
        events.next(`agreement-${agreementId}`, agreementId, type, { agreementId, ...data }, { schemaVersion: AgreementSchemaVersions[type], ...(occurredAt && { occurredAt }) }),
      ),
    milestone: <K extends keyof MilestoneEventData>(milestoneId: string, type: K, data: Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>, occurredAt?: string) =>
      publishEvent(
        producer,
        `${prefix}${Topics.milestones}`,
        events.next(`milestone-${milestoneId}`, agreementId, type, { milestoneId, agreementId, ...data }, { schemaVersion: MilestoneSchemaVersions[type], ...(occurredAt && { occurredAt }) }),
      ),
  });
  type Agreement = ReturnType<typeof agreement>;

  /** eventually(), for a check that answers null until it finds what it waits for. */
  const eventuallyFound = async <T>(check: () => Promise<T | null>): Promise<T> => {
    const found = await eventually(check);
    if (found === null) throw new Error('eventually answered null');
    return found;
  };
  const alertsOf = async (agreementId: string): Promise<AlertView[]> =>
    (await svc.as('auditor').get(`/alerts?agreementId=${agreementId}&limit=100`).expect(200)).body.items;
  const alertOf = async (agreementId: string, milestoneId: string | null, kind: string) =>
    (await alertsOf(agreementId)).find((a) => a.milestoneId === milestoneId && a.kind === kind);
  /** Polls until the alert of `kind` of the milestone (or the agreement) is there and `holds` of it. */
  const alertWhere = (agreementId: string, milestoneId: string | null, kind: string, holds: (a: AlertView) => boolean): Promise<AlertView> =>
    eventuallyFound(async () => (await alertsOf(agreementId)).find((a) => a.milestoneId === milestoneId && a.kind === kind && holds(a)) ?? null);
  const lifecycleIs = (a: Agreement, lifecycle: string) => eventually(async () => (await agreements.get(a.agreementId))?.lifecycle === lifecycle);
  const plan = async (a: Agreement, title: string, dueDate: string): Promise<string> => {
    const milestoneId = uuidv7();
    await a.milestone(milestoneId, 'milestone.planned', { type: 'financing', title, dueDate, evidence: [] });
    await eventually(() => deadlines.get(milestoneId));
    return milestoneId;
  };
  const register = async (a: Agreement, occurredAt?: string) => {
    await a.publish('agreement.registered', agreementRegistration(`LC-${a.agreementId.slice(-8)}`) as never, occurredAt);
    await lifecycleIs(a, 'active');
  };
  /** Reschedules to a later date and waits until the milestone's reactor has run for it (its old deadline alert closes). */
  const slip = async (a: Agreement, milestoneId: string, from: string, to: string, oldAlert: string) => {
    await a.milestone(milestoneId, 'milestone.rescheduled', { previousDueDate: from, newDueDate: to, slipDays: 90, slipCount: 1, reason: 'permits pending', decidedOn: calendarDay() });
    await alertWhere(a.agreementId, milestoneId, oldAlert, (x) => x.status === 'resolved');
  };
  const calendarDay = () => clock.now().toISOString().slice(0, 10);

  beforeAll(async () => {
    svc = await startService(AlertsApp.forRoot(testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: prefix, ALERT_SCAN_INTERVAL_MS: '0' }), { clock }));
    scheduler = svc.app.get(DeadlineScheduler);
    deadlines = svc.app.get(DeadlineStore);
    agreements = svc.app.get(AgreementInfoStore);
    producer = await testProducer('lifecycle-test');
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  describe('suspended, resumed, terminated', () => {
    const a = agreement();
    let financing: string; // due 10 June
    let permit: string; // due 12 June, slips while suspended
    let plant: string; // due 30 June

    it('suspension holds every open alert back; while it lasts the scan and the reactions raise nothing for it', async () => {
      await register(a);
      financing = await plan(a, 'First disbursement', '2026-06-10');
      permit = await plan(a, 'Mining permit', '2026-06-12');
      plant = await plan(a, 'Processing plant commissioned', '2026-06-30');
      // 15 May: the two June deadlines are within 30 days.
      expect(await scheduler.runOnce()).toMatchObject({ raised: 2 });

      await a.publish('agreement.suspended', { reason: 'sanctions review', effectiveOn: calendarDay() });
      const held = await eventuallyFound(async () => {
        const open = (await alertsOf(a.agreementId)).filter((x) => x.status === 'open');
        return open.length === 2 && open.every((x) => x.inhibited === 'agreementSuspended') ? open : null;
      });
      // Held back, not deleted: still open, with since when.
      expect(held.map((x) => [x.milestoneId, x.kind, x.window]).sort()).toEqual(
        [
          [financing, 'deadline.approaching', 30],
          [permit, 'deadline.approaching', 30],
        ].sort(),
      );
      expect(held.every((x) => typeof x.inhibitedAt === 'string')).toBe(true);

      // A slip while suspended: the old date's alert closes as ever, no slip alert.
      await slip(a, permit, '2026-06-12', '2026-09-10', 'deadline.approaching');
      expect(await alertOf(a.agreementId, permit, 'milestone.slipped')).toBeUndefined();

      // 25 June: the financing deadline has passed, the plant's is 5 days off; suspended, so nothing is raised.
      clock.set('2026-06-25T09:00:00Z');
      expect(await scheduler.runOnce()).toMatchObject({ checked: 2, raised: 0 });
      expect((await alertsOf(a.agreementId)).map((x) => [x.milestoneId, x.kind]).sort()).toEqual(
        [
          [financing, 'deadline.approaching'],
          [permit, 'deadline.approaching'],
        ].sort(),
      );
    });

    it('resumption brings the held-back alerts back; the next scan raises what is due now', async () => {
      await a.publish('agreement.resumed', { effectiveOn: calendarDay() });
      // The financing alert (its 30-day window long passed) is back as the rules keep it: open until an outcome.
      const back = await alertWhere(a.agreementId, financing, 'deadline.approaching', (x) => x.inhibited === undefined);
      expect(back).toMatchObject({ status: 'open', window: 30 });
      expect(back.inhibitedAt).toBeUndefined();
      // The permit's alert was closed by its reschedule while suspended: it stays closed.
      expect(await alertOf(a.agreementId, permit, 'deadline.approaching')).toMatchObject({ status: 'resolved', resolution: 'rescheduled' });

      // The scan raises where the deadlines stand now: the financing missed, the plant's 7-day window.
      expect(await scheduler.runOnce()).toMatchObject({ raised: 2 });
      expect(await alertOf(a.agreementId, financing, 'deadline.missed')).toMatchObject({ status: 'open', facts: { daysOverdue: 15 } });
      expect(await alertOf(a.agreementId, plant, 'deadline.approaching')).toMatchObject({ status: 'open', window: 7 });
      expect((await alertsOf(a.agreementId)).filter((x) => x.inhibited !== undefined)).toEqual([]);
    });

    it('termination closes every open alert with its reason; nothing is raised for the agreement after', async () => {
      await a.publish('agreement.terminated', { reason: 'the parties withdrew', effectiveOn: calendarDay() });
      const closed = await eventuallyFound(async () => {
        const all = await alertsOf(a.agreementId);
        return all.some((x) => x.resolution === 'agreementTerminated') && all.every((x) => x.status === 'resolved') ? all : null;
      });
      expect(closed.filter((x) => x.resolution === 'agreementTerminated').map((x) => [x.milestoneId, x.kind]).sort()).toEqual(
        [
          [financing, 'deadline.approaching'],
          [financing, 'deadline.missed'],
          [plant, 'deadline.approaching'],
        ].sort(),
      );

      // Later: the plant's deadline passes, the permit's comes near; a scan raises nothing.
      clock.set('2026-09-05T09:00:00Z');
      expect(await scheduler.runOnce()).toMatchObject({ raised: 0 });
      expect((await alertsOf(a.agreementId)).filter((x) => x.status !== 'resolved')).toEqual([]);
    });
  });

  describe('stalled', () => {
    const b = agreement();
    const survey = uuidv7();

    it('an agreement without activity for ALERT_STALLED_AFTER_DAYS gets agreement.stalled at the next scan', async () => {
      clock.set('2026-01-10T09:00:00Z');
      await register(b, '2026-01-10T00:00:00.000Z');
      await b.milestone(survey, 'milestone.planned', { type: 'geological_survey', title: 'Joint geological survey', dueDate: '2027-06-30', evidence: [] });
      await b.milestone(survey, 'milestone.started', { startedOn: '2026-01-20' }, '2026-01-20T00:00:00.000Z');
      await eventually(async () => (await agreements.get(b.agreementId))?.lastActivityAt === '2026-01-20T00:00:00.000Z');

      clock.set('2026-07-18T09:00:00Z'); // 179 days after the start
      await scheduler.runOnce();
      expect(await alertOf(b.agreementId, null, 'agreement.stalled')).toBeUndefined();
      clock.set('2026-07-19T09:00:00Z'); // 180 days
      await scheduler.runOnce();
      expect(await alertOf(b.agreementId, null, 'agreement.stalled')).toMatchObject({
        status: 'open',
        severity: 'medium',
        window: 180,
        facts: { lastActivityAt: '2026-01-20T00:00:00.000Z', idleDays: 180 },
      });
    });

    it('a progress report entered late, dated before the stall, leaves it open; the next real progress closes it', async () => {
      await b.milestone(survey, 'milestone.progress-reported', { percent: 5, evidence: [], reportedOn: '2026-01-15' }, '2026-01-15T00:00:00.000Z');
      const report = await b.milestone(survey, 'milestone.progress-reported', { percent: 20, evidence: [], reportedOn: '2026-07-20' }, '2026-07-20T00:00:00.000Z');
      const resolved = await alertWhere(b.agreementId, null, 'agreement.stalled', (x) => x.status === 'resolved');
      expect(resolved.resolution).toBe('activityResumed');
      // Closed by the second report, not the first (it moved nothing): the closing event names it as its cause.
      const stream = await svc.app.get<EventStore>(EVENT_STORE).readStream(alertStreamId(resolved.id));
      expect(stream.at(-1)).toMatchObject({ type: 'alert.resolved', causationId: report.eventId, data: { resolution: 'activityResumed', causedByEventId: report.eventId } });
      expect(await agreements.get(b.agreementId)).toMatchObject({ lastActivityAt: '2026-07-20T00:00:00.000Z' });
      // Idle again from 20 July: a new stall only after another full period.
      clock.set('2026-12-01T09:00:00Z');
      await scheduler.runOnce();
      expect((await alertsOf(b.agreementId)).filter((x) => x.kind === 'agreement.stalled' && x.status === 'open')).toEqual([]);
    });

    it('a suspended agreement does not stall; its resumption is activity; once expired, its stall closes with the reason', async () => {
      clock.set('2027-02-01T09:00:00Z'); // 196 days after the last report
      await b.publish('agreement.suspended', { reason: 'elections', effectiveOn: calendarDay() });
      await lifecycleIs(b, 'suspended');
      await scheduler.runOnce();
      expect((await alertsOf(b.agreementId)).filter((x) => x.kind === 'agreement.stalled' && x.status === 'open')).toEqual([]);
      await b.publish('agreement.resumed', { effectiveOn: calendarDay() });
      await lifecycleIs(b, 'active');
      // The suspension and the resumption are the agreement's own events: activity, as the agreements service counts it.
      expect(await agreements.get(b.agreementId)).toMatchObject({ lastActivityAt: '2027-02-01T09:00:00.000Z' });
      await scheduler.runOnce();
      expect((await alertsOf(b.agreementId)).filter((x) => x.kind === 'agreement.stalled' && x.status === 'open')).toEqual([]);
      clock.set('2027-07-31T09:00:00Z'); // 180 days after the resumption
      await scheduler.runOnce();
      await alertWhere(b.agreementId, null, 'agreement.stalled', (x) => x.status === 'open' && x.facts.lastActivityAt === '2027-02-01T09:00:00.000Z');
      await b.publish('agreement.expired', { effectiveOn: calendarDay() });
      const closed = await alertWhere(b.agreementId, null, 'agreement.stalled', (x) => x.status === 'resolved' && x.facts.lastActivityAt === '2027-02-01T09:00:00.000Z');
      expect(closed.resolution).toBe('agreementExpired');
    });
  });
});
