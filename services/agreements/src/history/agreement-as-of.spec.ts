import { surroundingsAsOf, type JournalEntry } from './agreement-as-of';
import { journalSortKey, type JournalSource } from './agreement-journal';
import { isInstant } from './dto';

let position = 0;
const entry = (
  source: JournalSource,
  streamId: string,
  streamVersion: number,
  type: string,
  at: string,
  data: object,
): JournalEntry => ({
  eventId: `${streamId}:${streamVersion}`,
  source,
  type,
  streamId,
  streamVersion,
  recordedAt: at,
  occurredAt: at,
  at,
  data,
  sortKey: journalSortKey(at, source, ++position, `e${position}`),
});

const planned = (id: string, at: string) =>
  entry('milestones', `milestone-${id}`, 1, 'milestone.planned', at, {
    milestoneId: id,
    agreementId: 'a',
    type: 'other',
    title: `milestone ${id}`,
    dueDate: '2026-12-31',
    evidence: [],
  });

describe('surroundingsAsOf', () => {
  it('folds each stream in version order whatever the order given, and stops at a gap', () => {
    const result = surroundingsAsOf([
      entry('milestones', 'milestone-m1', 3, 'milestone.met', '2026-05-01T00:00:00.000Z', {
        milestoneId: 'm1',
        metOn: '2026-05-01',
        evidence: [],
      }),
      entry('milestones', 'milestone-m1', 2, 'milestone.started', '2026-04-01T00:00:00.000Z', {
        milestoneId: 'm1',
        startedOn: '2026-04-01',
      }),
      planned('m1', '2026-03-01T00:00:00.000Z'),
      planned('m2', '2026-03-02T00:00:00.000Z'),
      // Version 2 of m2 is missing: its version 3 must not count yet.
      entry('milestones', 'milestone-m2', 3, 'milestone.met', '2026-05-02T00:00:00.000Z', {
        milestoneId: 'm2',
        metOn: '2026-05-02',
        evidence: [],
      }),
    ], {});
    expect(result.milestones.map((m) => [m.id, m.status, m.version])).toEqual([
      ['m1', 'met', 3],
      ['m2', 'scheduled', 1],
    ]);
    expect(result.lastActivityAt).toBe('2026-05-01T00:00:00.000Z');
  });

  it('keeps raised and acknowledged alerts open, drops resolved ones and those raised out of order', () => {
    const raised = (id: string, at: string) =>
      entry('alerts', `alert-${id}`, 1, 'alert.raised', at, {
        alertId: id,
        kind: 'deadline.missed',
        severity: 'high',
        milestoneId: null,
        milestoneTitle: null,
        dueDate: null,
        window: null,
      });
    const result = surroundingsAsOf([
      raised('x', '2026-06-01T00:00:00.000Z'),
      entry('alerts', 'alert-x', 2, 'alert.resolved', '2026-06-02T00:00:00.000Z', {
        alertId: 'x',
        resolution: 'met',
      }),
      raised('y', '2026-06-03T00:00:00.000Z'),
      entry('alerts', 'alert-y', 2, 'alert.acknowledged', '2026-06-04T00:00:00.000Z', {
        alertId: 'y',
        by: 'someone',
      }),
      entry('alerts', 'alert-z', 2, 'alert.acknowledged', '2026-06-04T00:00:00.000Z', {
        alertId: 'z',
        by: 'someone',
      }),
    ], {});
    expect(result.openAlerts).toEqual([
      expect.objectContaining({
        id: 'y',
        status: 'acknowledged',
        raisedAt: '2026-06-03T00:00:00.000Z',
        acknowledgedAt: '2026-06-04T00:00:00.000Z',
      }),
    ]);
    expect(result.lastActivityAt).toBeNull();
  });
});

describe('isInstant', () => {
  it.each([
    ['2026-03-01', true],
    ['2026-03-01T10:00Z', true],
    ['2026-03-01T10:00:00.123+02:00', true],
    ['2026-02-29', false],
    ['2026-03-01T24:00:00Z', false],
    ['2026-03-01T10:00:00', false],
    ['1 March 2026', false],
  ])('%s → %s', (value, expected) => {
    expect(isInstant(value)).toBe(expected);
  });
});
