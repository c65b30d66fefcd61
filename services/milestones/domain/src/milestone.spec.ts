import { DeciderSpecification, type MilestoneEvent } from '@tracker/contracts';
import { milestoneDecider, type MilestoneCommand } from './milestone';

const spec = DeciderSpecification(milestoneDecider);
const ids = { milestoneId: 'm-1', agreementId: 'a-1' };
const evidence = [{ url: 'https://example.org/report.pdf', title: 'Survey report' }];

const planned: MilestoneEvent = {
  type: 'milestone.planned',
  schemaVersion: 1,
  data: { ...ids, type: 'geological_survey', title: 'Joint exploration programme launched', dueDate: '2026-12-31', evidence: [] },
};
const started: MilestoneEvent = { type: 'milestone.started', schemaVersion: 1, data: { ...ids, startedOn: '2026-03-01' } };
const slip = (previousDueDate: string, newDueDate: string, slipDays: number, slipCount: number): MilestoneEvent => ({
  type: 'milestone.rescheduled',
  schemaVersion: 1,
  data: { ...ids, previousDueDate, newDueDate, slipDays, reason: 'funding delayed', slipCount },
});
const met: MilestoneEvent = { type: 'milestone.met', schemaVersion: 1, data: { ...ids, metOn: '2026-11-01', evidence } };
const partiallyMet: MilestoneEvent = {
  type: 'milestone.partially-met',
  schemaVersion: 1,
  data: { ...ids, metOn: '2026-11-01', evidence, note: 'two of three regions mapped' },
};
const notMet: MilestoneEvent = { type: 'milestone.not-met', schemaVersion: 1, data: { ...ids, reason: 'abandoned' } };
const cancelled: MilestoneEvent = { type: 'milestone.cancelled', schemaVersion: 1, data: { ...ids, reason: 'superseded' } };

const agreement = { agreementId: 'a-1', status: 'signed', terminated: false };
const plan: MilestoneCommand = {
  kind: 'plan',
  ...ids,
  agreement,
  type: 'geological_survey',
  title: 'Joint exploration programme launched',
  dueDate: '2026-12-31',
};

describe('Milestone decider', () => {
  describe('accepted commands', () => {
    const accepted: Array<[string, MilestoneEvent[], MilestoneCommand, MilestoneEvent[]]> = [
      ['plan for an open agreement', [], plan, [planned]],
      ['start a scheduled milestone', [planned], { kind: 'start', today: '2026-03-01' }, [started]],
      [
        'report progress on a scheduled milestone',
        [planned],
        { kind: 'reportProgress', percent: 40, note: 'field work', evidence },
        [{ type: 'milestone.progress-reported', schemaVersion: 1, data: { ...ids, percent: 40, note: 'field work', evidence } }],
      ],
      [
        'report progress on a started milestone',
        [planned, started],
        { kind: 'reportProgress', percent: 10 },
        [{ type: 'milestone.progress-reported', schemaVersion: 1, data: { ...ids, percent: 10, evidence: [] } }],
      ],
      ['first slip: 90 days later', [planned], { kind: 'reschedule', newDueDate: '2027-03-31', reason: 'funding delayed' }, [slip('2026-12-31', '2027-03-31', 90, 1)]],
      [
        'third slip is counted',
        [planned, slip('2026-12-31', '2027-03-31', 90, 1), slip('2027-03-31', '2027-06-30', 91, 2)],
        { kind: 'reschedule', newDueDate: '2027-07-01', reason: 'funding delayed' },
        [slip('2027-06-30', '2027-07-01', 1, 3)],
      ],
      [
        'moving earlier is not a slip',
        [planned, slip('2026-12-31', '2027-03-31', 90, 1)],
        { kind: 'reschedule', newDueDate: '2027-01-31', reason: 'funding delayed' },
        [slip('2027-03-31', '2027-01-31', -59, 1)],
      ],
      ['mark met with evidence', [planned, started], { kind: 'markMet', metOn: '2026-11-01', today: '2026-11-22', evidence }, [met]],
      [
        'mark partially met with evidence and a note',
        [planned],
        { kind: 'markPartiallyMet', metOn: '2026-11-01', today: '2026-11-22', evidence, note: 'two of three regions mapped' },
        [partiallyMet],
      ],
      ['mark not met', [planned, started], { kind: 'markNotMet', reason: 'abandoned' }, [notMet]],
      ['cancel', [planned], { kind: 'cancel', reason: 'superseded' }, [cancelled]],
    ];
    it.each(accepted)('%s', (_name, given, command, then) => {
      spec.given(given).when(command).then(then);
    });
  });

  describe('refused commands', () => {
    const refused: Array<[string, MilestoneEvent[], MilestoneCommand, string, RegExp]> = [
      ['plan for an unknown agreement', [], { ...plan, agreement: null }, 'unprocessable', /unknown/],
      ['plan for a terminated agreement', [], { ...plan, agreement: { ...agreement, terminated: true } }, 'conflict', /terminated/],
      ['plan twice', [planned], plan, 'conflict', /already exists/],
      ['start an unknown milestone', [], { kind: 'start', today: '2026-01-01' }, 'not-found', /not found/],
      ['start twice', [planned, started], { kind: 'start', today: '2026-01-01' }, 'invalid-transition', /already in progress/],
      ['report progress on a cancelled milestone', [planned, cancelled], { kind: 'reportProgress', percent: 5 }, 'invalid-transition', /cannot report progress.*cancelled/],
      ['report progress on a met milestone', [planned, met], { kind: 'reportProgress', percent: 5 }, 'invalid-transition', /already met/],
      ['reschedule to the same date', [planned], { kind: 'reschedule', newDueDate: '2026-12-31', reason: 'x' }, 'invalid', /already due/],
      ['reschedule a milestone not met', [planned, notMet], { kind: 'reschedule', newDueDate: '2027-12-31', reason: 'x' }, 'invalid-transition', /not met/],
      ['met without evidence', [planned], { kind: 'markMet', metOn: '2026-11-01', today: '2026-11-22', evidence: [] }, 'invalid-transition', /requires evidence/],
      ['met in the future', [planned], { kind: 'markMet', metOn: '2026-12-01', today: '2026-11-22', evidence }, 'invalid', /future/],
      ['met twice', [planned, met], { kind: 'markMet', metOn: '2026-11-01', today: '2026-11-22', evidence }, 'invalid-transition', /already met/],
      ['partially met without evidence', [planned], { kind: 'markPartiallyMet', metOn: '2026-11-01', today: '2026-11-22', evidence: [], note: 'x' }, 'invalid-transition', /requires evidence/],
      ['not met after met', [planned, met], { kind: 'markNotMet', reason: 'x' }, 'invalid-transition', /already met/],
      ['cancel a cancelled milestone', [planned, cancelled], { kind: 'cancel', reason: 'x' }, 'invalid-transition', /already cancelled/],
      ['cancel a partially met milestone', [planned, partiallyMet], { kind: 'cancel', reason: 'x' }, 'invalid-transition', /partially met/],
    ];
    it.each(refused)('%s', (_name, given, command, code, message) => {
      spec.given(given).when(command).thenThrows(code as never, message);
    });
  });

  it('keeps the slip history visible in the state', () => {
    const state = [planned, slip('2026-12-31', '2027-03-31', 90, 1), slip('2027-03-31', '2027-06-30', 91, 2), slip('2027-06-30', '2027-07-01', 1, 3)].reduce(
      milestoneDecider.evolve,
      milestoneDecider.initialState(),
    );
    expect(state).toMatchObject({ dueDate: '2027-07-01', slipCount: 3 });
    expect(state.exists && state.slips.map((s) => s.slipDays)).toEqual([90, 91, 1]);
  });
});
