import { DeciderSpecification, type MilestoneEvent } from '@tracker/contracts';
import { milestoneDecider, type CorrectedEvent, type MilestoneCommand } from './milestone';

const spec = DeciderSpecification(milestoneDecider);
const ids = { milestoneId: 'm-1', agreementId: 'a-1' };
const evidence = [{ url: 'https://example.org/report.pdf', title: 'Survey report' }];
/** The recording time of every command below; the agreement was signed on 29 January 2026. */
const now = '2026-11-22T10:00:00.000Z';
const today = '2026-11-22';
const agreement = { agreementId: 'a-1', status: 'signed', terminated: false, signedOn: '2026-01-29', datePrecision: 'day' as const };
const at = { now, agreement };

const planned: MilestoneEvent = {
  type: 'milestone.planned',
  schemaVersion: 1,
  data: { ...ids, type: 'geological_survey', title: 'Joint exploration programme launched', dueDate: '2026-12-31', evidence: [] },
};
const started: MilestoneEvent = { type: 'milestone.started', schemaVersion: 1, data: { ...ids, startedOn: '2026-03-01' } };
const slip = (previousDueDate: string, newDueDate: string, slipDays: number, slipCount: number, decidedOn = today): MilestoneEvent => ({
  type: 'milestone.rescheduled',
  schemaVersion: 2,
  data: { ...ids, previousDueDate, newDueDate, slipDays, reason: 'funding delayed', slipCount, decidedOn },
});
const met: MilestoneEvent = { type: 'milestone.met', schemaVersion: 1, data: { ...ids, metOn: '2026-11-01', evidence }, occurredAt: '2026-11-01T00:00:00.000Z' };
const partiallyMet: MilestoneEvent = {
  type: 'milestone.partially-met',
  schemaVersion: 1,
  data: { ...ids, metOn: '2026-11-01', evidence, note: 'two of three regions mapped' },
  occurredAt: '2026-11-01T00:00:00.000Z',
};
const notMet: MilestoneEvent = { type: 'milestone.not-met', schemaVersion: 2, data: { ...ids, reason: 'abandoned', on: today } };
const cancelled: MilestoneEvent = { type: 'milestone.cancelled', schemaVersion: 2, data: { ...ids, reason: 'superseded', on: today } };
const report = (percent: number, reportedOn = today): MilestoneEvent => ({
  type: 'milestone.progress-reported',
  schemaVersion: 2,
  data: { ...ids, percent, evidence: [], reportedOn },
});
/** A report as stored (with its event id, for a correction to name), optionally with a note. */
const stored = (eventId: string, percent: number, reportedOn: string, note?: string): MilestoneEvent & { eventId: string } => ({
  type: 'milestone.progress-reported',
  schemaVersion: 2,
  data: { ...ids, percent, ...(note && { note }), evidence: [], reportedOn },
  eventId,
});
// Today's 20 % (e-2), then an older report back-filled for 3 October (e-1, recorded last).
const todays = stored('e-2', 20, '2026-11-20', 'drilling under way');
const backFilled = stored('e-1', 8, '2026-10-03', 'first survey camp');

const plan: MilestoneCommand = {
  kind: 'plan',
  ...ids,
  agreement,
  now,
  type: 'geological_survey',
  title: 'Joint exploration programme launched',
  dueDate: '2026-12-31',
};
const target = (event: MilestoneEvent, current = true, eventId = 'e-1'): CorrectedEvent => ({
  eventId,
  type: event.type,
  data: event.data as unknown as Record<string, unknown>,
  occurredAt: event.occurredAt ?? now,
  current,
});
const correct = (of: MilestoneEvent, changes: MilestoneCommand & { kind: 'correct' } extends { changes: infer C } ? C : never, current = true, eventId = 'e-1'): MilestoneCommand => ({
  kind: 'correct',
  target: target(of, current, eventId),
  correctsEventId: eventId,
  changes,
  reason: 'entered wrongly',
  ...at,
});
const corrected = (correctsType: string, changes: object, extra: { occurredAt?: string; current?: boolean; correctsEventId?: string } = {}): MilestoneEvent => {
  const { current = true, correctsEventId = 'e-1', ...rest } = extra;
  return {
    type: 'milestone.corrected',
    schemaVersion: 1,
    data: { ...ids, correctsEventId, correctsType, changes, ...rest, current, reason: 'entered wrongly' },
  } as MilestoneEvent;
};

describe('Milestone decider', () => {
  describe('accepted commands', () => {
    const accepted: Array<[string, MilestoneEvent[], MilestoneCommand, MilestoneEvent[]]> = [
      ['plan for an open agreement', [], plan, [planned]],
      ['plan, agreed on a past date', [], { ...plan, occurredAt: '2026-02-10' }, [{ ...planned, occurredAt: '2026-02-10T00:00:00.000Z' }]],
      ['start a scheduled milestone: today when it does not say', [planned], { kind: 'start', ...at }, [{ ...started, data: { ...ids, startedOn: today } }]],
      ['start, as of the day work began', [planned], { kind: 'start', ...at, occurredAt: '2026-03-01' }, [{ ...started, occurredAt: '2026-03-01T00:00:00.000Z' }]],
      [
        'report progress on a scheduled milestone',
        [planned],
        { kind: 'reportProgress', percent: 40, note: 'field work', evidence, ...at },
        [{ type: 'milestone.progress-reported', schemaVersion: 2, data: { ...ids, percent: 40, note: 'field work', evidence, reportedOn: today } }],
      ],
      [
        'report progress on a started milestone, for the date the report describes',
        [planned, started],
        { kind: 'reportProgress', percent: 10, ...at, occurredAt: '2026-06-30' },
        [{ ...report(10, '2026-06-30'), occurredAt: '2026-06-30T00:00:00.000Z' }],
      ],
      ['first slip: 90 days later', [planned], { kind: 'reschedule', newDueDate: '2027-03-31', reason: 'funding delayed', ...at }, [slip('2026-12-31', '2027-03-31', 90, 1)]],
      [
        'a slip decided earlier than it was recorded',
        [planned],
        { kind: 'reschedule', newDueDate: '2027-03-31', reason: 'funding delayed', ...at, occurredAt: '2026-10-15' },
        [{ ...slip('2026-12-31', '2027-03-31', 90, 1, '2026-10-15'), occurredAt: '2026-10-15T00:00:00.000Z' }],
      ],
      [
        'third slip is counted',
        [planned, slip('2026-12-31', '2027-03-31', 90, 1), slip('2027-03-31', '2027-06-30', 91, 2)],
        { kind: 'reschedule', newDueDate: '2027-07-01', reason: 'funding delayed', ...at },
        [slip('2027-06-30', '2027-07-01', 1, 3)],
      ],
      [
        'moving earlier is not a slip',
        [planned, slip('2026-12-31', '2027-03-31', 90, 1)],
        { kind: 'reschedule', newDueDate: '2027-01-31', reason: 'funding delayed', ...at },
        [slip('2027-03-31', '2027-01-31', -59, 1)],
      ],
      ['mark met with evidence: the outcome date is its business time', [planned, started], { kind: 'markMet', metOn: '2026-11-01', evidence, ...at }, [met]],
      [
        'mark partially met with evidence and a note',
        [planned],
        { kind: 'markPartiallyMet', metOn: '2026-11-01', evidence, note: 'two of three regions mapped', ...at },
        [partiallyMet],
      ],
      ['mark not met', [planned, started], { kind: 'markNotMet', reason: 'abandoned', ...at }, [notMet]],
      ['mark not met on a terminated agreement (an outcome is still recorded)', [planned, started], { kind: 'markNotMet', reason: 'abandoned', now, agreement: { ...agreement, terminated: true } }, [notMet]],
      ['cancel', [planned], { kind: 'cancel', reason: 'superseded', ...at }, [cancelled]],
      ['cancel, as of the day it was called off', [planned], { kind: 'cancel', reason: 'superseded', ...at, occurredAt: '2026-09-01' }, [{ ...cancelled, data: { ...ids, reason: 'superseded', on: '2026-09-01' }, occurredAt: '2026-09-01T00:00:00.000Z' }]],
      [
        'correct a met date: the outcome moves in business time',
        [planned, met],
        correct(met, { metOn: '2026-10-20' }),
        [corrected('milestone.met', { metOn: '2026-10-20' }, { occurredAt: '2026-10-20T00:00:00.000Z' })],
      ],
      ['correct a progress percentage', [planned, report(40)], correct(report(40), { percent: 45 }), [corrected('milestone.progress-reported', { percent: 45 })]],
      ['correct a planned due date (not a slip)', [planned], correct(planned, { dueDate: '2027-01-31' }), [corrected('milestone.planned', { dueDate: '2027-01-31' })]],
      ['correct only what differs', [planned, report(40)], correct(report(40), { percent: 40, reportedOn: '2026-11-20' }), [corrected('milestone.progress-reported', { reportedOn: '2026-11-20' }, { occurredAt: '2026-11-20T00:00:00.000Z' })]],
      // The service's `current` for a report is by record order (e-1 was recorded last: true); the decider rules by date.
      ['correct the latest report’s percent: in force', [planned, todays, backFilled], correct(todays, { percent: 22 }, false, 'e-2'), [corrected('milestone.progress-reported', { percent: 22 }, { correctsEventId: 'e-2' })]],
      ['correct a back-filled report’s percent: not in force', [planned, todays, backFilled], correct(backFilled, { percent: 9 }), [corrected('milestone.progress-reported', { percent: 9 }, { current: false })]],
      [
        'correct a back-filled report’s date past the latest: now in force',
        [planned, todays, backFilled],
        correct(backFilled, { reportedOn: '2026-11-21' }),
        [corrected('milestone.progress-reported', { reportedOn: '2026-11-21' }, { occurredAt: '2026-11-21T00:00:00.000Z' })],
      ],
      [
        'correct the latest report’s date to before another: no longer in force',
        [planned, todays, backFilled],
        correct(todays, { reportedOn: '2026-10-01' }, false, 'e-2'),
        [corrected('milestone.progress-reported', { reportedOn: '2026-10-01' }, { occurredAt: '2026-10-01T00:00:00.000Z', current: false, correctsEventId: 'e-2' })],
      ],
      [
        'plan a milestone that contributes to a target of its agreement',
        [],
        { ...plan, agreement: { ...agreement, targetIds: ['T1', 'T2'] }, contributesTo: ['T1'] },
        [{ ...planned, data: { ...planned.data, contributesTo: ['T1'] } as never }],
      ],
      [
        'met with the quantity achieved (a financing milestone met with USD 300 million)',
        [planned],
        { kind: 'markMet', metOn: '2026-11-01', evidence, achieved: { amount: 3e8, unit: 'USD', currency: 'USD' }, ...at },
        [{ ...met, data: { ...ids, metOn: '2026-11-01', evidence, achieved: { amount: 3e8, unit: 'USD', currency: 'USD' } } }],
      ],
      [
        'partially met with a quantity, naming the target it counts towards',
        [planned],
        { kind: 'markPartiallyMet', metOn: '2026-11-01', evidence, note: 'first phase', achieved: { amount: 200000, unit: 't/yr' }, contributesTo: ['T2'], ...at },
        [{ ...partiallyMet, data: { ...ids, metOn: '2026-11-01', evidence, note: 'first phase', achieved: { amount: 200000, unit: 't/yr' }, contributesTo: ['T2'] } }],
      ],
      [
        'correct the quantity achieved',
        [planned, met],
        correct(met, { achieved: { amount: 2.5e8, unit: 'USD', currency: 'USD' } }),
        [corrected('milestone.met', { achieved: { amount: 2.5e8, unit: 'USD', currency: 'USD' } })],
      ],
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
      ['start a milestone of a terminated agreement', [planned], { kind: 'start', now, agreement: { ...agreement, terminated: true } }, 'conflict', /agreement a-1 is terminated: this milestone takes no new progress/],
      ['report progress on a terminated agreement', [planned, started], { kind: 'reportProgress', percent: 5, now, agreement: { ...agreement, terminated: true } }, 'conflict', /terminated/],
      ['reschedule on a terminated agreement', [planned], { kind: 'reschedule', newDueDate: '2027-12-31', reason: 'x', now, agreement: { ...agreement, terminated: true } }, 'conflict', /terminated/],
      ['start an unknown milestone', [], { kind: 'start', ...at }, 'not-found', /not found/],
      ['start twice', [planned, started], { kind: 'start', ...at }, 'invalid-transition', /already in progress/],
      ['report progress on a cancelled milestone', [planned, cancelled], { kind: 'reportProgress', percent: 5, ...at }, 'invalid-transition', /cannot report progress.*cancelled/],
      ['report progress on a met milestone', [planned, met], { kind: 'reportProgress', percent: 5, ...at }, 'invalid-transition', /already met/],
      ['reschedule to the same date', [planned], { kind: 'reschedule', newDueDate: '2026-12-31', reason: 'x', ...at }, 'invalid', /already due/],
      ['reschedule a milestone not met', [planned, notMet], { kind: 'reschedule', newDueDate: '2027-12-31', reason: 'x', ...at }, 'invalid-transition', /not met/],
      ['met without evidence', [planned], { kind: 'markMet', metOn: '2026-11-01', evidence: [], ...at }, 'invalid-transition', /requires evidence/],
      ['met in the future', [planned], { kind: 'markMet', metOn: '2026-12-01', evidence, ...at }, 'unprocessable', /metOn 2026-12-01 is in the future/],
      ['met before the agreement was signed', [planned], { kind: 'markMet', metOn: '2026-01-28', evidence, ...at }, 'unprocessable', /metOn 2026-01-28 is before the agreement was signed \(2026-01-29\)/],
      ['met twice', [planned, met], { kind: 'markMet', metOn: '2026-11-01', evidence, ...at }, 'invalid-transition', /already met/],
      ['partially met without evidence', [planned], { kind: 'markPartiallyMet', metOn: '2026-11-01', evidence: [], note: 'x', ...at }, 'invalid-transition', /requires evidence/],
      ['not met after met', [planned, met], { kind: 'markNotMet', reason: 'x', ...at }, 'invalid-transition', /already met/],
      ['cancel a cancelled milestone', [planned, cancelled], { kind: 'cancel', reason: 'x', ...at }, 'invalid-transition', /already cancelled/],
      ['cancel a partially met milestone', [planned, partiallyMet], { kind: 'cancel', reason: 'x', ...at }, 'invalid-transition', /partially met/],
      ['progress reported for a day that has begun nowhere yet', [planned], { kind: 'reportProgress', percent: 5, ...at, occurredAt: '2026-11-24' }, 'unprocessable', /in the future/],
      ['a start beyond the clock skew', [planned], { kind: 'start', ...at, occurredAt: '2026-11-22T10:05:01Z' }, 'unprocessable', /in the future/],
      ['a plan agreed before a year-precise signing', [], { ...plan, agreement: { ...agreement, signedOn: '2026', datePrecision: 'year' }, occurredAt: '2025-12-31' }, 'unprocessable', /before the agreement was signed \(2026\)/],
      ['a reschedule decided before the last one', [planned, slip('2026-12-31', '2027-03-31', 90, 1, '2026-10-15')], { kind: 'reschedule', newDueDate: '2027-06-30', reason: 'x', ...at, occurredAt: '2026-10-01' }, 'unprocessable', /2026-10-01 is before the last reschedule, decided on 2026-10-15/],
      ['correct an event of another milestone', [planned], { kind: 'correct', target: null, correctsEventId: 'e-x', changes: { percent: 5 }, reason: 'r', ...at }, 'unprocessable', /e-x is not one of this milestone's events/],
      ['correct a met date into the future', [planned, met], correct(met, { metOn: '2026-12-01' }), 'unprocessable', /metOn 2026-12-01 is in the future/],
      ['correct a met date to before the signing', [planned, met], correct(met, { metOn: '2025-06-01' }), 'unprocessable', /before the agreement was signed/],
      ['correct a field the event does not have', [planned, met], correct(met, { percent: 90 }), 'unprocessable', /percent cannot be corrected on a milestone.met event/],
      ['a correction that changes nothing', [planned, met], correct(met, { metOn: '2026-11-01' }), 'unprocessable', /changes nothing/],
      [
        'correct a correction',
        [planned, met],
        { kind: 'correct', target: { ...target(corrected('milestone.met', { metOn: '2026-10-20' })) }, correctsEventId: 'e-1', changes: { metOn: '2026-10-21' }, reason: 'r', ...at },
        'unprocessable',
        /a milestone.corrected event cannot be corrected/,
      ],
      ['correct an unknown milestone', [], correct(met, { metOn: '2026-10-20' }), 'not-found', /not found/],
      [
        'plan towards a target the agreement does not have',
        [],
        { ...plan, agreement: { ...agreement, targetIds: ['T1'] }, contributesTo: ['T1', 'T4'] },
        'unprocessable',
        /T4 is not a target of agreement a-1 \(its targets: T1\)/,
      ],
      [
        'met towards a target the agreement no longer has',
        [planned],
        { kind: 'markMet', metOn: '2026-11-01', evidence, contributesTo: ['T2'], now, agreement: { ...agreement, targetIds: [] } },
        'unprocessable',
        /T2 is not a target .*its targets: none/,
      ],
    ];
    it.each(refused)('%s', (_name, given, command, code, message) => {
      spec.given(given).when(command).thenThrows(code as never, message);
    });
  });

  const fold = (events: MilestoneEvent[]) => events.reduce(milestoneDecider.evolve, milestoneDecider.initialState());

  describe('the percent is the latest report’s by the date it describes, not by record', () => {
    const progress: Array<[string, MilestoneEvent[], { percent: number; percentOn?: string; lastNote?: string }]> = [
      ['reports in date order: the last', [planned, backFilled, todays], { percent: 20, percentOn: '2026-11-20', lastNote: 'drilling under way' }],
      ['a back-filled report keeps the later percent and note', [planned, todays, backFilled], { percent: 20, percentOn: '2026-11-20', lastNote: 'drilling under way' }],
      ['two reports for the same date: the later recorded', [planned, stored('e-2', 20, '2026-11-20'), stored('e-1', 25, '2026-11-20')], { percent: 25, percentOn: '2026-11-20' }],
      ['a later report without a note keeps the note of the one before', [planned, backFilled, stored('e-2', 20, '2026-11-20')], { percent: 20, lastNote: 'first survey camp' }],
      ['the latest report’s percent corrected', [planned, todays, backFilled, corrected('milestone.progress-reported', { percent: 22 }, { correctsEventId: 'e-2' })], { percent: 22, percentOn: '2026-11-20' }],
      ['a back-filled report’s percent corrected: the latest stands', [planned, todays, backFilled, corrected('milestone.progress-reported', { percent: 9 }, { current: false })], { percent: 20 }],
      [
        'a back-filled report’s date corrected past the latest: its percent and note',
        [planned, todays, backFilled, corrected('milestone.progress-reported', { reportedOn: '2026-11-21' })],
        { percent: 8, percentOn: '2026-11-21', lastNote: 'first survey camp' },
      ],
      [
        'the latest report’s date corrected to before another: the other’s percent',
        [planned, todays, backFilled, corrected('milestone.progress-reported', { reportedOn: '2026-10-01' }, { correctsEventId: 'e-2', current: false })],
        { percent: 8, percentOn: '2026-10-03', lastNote: 'first survey camp' },
      ],
      // Stored before business dates counted: `current` said "no later-recorded report"; the dates rule now.
      ['a correction stored as in force by record order, of a back-filled report', [planned, todays, backFilled, corrected('milestone.progress-reported', { percent: 9 })], { percent: 20 }],
      ['met keeps 100, whatever report is folded after it (business order)', [planned, todays, met, stored('e-3', 90, '2026-11-21')], { percent: 100 }],
    ];
    it.each(progress)('%s', (_name, given, then) => {
      expect(fold(given)).toMatchObject(then);
    });

    it('keeps every report in the history and the evidence, the back-filled one too', () => {
      const link = { url: 'https://example.org/october.pdf' };
      const state = fold([planned, todays, { ...backFilled, data: { ...backFilled.data, evidence: [link] } } as MilestoneEvent]);
      expect(state.exists && state.progressReports?.map((r) => [r.eventId, r.percent])).toEqual([['e-2', 20], ['e-1', 8]]);
      expect(state.exists && state.evidence).toEqual([link]);
    });

    it('a state folded before the reports were kept takes the next report as before (record order)', () => {
      const before = fold([planned, todays]);
      if (!before.exists) throw new Error('planned');
      const { progressReports: _r, percentOn: _on, ...old } = before;
      expect(milestoneDecider.evolve(old, backFilled)).toMatchObject({ percent: 8, percentOn: '2026-10-03' });
      // A correction of a report it does not keep: by the `current` it was stored with.
      expect(milestoneDecider.evolve(old, corrected('milestone.progress-reported', { percent: 22 }, { correctsEventId: 'e-2' }))).toMatchObject({ percent: 22 });
    });
  });

  it('keeps the slip history visible in the state', () => {
    const state = fold([planned, slip('2026-12-31', '2027-03-31', 90, 1), slip('2027-03-31', '2027-06-30', 91, 2), slip('2027-06-30', '2027-07-01', 1, 3)]);
    expect(state).toMatchObject({ dueDate: '2027-07-01', slipCount: 3 });
    expect(state.exists && state.slips.map((s) => s.slipDays)).toEqual([90, 91, 1]);
  });

  it('applies corrections still in force, lists every correction, and counts no slip for a corrected due date', () => {
    const state = fold([planned, started, report(40), corrected('milestone.progress-reported', { percent: 45 }), corrected('milestone.planned', { dueDate: '2027-01-31' }), met, corrected('milestone.met', { metOn: '2026-10-20' })]);
    expect(state).toMatchObject({ status: 'met', percent: 100, outcomeOn: '2026-10-20', dueDate: '2027-01-31', plannedDueDate: '2027-01-31', slipCount: 0, startedOn: '2026-03-01' });
    expect(state.exists && state.corrections?.map((c) => c.correctsType)).toEqual(['milestone.progress-reported', 'milestone.planned', 'milestone.met']);
    // A corrected value a later event replaced (an earlier report) changes nothing now.
    const later = fold([planned, report(40), report(60), { ...corrected('milestone.progress-reported', { percent: 45 }), data: { ...(corrected('milestone.progress-reported', { percent: 45 }).data as object), current: false } } as MilestoneEvent]);
    expect(later).toMatchObject({ percent: 60 });
  });

  it('keeps what backs the current status: the plan, then progress reports while in progress, then the outcome', () => {
    const official = { url: 'https://gov.example/decree', kind: 'official' as const };
    const media = { url: 'https://news.example/a', kind: 'media' as const };
    const withEvidence = (e: MilestoneEvent, links: object[]) => ({ ...e, data: { ...e.data, evidence: links } }) as MilestoneEvent;
    const claims = (events: MilestoneEvent[]) => {
      const state = fold(events);
      return state.exists ? state.claimEvidence?.map((l) => l.url) : undefined;
    };
    const cases: Array<[string, MilestoneEvent[], string[]]> = [
      ['planned with a link', [withEvidence(planned, [official])], [official.url]],
      ['started: nothing backs the progress yet', [withEvidence(planned, [official]), started], []],
      ['two progress reports add up', [planned, withEvidence(report(10), [media]), withEvidence(report(20), [official])], [media.url, official.url]],
      ['met: the outcome evidence only', [planned, withEvidence(report(10), [official]), withEvidence(met, [media])], [media.url]],
      ['a report after the outcome (business order) leaves it', [planned, withEvidence(met, [media]), withEvidence(report(50), [official])], [media.url]],
      ['not met: nothing', [planned, withEvidence(report(10), [official]), notMet], []],
    ];
    for (const [name, events, urls] of cases) expect([name, claims(events)]).toEqual([name, urls]);
    expect(fold([planned, { ...met, data: { ...met.data, achieved: { amount: 1, unit: 'plant' } } } as MilestoneEvent])).toMatchObject({ achieved: { amount: 1, unit: 'plant' } });
  });
});
