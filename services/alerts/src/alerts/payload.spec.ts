import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { AgreementInfo } from '../read-model/agreement-info';
import type { DeadlineDoc } from '../read-model/deadlines';
import { alertSeq, type AlertDoc } from './alerts.service';
import type { AlertPayload } from '@tracker/contracts';
import { ALERT_PAYLOAD_SCHEMA, buildAlertPayload } from './payload';

// The project's ajv is 6 (draft-07): the schema keeps to keywords draft-07 and 2020-12 share, so it validates
// with the `$schema` line taken off (ajv 6 does not know the 2020-12 meta-schema).
const { $schema: _meta, ...schema } = ALERT_PAYLOAD_SCHEMA;
const validate = new Ajv({ allErrors: true, format: 'full' }).compile(schema);
const valid = (payload: unknown) => (validate(payload) ? 'valid' : JSON.stringify(validate.errors));

const urls = { alerts: 'https://alerts.example.org', agreements: 'https://agreements.example.org', milestones: 'https://milestones.example.org' };
const agreementId = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c71';
const milestoneId = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c72';
const alertId = '5f0c1c8e-1d43-5c0e-9a6f-0d8f4b5e7a10';

const info: AgreementInfo = {
  _id: agreementId,
  version: 3,
  reference: 'UZ-TR-2026-CRM-01',
  title: 'Critical raw materials partnership',
  partyCountries: ['UZ', 'TR'],
  commodities: ['copper'],
  lifecycle: 'active',
  implementation: 'inProgress',
};

const deadline: DeadlineDoc = {
  _id: milestoneId,
  version: 4,
  milestoneId,
  agreementId,
  type: 'geological_survey',
  title: 'Geological survey of the Almalyk deposit',
  status: 'met',
  dueDate: '2027-03-01',
  slipCount: 2,
  watched: false,
  updatedAt: '2026-12-20T10:00:00.000Z',
};

const alert = (over: Partial<AlertDoc> = {}): AlertDoc => ({
  _id: alertId,
  dedupKey: `${milestoneId}|deadline.missed|2026-11-30|-`,
  kind: 'deadline.missed',
  severity: 'high',
  agreementId,
  milestoneId,
  milestoneType: 'geological_survey',
  milestoneTitle: 'Geological survey of the Almalyk deposit',
  dueDate: '2026-11-30',
  window: null,
  facts: { milestoneStatus: 'scheduled', daysOverdue: 3, slipCount: 0 },
  version: 2,
  status: 'resolved',
  severityRank: 3,
  raisedAt: '2026-12-03T06:00:00.000Z',
  recordedAt: '2026-12-03T06:00:00.000Z',
  seq: alertSeq(41, alertId),
  resolvedAt: '2026-12-20T10:00:00.000Z',
  resolution: 'met',
  updatedAt: '2026-12-20T10:00:00.000Z',
  ...over,
});

describe('buildAlertPayload', () => {
  it('given a resolved missed alert, the milestone shows its status now and the facts as raised', () => {
    const payload = buildAlertPayload(alert(), info, deadline, urls);
    expect(payload).toEqual<AlertPayload>({
      id: alertId,
      kind: 'deadline.missed',
      severity: 'high',
      status: 'resolved',
      reason: 'Geological survey of the Almalyk deposit missed its due date 2026-11-30 by 3 days',
      raisedAt: '2026-12-03T06:00:00.000Z',
      acknowledgedAt: null,
      resolvedAt: '2026-12-20T10:00:00.000Z',
      resolution: 'met',
      dueDate: '2026-11-30',
      windowDays: null,
      slipNumber: null,
      facts: { milestoneStatus: 'scheduled', daysOverdue: 3, slipCount: 0 },
      agreement: { id: agreementId, reference: 'UZ-TR-2026-CRM-01', title: 'Critical raw materials partnership', parties: [{ country: 'UZ' }, { country: 'TR' }], lifecycle: 'active' },
      milestone: { id: milestoneId, title: 'Geological survey of the Almalyk deposit', type: 'geological_survey', dueDate: '2027-03-01', status: 'met', slipCount: 2 },
      links: {
        alert: `https://alerts.example.org/alerts/${alertId}`,
        agreement: `https://agreements.example.org/agreements/${agreementId}`,
        milestone: `https://milestones.example.org/milestones/${milestoneId}`,
      },
    });
    expect(valid(payload)).toBe('valid');
  });

  it('given a slip alert, its window is the slip number, not days', () => {
    const slip = alert({
      kind: 'milestone.slipped',
      severity: 'medium',
      dueDate: '2027-03-01',
      window: 2,
      status: 'open',
      resolvedAt: undefined,
      resolution: undefined,
      facts: { milestoneStatus: 'scheduled', previousDueDate: '2027-01-15', slipDays: 45, slipCount: 2, reason: 'financing not closed' },
    });
    const payload = buildAlertPayload(slip, info, { ...deadline, status: 'scheduled', watched: true }, urls);
    expect(payload).toMatchObject({ windowDays: null, slipNumber: 2, resolvedAt: null, resolution: null, reason: expect.stringContaining('(second slip): financing not closed') });
    expect(valid(payload)).toBe('valid');
  });

  it('given an agreement-level alert, there is no milestone and the reason names the agreement', () => {
    const stalled = alert({
      kind: 'agreement.stalled',
      severity: 'medium',
      milestoneId: null,
      milestoneType: null,
      milestoneTitle: null,
      dueDate: null,
      window: 180,
      status: 'acknowledged',
      acknowledgedAt: '2026-12-04T08:00:00.000Z',
      resolvedAt: undefined,
      resolution: undefined,
      facts: { lastActivityAt: '2026-05-16T09:00:00.000Z', idleDays: 201 },
    });
    const payload = buildAlertPayload(stalled, info, null, urls);
    expect(payload).toMatchObject({
      milestone: null,
      windowDays: 201,
      acknowledgedAt: '2026-12-04T08:00:00.000Z',
      reason: 'Critical raw materials partnership has had no milestone progress for 201 days (last on 2026-05-16)',
      links: { milestone: null },
    });
    expect(valid(payload)).toBe('valid');
  });

  it('given read models that have not caught up, it says "not known" (null) instead of guessing', () => {
    const payload = buildAlertPayload(alert(), null, null, urls);
    expect(payload.agreement).toEqual({ id: agreementId, reference: null, title: null, parties: [], lifecycle: null });
    expect(payload.milestone).toEqual({ id: milestoneId, title: 'Geological survey of the Almalyk deposit', type: 'geological_survey', dueDate: null, status: null, slipCount: null });
    expect(valid(payload)).toBe('valid');
  });

  it('given a read model that keeps party names, the parties carry them', () => {
    const named = { ...info, parties: [{ country: 'uz', name: 'Republic of Uzbekistan' }, { name: 'A company without country' }] } as AgreementInfo;
    expect(buildAlertPayload(alert(), named, deadline, urls).agreement.parties).toEqual([{ country: 'UZ', name: 'Republic of Uzbekistan' }]);
  });

  it('given an at-risk alert, the reason has the projection and windowDays the days late', () => {
    const atRisk = alert({
      kind: 'milestone.atRisk',
      dueDate: '2027-01-16',
      window: 25,
      status: 'open',
      resolvedAt: undefined,
      resolution: undefined,
      facts: { milestoneStatus: 'inProgress', projectedOn: '2027-02-10', projectedEarliest: '2027-02-01', projectedLatest: null, velocityPerDay: 0.8, reportsUsed: [{ on: '2026-11-01', percent: 20 }] },
    });
    const payload = buildAlertPayload(atRisk, info, deadline, urls);
    expect(payload).toMatchObject({ windowDays: 25, reason: 'Geological survey of the Almalyk deposit is at risk: projected 2027-02-10, 25 days late at 0.8 %/day' });
    expect(valid(payload)).toBe('valid');
  });
});

describe('ALERT_PAYLOAD_SCHEMA', () => {
  const payload = buildAlertPayload(alert(), info, deadline, urls);
  const broken: Array<[string, unknown]> = [
    ['a field the schema does not know', { ...payload, extra: 1 }],
    ['a missing reason', { ...payload, reason: undefined }],
    ['an unknown kind', { ...payload, kind: 'deadline.maybe' }],
    ['a relative link', { ...payload, links: { ...payload.links, alert: '/alerts/1' } }],
    ['a milestone without its status', { ...payload, milestone: { ...payload.milestone, status: undefined } }],
    ['a lower-case country', { ...payload, agreement: { ...payload.agreement, parties: [{ country: 'uz' }] } }],
  ];
  it.each(broken)('refuses %s', (_name, bad) => {
    expect(valid(JSON.parse(JSON.stringify(bad)))).not.toBe('valid');
  });

  it('is what the README shows receivers', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const copy = /<summary>alert-payload\.schema\.json<\/summary>\s*```json\n([\s\S]*?)```/.exec(readme);
    expect(copy).not.toBeNull();
    expect(JSON.parse(copy![1])).toEqual(JSON.parse(JSON.stringify(ALERT_PAYLOAD_SCHEMA)));
  });
});
