import type { TimelineStep } from '../api/types';
import { describeLane, describeTimeline, layoutTimeline, outcomeLabel, type Lane } from './timeline';

/*
 * Steps as GET /agreements/{id}/timeline answers them: in business-time order, each with its data as recorded and
 * the corrections that apply to it. The agreement is the Türkiye–Uzbekistan critical-minerals MoU (seed data,
 * signed 2026-01-29); its milestones are the seed data's illustrative ones.
 */
const AGREEMENT = '0b7c4f0e-9c1e-4b8e-8f57-3f1c2a6d9e41';
const DATA_STANDARD = '6a2d9f10-7b3c-4e5d-9f60-1a2b3c4d5e6f';
const EXPLORATION = 'b4c8e2a1-3d5f-4a6b-8c7d-9e0f1a2b3c4d';
const SIGNING = { signedOn: '2026-01-29', datePrecision: 'day' } as const;

let seq = 0;
type Correction = TimelineStep['corrections'][number];

function step(
  type: string,
  on: string,
  data: Record<string, unknown>,
  corrections: Correction[] = [],
): TimelineStep {
  const milestoneId = typeof data['milestoneId'] === 'string' ? data['milestoneId'] : null;
  return {
    occurredAt: on.length === 10 ? `${on}T00:00:00.000Z` : on,
    recordedAt: '2026-12-20T10:00:00.000Z',
    recordedLateDays: 0,
    source: type.startsWith('agreement.') ? 'agreement' : 'milestone',
    type,
    milestoneId,
    milestoneTitle: milestoneId ? 'as titled when planned' : null,
    eventId: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    actor: { id: 'monitor-1', role: 'monitor' },
    data: { agreementId: AGREEMENT, ...data },
    corrections,
    agreementStatus: 'inImplementation',
  };
}

const correction = (changes: Record<string, unknown>, reason: string): Correction => ({
  eventId: `c0000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  recordedAt: '2026-12-21T08:00:00.000Z',
  data: { changes, reason },
});

const report = {
  url: 'https://example.org/reports/tr-uz-data-standard.pdf',
  title: 'Joint data standard, signed version',
};

const planned = (
  milestoneId: string,
  title: string,
  type: string,
  dueDate: string,
  on = '2026-02-10T09:30:00.000Z',
  corrections: Correction[] = [],
) => step('milestone.planned', on, { milestoneId, type, title, dueDate, evidence: [] }, corrections);
const plannedStandard = (corrections: Correction[] = []) =>
  planned(
    DATA_STANDARD,
    'Shared geological data standard agreed',
    'information_sharing',
    '2026-09-30',
    undefined,
    corrections,
  );
const plannedExploration = () =>
  planned(
    EXPLORATION,
    'Joint exploration and resource-mapping programme launched',
    'geological_survey',
    '2026-12-31',
  );
const rescheduled = (
  milestoneId: string,
  previousDueDate: string,
  newDueDate: string,
  slipDays: number,
  reason: string,
  decidedOn: string,
  corrections: Correction[] = [],
) =>
  step(
    'milestone.rescheduled',
    decidedOn,
    {
      milestoneId,
      previousDueDate,
      newDueDate,
      slipDays,
      reason,
      slipCount: slipDays > 0 ? 1 : 0,
      decidedOn,
    },
    corrections,
  );
const progress = (
  milestoneId: string,
  percent: number,
  reportedOn: string,
  note?: string,
  corrections: Correction[] = [],
) =>
  step(
    'milestone.progress-reported',
    reportedOn,
    { milestoneId, percent, evidence: [], reportedOn, ...(note && { note }) },
    corrections,
  );
const met = (milestoneId: string, metOn: string, corrections: Correction[] = []) =>
  step('milestone.met', metOn, { milestoneId, metOn, evidence: [report] }, corrections);

describe('layoutTimeline: lanes', () => {
  it('gives a milestone its planned span, start, progress, slip and outcome', () => {
    const steps = [
      plannedStandard(),
      step('milestone.started', '2026-03-01', { milestoneId: DATA_STANDARD, startedOn: '2026-03-01' }),
      progress(DATA_STANDARD, 40, '2026-05-15', 'Draft standard circulated to both geological surveys'),
      rescheduled(
        DATA_STANDARD,
        '2026-09-30',
        '2026-12-31',
        92,
        'Data-sharing protocol awaiting ratification',
        '2026-08-20',
      ),
      met(DATA_STANDARD, '2026-12-10'),
    ];
    expect(layoutTimeline(steps, '2026-12-20', SIGNING).lanes).toEqual([
      {
        milestoneId: DATA_STANDARD,
        title: 'Shared geological data standard agreed',
        type: 'information_sharing',
        plannedOn: '2026-02-10',
        originalDue: '2026-09-30',
        currentDue: '2026-12-31',
        slips: [
          {
            from: '2026-09-30',
            to: '2026-12-31',
            days: 92,
            reason: 'Data-sharing protocol awaiting ratification',
            decidedOn: '2026-08-20',
          },
        ],
        startedOn: '2026-03-01',
        percent: 100, // met is done, whatever the last report said
        progress: [
          { on: '2026-05-15', percent: 40, note: 'Draft standard circulated to both geological surveys' },
        ],
        outcome: { kind: 'met', on: '2026-12-10', evidence: [report] },
      },
    ]);
  });

  it('keeps one lane per milestone, in the order they were planned', () => {
    const steps = [
      plannedStandard(),
      plannedExploration(),
      progress(EXPLORATION, 25, '2026-04-01'),
      progress(DATA_STANDARD, 10, '2026-04-02'),
    ];
    const { lanes } = layoutTimeline(steps, '2026-04-10', SIGNING);
    expect(lanes.map((l) => [l.title, l.percent, l.progress.length])).toEqual([
      ['Shared geological data standard agreed', 10, 1],
      ['Joint exploration and resource-mapping programme launched', 25, 1],
    ]);
  });

  it('takes the latest report as the percent done', () => {
    const steps = [
      plannedStandard(),
      progress(DATA_STANDARD, 40, '2026-05-15'),
      progress(DATA_STANDARD, 65, '2026-07-01'),
    ];
    const lane = layoutTimeline(steps, '2026-07-10', SIGNING).lanes[0];
    expect([lane.percent, lane.progress.map((p) => p.percent)]).toEqual([65, [40, 65]]);
  });

  it('records a due date brought forward as negative days, and not as a slip in words', () => {
    const steps = [
      plannedExploration(),
      rescheduled(EXPLORATION, '2026-12-31', '2026-10-31', -61, 'Field teams mobilised early', '2026-05-04'),
    ];
    const lane = layoutTimeline(steps, '2026-05-10', SIGNING).lanes[0];
    expect(lane.slips).toEqual([
      {
        from: '2026-12-31',
        to: '2026-10-31',
        days: -61,
        reason: 'Field teams mobilised early',
        decidedOn: '2026-05-04',
      },
    ]);
    expect([lane.originalDue, lane.currentDue]).toEqual(['2026-12-31', '2026-10-31']);
    expect(describeLane(lane)).not.toMatch(/slipped/);
  });

  it('chains the due dates through several reschedules', () => {
    const steps = [
      plannedStandard(),
      rescheduled(
        DATA_STANDARD,
        '2026-09-30',
        '2026-12-31',
        92,
        'Protocol awaiting ratification',
        '2026-08-20',
      ),
      rescheduled(
        DATA_STANDARD,
        '2026-12-31',
        '2027-03-31',
        90,
        'Ratification postponed to the spring session',
        '2026-12-15',
      ),
    ];
    const lane = layoutTimeline(steps, '2026-12-20', SIGNING).lanes[0];
    expect(lane.slips.map((s) => [s.from, s.to, s.days])).toEqual([
      ['2026-09-30', '2026-12-31', 92],
      ['2026-12-31', '2027-03-31', 90],
    ]);
    expect([lane.originalDue, lane.currentDue]).toEqual(['2026-09-30', '2027-03-31']);
  });

  it.each([
    ['not met', 'milestone.not-met', 'notMet'],
    ['cancelled', 'milestone.cancelled', 'cancelled'],
  ] as const)('closes a lane %s on its date, the reason as its note', (_, type, kind) => {
    const steps = [
      plannedStandard(),
      progress(DATA_STANDARD, 30, '2026-06-01'),
      step(type, '2026-10-05', {
        milestoneId: DATA_STANDARD,
        reason: 'No data exchanged by the deadline',
        on: '2026-10-05',
      }),
    ];
    const lane = layoutTimeline(steps, '2026-10-10', SIGNING).lanes[0];
    expect(lane.outcome).toEqual({
      kind,
      on: '2026-10-05',
      evidence: [],
      note: 'No data exchanged by the deadline',
    });
    expect(lane.percent).toBe(30); // what was done stays shown
  });

  it('closes a lane partially met with its evidence and note, keeping the percent reported', () => {
    const steps = [
      plannedStandard(),
      progress(DATA_STANDARD, 60, '2026-08-01'),
      step('milestone.partially-met', '2026-09-28', {
        milestoneId: DATA_STANDARD,
        metOn: '2026-09-28',
        evidence: [report],
        note: 'Agreed for copper and tungsten data only',
      }),
    ];
    const lane = layoutTimeline(steps, '2026-10-01', SIGNING).lanes[0];
    expect([lane.outcome, lane.percent]).toEqual([
      {
        kind: 'partiallyMet',
        on: '2026-09-28',
        evidence: [report],
        note: 'Agreed for copper and tungsten data only',
      },
      60,
    ]);
  });

  it('reads the date of an older event without one (started, reported) from its business time', () => {
    const steps = [
      plannedStandard(),
      step('milestone.started', '2026-03-02T07:15:00.000Z', { milestoneId: DATA_STANDARD }),
      step('milestone.progress-reported', '2026-04-20T16:00:00.000Z', {
        milestoneId: DATA_STANDARD,
        percent: 20,
        evidence: [],
      }),
    ];
    const lane = layoutTimeline(steps, '2026-05-01', SIGNING).lanes[0];
    expect([lane.startedOn, lane.progress]).toEqual(['2026-03-02', [{ on: '2026-04-20', percent: 20 }]]);
  });

  it('titles a lane by the milestone title the timeline gives when the planned data has none', () => {
    const step0 = step('milestone.planned', '2026-02-10', {
      milestoneId: DATA_STANDARD,
      type: 'information_sharing',
      dueDate: '2026-09-30',
      evidence: [],
    });
    expect(
      layoutTimeline(
        [{ ...step0, milestoneTitle: 'Shared geological data standard agreed' }],
        '2026-03-01',
        SIGNING,
      ).lanes[0].title,
    ).toBe('Shared geological data standard agreed');
  });

  it('ignores the steps of a milestone whose planned step is not in the timeline', () => {
    const unknown = 'ffffffff-1111-4222-8333-444444444444';
    const steps = [
      plannedStandard(),
      rescheduled(unknown, '2027-06-30', '2029-06-30', 731, 'Not ours', '2026-04-01'),
      step('milestone.met', '2026-04-02', { milestoneId: unknown, metOn: '2026-04-02', evidence: [report] }),
    ];
    const layout = layoutTimeline(steps, '2026-05-01', SIGNING);
    expect(layout.lanes.map((l) => l.milestoneId)).toEqual([DATA_STANDARD]);
    expect(layout.to).toBe('2026-09-30'); // its dates do not stretch the range either
  });
});

describe('layoutTimeline: corrections', () => {
  it('draws a planned due date corrected (a typo) as the original and current due date', () => {
    const steps = [
      plannedStandard([
        correction({ dueDate: '2026-10-31' }, 'Due date mistyped: the MoU annex says 31 October'),
      ]),
    ];
    const lane = layoutTimeline(steps, '2026-03-01', SIGNING).lanes[0];
    expect([lane.originalDue, lane.currentDue]).toEqual(['2026-10-31', '2026-10-31']);
  });

  it('moves the current due date, the slip end and its days when a reschedule’s new due date is corrected', () => {
    const steps = [
      plannedStandard(),
      rescheduled(
        DATA_STANDARD,
        '2026-09-30',
        '2026-12-31',
        92,
        'Protocol awaiting ratification',
        '2026-08-20',
        [correction({ dueDate: '2027-01-31' }, 'New due date mistyped')],
      ),
    ];
    const lane = layoutTimeline(steps, '2026-09-01', SIGNING).lanes[0];
    expect(lane.currentDue).toBe('2027-01-31');
    // 30 Sep 2026 → 31 Jan 2027 is 123 days, not the 92 recorded for the mistyped date.
    expect(lane.slips).toEqual([
      {
        from: '2026-09-30',
        to: '2027-01-31',
        days: 123,
        reason: 'Protocol awaiting ratification',
        decidedOn: '2026-08-20',
      },
    ]);
    expect(layoutTimeline(steps, '2026-09-01', SIGNING).to).toBe('2027-01-31');
  });

  it('turns a slip into a date brought forward when the correction puts the new due date before the old one', () => {
    const steps = [
      plannedStandard(),
      rescheduled(DATA_STANDARD, '2026-09-30', '2026-10-15', 15, 'Workshop moved', '2026-08-20', [
        correction({ dueDate: '2026-09-15' }, 'It was moved to 15 September, not October'),
      ]),
    ];
    const lane = layoutTimeline(steps, '2026-09-01', SIGNING).lanes[0];
    expect(lane.slips.map((s) => [s.from, s.to, s.days])).toEqual([['2026-09-30', '2026-09-15', -15]]);
    expect(describeLane(lane)).not.toMatch(/slipped/);
  });

  it('takes a corrected decision date for the slip', () => {
    const steps = [
      plannedStandard(),
      rescheduled(
        DATA_STANDARD,
        '2026-09-30',
        '2026-12-31',
        92,
        'Protocol awaiting ratification',
        '2026-08-20',
        [correction({ decidedOn: '2026-08-12' }, 'Decided at the 12 August meeting')],
      ),
    ];
    expect(layoutTimeline(steps, '2026-09-01', SIGNING).lanes[0].slips[0].decidedOn).toBe('2026-08-12');
  });

  it('takes a corrected met date for the outcome and the range', () => {
    const steps = [
      plannedStandard(),
      met(DATA_STANDARD, '2026-10-20', [
        correction({ metOn: '2026-10-02' }, 'Signed on 2 October, recorded wrongly'),
      ]),
    ];
    const layout = layoutTimeline(steps, '2026-10-01', SIGNING);
    expect(layout.lanes[0].outcome?.on).toBe('2026-10-02');
    expect(layout.to).toBe('2026-10-02');
  });

  it('keeps a milestone met at 100% when its met date is corrected to before a later progress report', () => {
    // Reported 90% on 20 Sep, met recorded for 28 Sep then corrected to 15 Sep: the correction moves the met
    // step's business time, so the timeline lists it before the report.
    const steps = [
      plannedStandard(),
      step(
        'milestone.met',
        '2026-09-15',
        { milestoneId: DATA_STANDARD, metOn: '2026-09-28', evidence: [report] },
        [correction({ metOn: '2026-09-15' }, 'Met on 15 September')],
      ),
      progress(DATA_STANDARD, 90, '2026-09-20', 'Final review'),
    ];
    const lane = layoutTimeline(steps, '2026-10-01', SIGNING).lanes[0];
    expect([lane.outcome?.kind, lane.outcome?.on, lane.percent]).toEqual(['met', '2026-09-15', 100]);
    expect(lane.progress.map((p) => p.percent)).toEqual([90]);
  });

  it('takes a corrected percent and report date', () => {
    const steps = [
      plannedStandard(),
      progress(DATA_STANDARD, 45, '2026-05-15', undefined, [
        correction({ percent: 35, reportedOn: '2026-05-14' }, 'Typed 45 for 35'),
      ]),
    ];
    const lane = layoutTimeline(steps, '2026-06-01', SIGNING).lanes[0];
    expect([lane.percent, lane.progress]).toEqual([35, [{ on: '2026-05-14', percent: 35 }]]);
  });

  it('applies several corrections of one step in the order they were made', () => {
    const steps = [
      plannedStandard([
        correction({ dueDate: '2026-10-31' }, 'First fix'),
        correction({ dueDate: '2026-11-30' }, 'Second fix'),
      ]),
    ];
    expect(layoutTimeline(steps, '2026-03-01', SIGNING).lanes[0].originalDue).toBe('2026-11-30');
  });
});

describe('layoutTimeline: the agreement’s own steps', () => {
  const suspended = (effectiveOn: string, corrections: Correction[] = []) =>
    step(
      'agreement.suspended',
      effectiveOn,
      { reason: 'Review of export licensing rules', effectiveOn },
      corrections,
    );
  const resumed = (effectiveOn: string) => step('agreement.resumed', effectiveOn, { effectiveOn });

  it('draws a suspension that was lifted from its start to the resumption', () => {
    const layout = layoutTimeline(
      [plannedStandard(), suspended('2026-06-01'), resumed('2026-07-15')],
      '2026-08-01',
      SIGNING,
    );
    expect(layout.suspensions).toEqual([
      { from: '2026-06-01', to: '2026-07-15', reason: 'Review of export licensing rules' },
    ]);
    expect(layout.endedOn).toBeNull();
  });

  it('leaves a suspension still in force open', () => {
    const layout = layoutTimeline([plannedStandard(), suspended('2026-06-01')], '2026-08-01', SIGNING);
    expect(layout.suspensions).toEqual([
      { from: '2026-06-01', to: null, reason: 'Review of export licensing rules' },
    ]);
  });

  it('closes each suspension with its own resumption', () => {
    const layout = layoutTimeline(
      [suspended('2026-03-01'), resumed('2026-03-20'), suspended('2026-06-01'), resumed('2026-07-15')],
      '2026-08-01',
      SIGNING,
    );
    expect(layout.suspensions.map((p) => [p.from, p.to])).toEqual([
      ['2026-03-01', '2026-03-20'],
      ['2026-06-01', '2026-07-15'],
    ]);
  });

  it('ends a suspension, and the agreement, on termination', () => {
    const layout = layoutTimeline(
      [
        plannedStandard(),
        suspended('2026-06-01'),
        step('agreement.terminated', '2026-09-01', {
          reason: 'Superseded by a new framework',
          effectiveOn: '2026-09-01',
        }),
      ],
      '2026-10-01',
      SIGNING,
    );
    expect(layout.suspensions.map((p) => p.to)).toEqual(['2026-09-01']);
    expect(layout.endedOn).toEqual({ on: '2026-09-01', how: 'terminated' });
  });

  it('marks an expiry', () => {
    const layout = layoutTimeline(
      [step('agreement.expired', '2029-01-29', { effectiveOn: '2029-01-29' })],
      '2029-02-01',
      SIGNING,
    );
    expect(layout.endedOn).toEqual({ on: '2029-01-29', how: 'expired' });
  });

  it('takes a corrected suspension date, and reads an older step’s date from its business time', () => {
    const layout = layoutTimeline(
      [
        suspended('2026-06-03', [correction({ effectiveOn: '2026-06-01' }, 'Took effect on the 1st')]),
        step('agreement.resumed', '2026-07-15T12:00:00.000Z', {}),
      ],
      '2026-08-01',
      SIGNING,
    );
    expect(layout.suspensions.map((p) => [p.from, p.to])).toEqual([['2026-06-01', '2026-07-15']]);
  });
});

describe('layoutTimeline: signing and range', () => {
  it('runs from signing to the last due date when that is after today', () => {
    const layout = layoutTimeline([plannedStandard(), plannedExploration()], '2026-03-01', SIGNING);
    expect([layout.signedOn, layout.from, layout.to, layout.today]).toEqual([
      '2026-01-29',
      '2026-01-29',
      '2026-12-31',
      '2026-03-01',
    ]);
  });

  it('runs to today when today is after every date', () => {
    expect(layoutTimeline([plannedStandard()], '2027-02-15', SIGNING).to).toBe('2027-02-15');
  });

  it.each([
    ['month', '2026-02', '2026-02-01'],
    ['year', '2026', '2026-01-01'],
  ] as const)(
    'starts a signing known to the %s at the first day of that period',
    (datePrecision, signedOn, from) => {
      const layout = layoutTimeline([plannedStandard()], '2026-03-01', { signedOn, datePrecision });
      expect([layout.signedOn, layout.from]).toEqual([signedOn, from]);
    },
  );

  it('reads the signing from the registration when the caller does not know it', () => {
    const registered = step('agreement.registered', '2026-02-05T10:00:00.000Z', {
      reference: 'TR-UZ-2026-MINING',
      signedOn: '2026-01',
      datePrecision: 'month',
    });
    const layout = layoutTimeline([registered, plannedStandard()], '2026-03-01');
    expect([layout.signedOn, layout.from]).toEqual(['2026-01', '2026-01-01']);
  });

  it('reads a corrected signing date from the registration', () => {
    const registered = step(
      'agreement.registered',
      '2026-02-05T10:00:00.000Z',
      { reference: 'TR-UZ-2026-MINING', signedOn: '2026-01-30', datePrecision: 'day' },
      [correction({ signedOn: '2026-01-29' }, 'Signed on the 29th at the Ankara summit')],
    );
    const layout = layoutTimeline([registered, plannedStandard()], '2026-03-01');
    expect([layout.signedOn, layout.from]).toEqual(['2026-01-29', '2026-01-29']);
  });

  it('prefers the signing the caller gives (the agreement as it is now) to the registration', () => {
    const registered = step('agreement.registered', '2026-02-05T10:00:00.000Z', {
      signedOn: '2026-01-30',
      datePrecision: 'day',
    });
    expect(layoutTimeline([registered], '2026-03-01', SIGNING).signedOn).toBe('2026-01-29');
  });

  it('starts at the first date drawn when the signing date is unknown', () => {
    // TR-NE: signed, but nobody published when.
    const layout = layoutTimeline(
      [
        step('agreement.suspended', '2026-02-01', {
          reason: 'Political transition',
          effectiveOn: '2026-02-01',
        }),
        plannedStandard(),
      ],
      '2026-03-01',
      { signedOn: null, datePrecision: 'unknown' },
    );
    expect([layout.signedOn, layout.from]).toEqual([null, '2026-02-01']);
  });

  it('spans signing to today before any step', () => {
    const layout = layoutTimeline([], '2026-03-01', SIGNING);
    expect([layout.from, layout.to, layout.lanes, layout.suspensions, layout.endedOn]).toEqual([
      '2026-01-29',
      '2026-03-01',
      [],
      [],
      null,
    ]);
  });

  it('is just today with nothing known at all', () => {
    const layout = layoutTimeline([], '2026-03-01');
    expect([layout.signedOn, layout.from, layout.to]).toEqual([null, '2026-03-01', '2026-03-01']);
  });
});

describe('describeLane and describeTimeline', () => {
  const lane = (l: Partial<Lane>): Lane => ({
    milestoneId: DATA_STANDARD,
    title: 'Shared geological data standard agreed',
    type: 'information_sharing',
    plannedOn: '2026-02-10',
    originalDue: '2026-09-30',
    currentDue: '2026-09-30',
    slips: [],
    startedOn: null,
    percent: 0,
    progress: [],
    outcome: null,
    ...l,
  });
  const slip = (from: string, to: string, days: number, reason: string) => ({
    from,
    to,
    days,
    reason,
    decidedOn: from,
  });

  it.each([
    [
      'an open milestone with its progress',
      lane({ percent: 40 }),
      'Shared geological data standard agreed: planned 2026-02-10, due 2026-09-30, 40% done',
    ],
    [
      'a slipped milestone, met',
      lane({
        currentDue: '2026-12-31',
        slips: [slip('2026-09-30', '2026-12-31', 92, 'Protocol awaiting ratification')],
        percent: 100,
        outcome: { kind: 'met', on: '2026-12-10', evidence: [report] },
      }),
      'Shared geological data standard agreed: planned 2026-02-10, due 2026-09-30, now due 2026-12-31, slipped 1 time (92 days: Protocol awaiting ratification), met on 2026-12-10',
    ],
    [
      'two slips and a date brought forward (not a slip)',
      lane({
        currentDue: '2027-03-01',
        slips: [
          slip('2026-09-30', '2026-10-01', 1, 'Venue unavailable'),
          slip('2026-10-01', '2027-03-31', 181, 'Ratification postponed'),
          slip('2027-03-31', '2027-03-01', -30, 'Session brought forward'),
        ],
      }),
      'Shared geological data standard agreed: planned 2026-02-10, due 2026-09-30, now due 2027-03-01, slipped 2 times (1 day: Venue unavailable; 181 days: Ratification postponed), 0% done',
    ],
    [
      'a cancelled milestone',
      lane({
        percent: 30,
        outcome: { kind: 'cancelled', on: '2026-05-05', evidence: [], note: 'Superseded' },
      }),
      'Shared geological data standard agreed: planned 2026-02-10, due 2026-09-30, cancelled on 2026-05-05',
    ],
  ])('describes %s', (_, l, expected) => {
    expect(describeLane(l)).toBe(expected);
  });

  it.each([
    ['met', 'met'],
    ['partiallyMet', 'partially met'],
    ['notMet', 'not met'],
    ['cancelled', 'cancelled'],
  ] as const)('names the outcome %p as %p', (outcome, expected) => {
    expect(outcomeLabel(outcome)).toBe(expected);
  });

  it('describes the whole timeline: range, suspensions, end and each lane', () => {
    const steps = [
      plannedStandard(),
      plannedExploration(),
      step('agreement.suspended', '2026-04-01', { reason: 'Licensing review', effectiveOn: '2026-04-01' }),
      step('agreement.resumed', '2026-04-20', { effectiveOn: '2026-04-20' }),
      step('agreement.suspended', '2026-06-01', {
        reason: 'Political transition',
        effectiveOn: '2026-06-01',
      }),
    ];
    expect(describeTimeline(layoutTimeline(steps, '2026-07-01', SIGNING))).toBe(
      'Timeline from 2026-01-29 to 2026-12-31, today 2026-07-01.' +
        ' Suspended from 2026-04-01 to 2026-04-20. Suspended from 2026-06-01, still suspended.' +
        ' Shared geological data standard agreed: planned 2026-02-10, due 2026-09-30, 0% done.' +
        ' Joint exploration and resource-mapping programme launched: planned 2026-02-10, due 2026-12-31, 0% done.',
    );
  });

  it('says when the agreement ended, and when no milestone is planned yet', () => {
    const steps = [
      step('agreement.terminated', '2026-05-01', { reason: 'Withdrawn', effectiveOn: '2026-05-01' }),
    ];
    expect(describeTimeline(layoutTimeline(steps, '2026-06-01', SIGNING))).toBe(
      'Timeline from 2026-01-29 to 2026-06-01, today 2026-06-01. Terminated on 2026-05-01. No milestone planned yet.',
    );
  });
});
