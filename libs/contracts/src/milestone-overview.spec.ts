import { deriveImplementationStatus } from './agreement-status';
import type { MilestoneEventData, MilestoneEventType } from './milestone-events';
import { foldMilestoneOverview, type MilestoneOverview } from './milestone-overview';

const ids = { milestoneId: 'm1', agreementId: 'a1' };
type Step = {
  [K in MilestoneEventType]: [K, Omit<MilestoneEventData[K], 'milestoneId' | 'agreementId'>];
}[MilestoneEventType];

const fold = (steps: Step[]): MilestoneOverview | undefined =>
  steps.reduce<MilestoneOverview | undefined>(
    (overview, [type, data]) => foldMilestoneOverview(overview, type, { ...ids, ...data } as never),
    undefined,
  );

const planned: Step = [
  'milestone.planned',
  { type: 'processing_plant', title: 'Lithium plant', dueDate: '2026-06-30', evidence: [] },
];

describe('foldMilestoneOverview', () => {
  it('knows nothing before the milestone was planned', () => {
    expect(fold([['milestone.started', { startedOn: '2026-04-01' }]])).toBeUndefined();
  });

  it('starts from the plan', () => {
    expect(fold([planned])).toEqual({
      milestoneId: 'm1',
      agreementId: 'a1',
      type: 'processing_plant',
      title: 'Lithium plant',
      status: 'scheduled',
      dueDate: '2026-06-30',
      plannedDueDate: '2026-06-30',
      slipCount: 0,
      percent: 0,
      active: false,
      outcomeOn: null,
      contribution: { contributesTo: [], achieved: null, claimKinds: [] },
    });
  });

  it('follows start, progress, a slip and the outcome, keeping the first due date', () => {
    const steps: Step[] = [
      planned,
      ['milestone.started', { startedOn: '2026-04-01' }],
      ['milestone.progress-reported', { percent: 40, evidence: [], reportedOn: '2026-04-15' }],
      [
        'milestone.rescheduled',
        {
          previousDueDate: '2026-06-30',
          newDueDate: '2026-08-31',
          slipDays: 62,
          reason: 'permits',
          slipCount: 1,
          decidedOn: '2026-05-01',
        },
      ],
    ];
    expect(fold(steps)).toMatchObject({
      status: 'inProgress',
      active: true,
      percent: 40,
      dueDate: '2026-08-31',
      plannedDueDate: '2026-06-30',
      slipCount: 1,
      outcomeOn: null,
    });
    const met = fold([...steps, ['milestone.met', { metOn: '2026-08-15', evidence: [] }]]);
    expect(met).toMatchObject({
      status: 'met',
      percent: 100,
      outcomeOn: '2026-08-15',
      title: 'Lithium plant',
    });
    expect(deriveImplementationStatus(met ? [met] : [])).toBe('completed');
  });

  it.each([
    [
      'milestone.partially-met',
      { metOn: '2026-07-01', evidence: [], note: 'half the capacity' },
      { status: 'partiallyMet', percent: 0, outcomeOn: '2026-07-01' },
    ],
    [
      'milestone.not-met',
      { reason: 'funding withdrawn' },
      { status: 'notMet', active: true, outcomeOn: null },
    ],
    ['milestone.cancelled', { reason: 'merged into another' }, { status: 'cancelled', active: false }],
  ] as const)('closes with %s', (type, data, expected) => {
    expect(fold([planned, [type, data] as Step])).toMatchObject(expected);
  });

  describe('the percent is the latest report’s by date, not the last recorded', () => {
    // Steps with their event ids (r-… for reports), as the journal holds them.
    const foldWithIds = (steps: Array<[string, Step]>) =>
      steps.reduce<MilestoneOverview | undefined>((o, [eventId, [type, data]]) => foldMilestoneOverview(o, type, { ...ids, ...data } as never, eventId), undefined);
    const report = (percent: number, reportedOn: string): Step => ['milestone.progress-reported', { percent, evidence: [], reportedOn }];
    const correction = (correctsEventId: string, changes: object, current: boolean): Step => [
      'milestone.corrected',
      { correctsEventId, correctsType: 'milestone.progress-reported', changes, current, reason: 'typo' },
    ];
    const given: Array<[string, Step]> = [['p', planned], ['r-today', report(20, '2026-11-20')], ['r-october', report(8, '2026-10-03')]];
    it.each([
      ['a back-filled report keeps the later percent', [], 20],
      ['a back-filled report’s percent corrected (stored as in force by record order): the latest stands', [correction('r-october', { percent: 9 }, true)], 20],
      ['the latest report’s percent corrected', [correction('r-today', { percent: 22 }, false)], 22],
      ['a back-filled report’s date corrected past the latest: its percent', [correction('r-october', { reportedOn: '2026-11-21' }, true)], 8],
      ['the latest report’s date corrected to before another: the other’s', [correction('r-today', { reportedOn: '2026-10-01' }, false)], 8],
    ] as Array<[string, Step[], number]>)('%s', (_name, then, percent) => {
      expect(foldWithIds([...given, ...then.map((s, i) => [`c-${i}`, s] as [string, Step])])?.percent).toBe(percent);
    });
  });
});
