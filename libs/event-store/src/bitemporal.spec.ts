import type { EventEnvelope } from '@tracker/contracts';
import { effectiveTimes, eventsAt, knownBy } from './bitemporal';

/** A stream written in version order: [type, occurredAt, recordedAt, data?]. */
function stream(...rows: Array<[string, string, string, object?]>): EventEnvelope[] {
  return rows.map(([type, occurredAt, recordedAt, data], i) => ({
    eventId: `e${i + 1}`,
    type,
    schemaVersion: 1,
    streamId: 's-1',
    streamVersion: i + 1,
    position: i + 1,
    agreementId: 'a-1',
    occurredAt,
    recordedAt,
    actor: { id: 'dev-monitor', role: 'monitor' },
    correlationId: 'c',
    causationId: null,
    data: data ?? {},
    hash: 'h',
    prevHash: null,
  }));
}

// Planned in February (typed in on 1 March), met on 10 June (typed in 5 July), the met date corrected to 20 June on
// 1 August, a report describing 31 May typed in on 9 July (after the met).
const history = stream(
  ['milestone.planned', '2026-02-01T00:00:00Z', '2026-03-01T09:00:00Z'],
  ['milestone.met', '2026-06-10T00:00:00Z', '2026-07-05T09:00:00Z'],
  ['milestone.progress-reported', '2026-05-31T00:00:00Z', '2026-07-09T09:00:00Z'],
  ['milestone.corrected', '2026-08-01T09:00:00Z', '2026-08-01T09:00:00Z', { correctsEventId: 'e2', occurredAt: '2026-06-20T00:00:00Z' }],
);
const ids = (events: EventEnvelope[]) => events.map((e) => e.eventId);
const at = (validAt?: string, knownAt?: string) => ({ ...(validAt && { validAt: new Date(validAt) }), ...(knownAt && { knownAt: new Date(knownAt) }) });

describe('two clocks', () => {
  it('knownAt: the prefix recorded by then, stopping at a version recorded out of order', () => {
    expect(ids(knownBy(history, new Date('2026-07-06T00:00:00Z')))).toEqual(['e1', 'e2']);
    expect(ids(knownBy(history, undefined))).toEqual(['e1', 'e2', 'e3', 'e4']);
    const skewed = stream(['a', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'], ['b', '2026-01-01T00:00:00Z', '2026-01-01T12:00:00Z']);
    expect(ids(knownBy(skewed, new Date('2026-01-01T13:00:00Z')))).toEqual([]);
  });

  it('counts a fact dated before the stream was created from the creation on (folded after it)', () => {
    // Planned without a date (so on 1 July, when typed in), then met "on 30 June" the next day.
    const early = stream(['milestone.planned', '2026-07-01T09:00:00Z', '2026-07-01T09:00:00Z'], ['milestone.met', '2026-06-30T00:00:00Z', '2026-07-02T09:00:00Z']);
    expect(effectiveTimes(early).get('e2')).toBe('2026-07-01T09:00:00.000Z');
    expect(ids(eventsAt(early, at('2026-07-01T12:00:00Z')))).toEqual(['e1', 'e2']);
    expect(ids(eventsAt(early, at('2026-06-30T12:00:00Z')))).toEqual([]);
  });

  it('a correction moves the business time of the fact it corrects', () => {
    expect(effectiveTimes(history).get('e2')).toBe('2026-06-20T00:00:00.000Z');
    expect(effectiveTimes(history.slice(0, 3)).get('e2')).toBe('2026-06-10T00:00:00.000Z');
  });

  // Each cell: the events folded for (validAt, knownAt), in fold order.
  const grid: Array<[string | undefined, string | undefined, string[]]> = [
    [undefined, undefined, ['e1', 'e2', 'e3', 'e4']],
    ['2026-01-31T00:00:00Z', undefined, []],
    ['2026-02-01T00:00:00Z', '2026-02-15T00:00:00Z', []], // planned then, but not yet typed in
    ['2026-02-01T00:00:00Z', '2026-03-02T00:00:00Z', ['e1']],
    ['2026-06-15T00:00:00Z', '2026-07-06T00:00:00Z', ['e1', 'e2']], // met on 10 June, as known on 6 July
    ['2026-06-15T00:00:00Z', '2026-07-10T00:00:00Z', ['e1', 'e3', 'e2']], // the late report goes before the met
    ['2026-06-15T00:00:00Z', '2026-08-02T00:00:00Z', ['e1', 'e3']], // after the correction: not yet met on 15 June
    ['2026-06-30T00:00:00Z', '2026-08-02T00:00:00Z', ['e1', 'e3', 'e2', 'e4']], // met on 20 June, correction right after it
    ['2026-06-30T00:00:00Z', undefined, ['e1', 'e3', 'e2', 'e4']],
  ];
  it.each(grid)('at validAt %s, knownAt %s', (validAt, knownAt, expected) => {
    expect(ids(eventsAt(history, at(validAt, knownAt)))).toEqual(expected);
  });
});
