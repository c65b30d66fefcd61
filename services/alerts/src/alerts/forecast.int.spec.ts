/**
 * The forecast on the real stack: progress reports published on `milestones.events` move a milestone's projected
 * completion; too slow a pace raises one milestone.atRisk alert with the projection, the pace and the reports it
 * used; a faster one resolves it (forecastOnTime); meeting the milestone closes a new one. GET /forecasts/{id}
 * shows what a dashboard draws.
 */
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { MilestoneSchemaVersions, Topics, type MilestoneEventData } from '@tracker/contracts';
import { eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, testProducer, uniqueName, type RunningService } from '@tracker/testing';
import { AlertsConfig } from '../config';
import { AlertsApp } from '../service';
import type { AlertView } from './alerts.service';

describe('milestone forecast: at risk before it is late (integration)', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('fc')}.`;
  let svc: RunningService;
  let producer: Producer;
  const events = new ForeignEvents(() => clock.now());
  const agreementId = uuidv7();
  const milestoneId = uuidv7();

  const milestoneEvent = <K extends keyof MilestoneEventData>(type: K, data: Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>) =>
    publishEvent(
      producer,
      `${prefix}${Topics.milestones}`,
      // At the version they are written with now (a v1 progress report reads its date from occurredAt).
      events.next(`milestone-${milestoneId}`, agreementId, type, { milestoneId, agreementId, ...data }, { schemaVersion: MilestoneSchemaVersions[type] }),
    );
  const report = (reportedOn: string, percent: number) => milestoneEvent('milestone.progress-reported', { percent, evidence: [], reportedOn });

  const atRisk = async (): Promise<AlertView[]> =>
    (await svc.as('auditor').get(`/alerts?milestoneId=${milestoneId}&kind=milestone.atRisk&limit=100`).expect(200)).body.items;
  const forecast = async () => (await svc.as('stakeholder').get(`/forecasts/${milestoneId}`).expect(200)).body;

  beforeAll(async () => {
    svc = await startService(AlertsApp.forRoot(testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: prefix, ALERT_SCAN_INTERVAL_MS: '0' }), { clock }));
    producer = await testProducer('forecast-test');
    await milestoneEvent('milestone.planned', { type: 'processing_plant', title: 'Copper processing plant commissioned', dueDate: '2026-09-30', evidence: [] });
    await milestoneEvent('milestone.started', { startedOn: '2026-01-01' });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  it('one report: no pace yet, nothing raised', async () => {
    await report('2026-01-01', 0);
    await eventually(async () => (await forecast()).reports.length === 1);
    // Planned, started, one report: the third version of the milestone, so a client can tell it is up to date.
    expect(await forecast()).toMatchObject({ milestoneId, milestoneVersion: 3, method: 'linear-velocity', velocityPerDay: null, projectedOn: null, atRisk: false, dueDate: '2026-09-30' });
    expect(await atRisk()).toEqual([]);
  });

  it('10 points a month: complete in late October, after the September due date: one milestone.atRisk', async () => {
    await report('2026-01-31', 10);
    await report('2026-03-02', 20);
    const alerts = (await eventually(async () => ((await atRisk()).length === 1 ? atRisk() : null)))!;
    expect(alerts[0]).toMatchObject({
      kind: 'milestone.atRisk',
      severity: 'medium',
      status: 'open',
      dueDate: '2026-09-30',
      window: 28,
      facts: {
        // Raised by the first report that put it at risk (the second: a pace at last).
        projectedOn: '2026-10-28',
        velocityPerDay: 0.333,
        reportsUsed: [
          { on: '2026-01-01', percent: 0 },
          { on: '2026-01-31', percent: 10 },
        ],
        reason: expect.stringContaining('28 days after the due date 2026-09-30'),
      },
    });
    expect(await forecast()).toMatchObject({ projectedOn: '2026-10-28', daysLate: 28, atRisk: true });
    // Another slow report: still at risk, still one alert.
    await report('2026-04-01', 30);
    await eventually(async () => (await forecast()).reports.length === 4);
    expect(await atRisk()).toHaveLength(1);
  });

  it('a burst of progress brings the forecast inside the due date: the alert resolves (forecastOnTime)', async () => {
    await report('2026-05-01', 70);
    const [resolved] = (await eventually(async () => {
      const alerts = await atRisk();
      return alerts.length === 1 && alerts[0].status === 'resolved' ? alerts : null;
    }))!;
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'forecastOnTime' });
    const f = await forecast();
    expect(f.atRisk).toBe(false);
    expect(f.projectedOn < '2026-09-30').toBe(true);
  });

  it('stalling turns it at risk again (a new alert); meeting the milestone closes it', async () => {
    for (const on of ['2026-06-01', '2026-07-01', '2026-08-01', '2026-09-01']) await report(on, 70);
    const open = (await eventually(async () => {
      const alerts = (await atRisk()).filter((a) => a.status === 'open');
      return alerts.length === 1 ? alerts : null;
    }))!;
    // Raised as soon as the pace fell far enough; a report later the pace is nil: never complete.
    expect(open[0].facts.projectedOn! > '2026-10-07').toBe(true);
    await eventually(async () => (await forecast()).reports.at(-1)?.on === '2026-09-01');
    expect(await forecast()).toMatchObject({ velocityPerDay: 0, projectedOn: null, atRisk: true, reason: expect.stringContaining('never be complete') });
    expect(await atRisk()).toHaveLength(2);
    await milestoneEvent('milestone.met', { metOn: '2026-08-15', evidence: [] });
    await eventually(async () => (await atRisk()).every((a) => a.status === 'resolved'));
    expect((await atRisk()).map((a) => a.resolution).sort()).toEqual(['forecastOnTime', 'met']);
    expect(await forecast()).toMatchObject({ atRisk: false, reason: 'the milestone is met: nothing to forecast' });
  });

  it('marking a milestone not met raises milestone.notMet (high) with the reason; the info notice of a met one closed itself', async () => {
    const other = uuidv7();
    const stream = `milestone-${other}`;
    const send = <K extends keyof MilestoneEventData>(type: K, data: Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>) =>
      publishEvent(producer, `${prefix}${Topics.milestones}`, events.next(stream, agreementId, type, { milestoneId: other, agreementId, ...data }, { schemaVersion: MilestoneSchemaVersions[type] }));
    await send('milestone.planned', { type: 'financing', title: 'Development bank loan signed', dueDate: '2026-06-30', evidence: [] });
    await send('milestone.not-met', { reason: 'the bank withdrew its offer', on: '2026-06-30' });
    const [notMet] = (await eventually(async () => {
      const items: AlertView[] = (await svc.as('auditor').get(`/alerts?milestoneId=${other}&kind=milestone.notMet`).expect(200)).body.items;
      return items.length === 1 ? items : null;
    }))!;
    expect(notMet).toMatchObject({ severity: 'high', status: 'open', milestoneTitle: 'Development bank loan signed', facts: { outcome: 'notMet', outcomeOn: '2026-06-30', reason: 'the bank withdrew its offer' } });
    const notices: AlertView[] = (await svc.as('auditor').get(`/alerts?milestoneId=${milestoneId}&kind=milestone.resolved`).expect(200)).body.items;
    expect(notices.map((n) => [n.status, n.resolution])).toEqual([['resolved', 'met']]);
  });

  it('a report corrected after the fact (a typo in its percent) moves the forecast: the alert it caused resolves', async () => {
    const typo = uuidv7();
    const send = <K extends keyof MilestoneEventData>(type: K, data: Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>) =>
      publishEvent(producer, `${prefix}${Topics.milestones}`, events.next(`milestone-${typo}`, agreementId, type, { milestoneId: typo, agreementId, ...data }, { schemaVersion: MilestoneSchemaVersions[type] }));
    const alertsOf = async (): Promise<AlertView[]> => (await svc.as('auditor').get(`/alerts?milestoneId=${typo}&kind=milestone.atRisk`).expect(200)).body.items;
    await send('milestone.planned', { type: 'geological_survey', title: 'Lithium survey of the Karakalpak basin', dueDate: '2026-09-30', evidence: [] });
    await send('milestone.started', { startedOn: '2026-01-01' });
    await send('milestone.progress-reported', { percent: 0, evidence: [], reportedOn: '2026-01-01' });
    // 20 points a month: complete by June, well inside the September due date.
    await send('milestone.progress-reported', { percent: 20, evidence: [], reportedOn: '2026-01-31' });
    await eventually(async () => (await svc.as('stakeholder').get(`/forecasts/${typo}`).expect(200)).body.reports.length === 2);
    expect(await alertsOf()).toEqual([]);
    // 40 % typed as 4 %: the pace falls, the forecast goes far past the due date.
    const wrong = await send('milestone.progress-reported', { percent: 4, evidence: [], reportedOn: '2026-03-02' });
    const [raised] = (await eventually(async () => {
      const open = (await alertsOf()).filter((a) => a.status === 'open');
      return open.length === 1 ? open : null;
    }))!;
    expect(raised.facts.reportsUsed?.at(-1)).toEqual({ on: '2026-03-02', percent: 4 });

    await send('milestone.corrected', {
      correctsEventId: wrong.eventId,
      correctsType: 'milestone.progress-reported',
      changes: { percent: 40 },
      reason: 'typed 4 for 40',
      current: true,
    });
    const [resolved] = (await eventually(async () => {
      const all = await alertsOf();
      return all.length === 1 && all[0].status === 'resolved' ? all : null;
    }))!;
    expect(resolved.resolution).toBe('forecastOnTime');
    const f = (await svc.as('stakeholder').get(`/forecasts/${typo}`).expect(200)).body;
    expect(f).toMatchObject({ atRisk: false, reports: [{ on: '2026-01-01', percent: 0 }, { on: '2026-01-31', percent: 20 }, { on: '2026-03-02', percent: 40 }] });
    expect(f.projectedOn < '2026-09-30').toBe(true);
  });

  it('an unknown milestone: 404', async () => {
    await svc.as('monitor').get(`/forecasts/${uuidv7()}`).expect(404);
  });
});
