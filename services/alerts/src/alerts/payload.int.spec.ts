/**
 * AlertPayloads on the real read models: the agreement and the milestone as the projections wrote them, now
 * (the milestone of a resolved missed alert says `met`, the alert's facts still say what they said when raised).
 */
import { v7 as uuidv7 } from 'uuid';
import type { MilestoneEventEnvelope } from '@tracker/contracts';
import { agreementRegistration, ForeignEvents, type RunningService, startService, TestClock, testConfig, uniqueName } from '@tracker/testing';
import { deadlineAlerts } from '@tracker/alerts-domain';
import { AlertsApp } from '../service';
import { AlertsConfig } from '../config';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { DeadlineStore } from '../read-model/deadlines';
import { AlertsService } from './alerts.service';
import { AlertPayloads } from './payload';

describe('alert payloads from the read models', () => {
  const clock = new TestClock('2026-12-03T06:00:00.000Z');
  const events = new ForeignEvents(() => clock.now());
  let svc: RunningService;
  const agreementId = uuidv7();
  const milestoneId = uuidv7();

  beforeAll(async () => {
    svc = await startService(
      AlertsApp.forRoot(
        testConfig(AlertsConfig, {
          KAFKA_TOPIC_PREFIX: `${uniqueName('payload')}.`,
          ALERT_SCAN_INTERVAL_MS: '0',
          DELIVERY_INTERVAL_MS: '0',
          DIGEST_INTERVAL_MS: '0',
          PUBLIC_URL: 'https://alerts.example.org',
          AGREEMENTS_URL: 'https://agreements.example.org',
          MILESTONES_URL: 'https://milestones.example.org',
        }),
        { clock },
      ),
    );
  });
  afterAll(() => svc?.close());

  const milestoneEvent = (type: string, data: object) =>
    svc.app.get(DeadlineStore).apply(events.next(`milestone-${milestoneId}`, agreementId, type, { milestoneId, agreementId, ...data }) as MilestoneEventEnvelope);

  it('given a missed deadline later met, the payload shows the milestone met and the facts as raised', async () => {
    await svc.app.get(AgreementInfoStore).apply(
      events.next(`agreement-${agreementId}`, agreementId, 'agreement.registered', {
        agreementId,
        ...agreementRegistration('TR-UZ-2026-CM', 'MoU on critical minerals and rare earths'),
        parties: [
          { country: 'TR', name: 'Türkiye' },
          { country: 'uz', name: 'Uzbekistan' },
        ],
        signedOn: '2026-01-29',
        commodities: ['rare-earth-elements'],
      }),
    );
    await milestoneEvent('milestone.planned', { type: 'geological_survey', title: 'Geological survey of the Almalyk deposit', dueDate: '2026-11-30', evidence: [] });
    const deadline = (await svc.app.get(DeadlineStore).get(milestoneId))!;
    const [draft] = deadlineAlerts(deadline, '2026-12-03');
    const alerts = svc.app.get(AlertsService);
    const { alert } = await alerts.raise(draft, { correlationId: uuidv7() }, clock.now());

    const raised = await svc.app.get(AlertPayloads).of(alert);
    expect(raised).toMatchObject({
      status: 'open',
      reason: 'Geological survey of the Almalyk deposit missed its due date 2026-11-30 by 3 days',
      agreement: { id: agreementId, reference: 'TR-UZ-2026-CM', title: 'MoU on critical minerals and rare earths', lifecycle: 'active' },
      milestone: { id: milestoneId, status: 'scheduled', dueDate: '2026-11-30', slipCount: 0 },
      links: { alert: `https://alerts.example.org/alerts/${alert._id}`, milestone: `https://milestones.example.org/milestones/${milestoneId}` },
    });
    expect(raised.agreement.parties.map((p) => p.country).sort()).toEqual(['TR', 'UZ']);

    clock.advance({ days: 2 });
    await milestoneEvent('milestone.met', { metOn: '2026-12-04', evidence: [] });
    const resolved = await alerts.resolve(alert._id, 'met', { correlationId: uuidv7() });
    const [now] = await svc.app.get(AlertPayloads).ofMany([resolved]);
    expect(now).toMatchObject({
      status: 'resolved',
      resolution: 'met',
      resolvedAt: '2026-12-05T06:00:00.000Z',
      facts: { milestoneStatus: 'scheduled', daysOverdue: 3 },
      milestone: { status: 'met' },
    });
  });

  it('gives every alert GET /alerts answers the same details, to monitors and to a stakeholder with its own stand', async () => {
    const details = {
      reason: 'Geological survey of the Almalyk deposit missed its due date 2026-11-30 by 3 days',
      agreement: { id: agreementId, reference: 'TR-UZ-2026-CM', title: 'MoU on critical minerals and rare earths' },
      milestone: { id: milestoneId, title: 'Geological survey of the Almalyk deposit', status: 'met' },
      links: { agreement: `https://agreements.example.org/agreements/${agreementId}` },
    };
    const listed = (await svc.as('monitor').get(`/alerts?agreementId=${agreementId}&status=resolved`).expect(200)).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ agreementId, milestoneId, ...details });
    expect((await svc.as('monitor').get(`/alerts/${listed[0].id}`).expect(200)).body).toMatchObject(details);

    await svc.as('stakeholder').post('/subscriptions').send({ filters: { agreementIds: [agreementId] }, channel: { type: 'inbox' } }).expect(201);
    const mine = (await svc.as('stakeholder').get(`/alerts?agreementId=${agreementId}&status=resolved`).expect(200)).body.items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: listed[0].id, mine: { state: 'open' }, ...details });
  });
});
