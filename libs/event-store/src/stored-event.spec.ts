import { InvalidEventError } from './errors';
import { assertValidStreamId, normalizeIsoTime, toPlainJson } from './stored-event';

describe('what the store accepts', () => {
  it.each(['agreement-0190a5b2-7c1e-7000-8000-000000000001', 'milestone_1', 'a'])('stream id %s is valid', (id) => {
    expect(() => assertValidStreamId(id)).not.toThrow();
  });
  it.each(['', 'a.b', '$x', 'a b', 'x'.repeat(257)])('stream id %j is refused', (id) => {
    expect(() => assertValidStreamId(id)).toThrow(InvalidEventError);
  });

  it('turns data into plain JSON (drops undefined, dates become ISO strings)', () => {
    const d = new Date('2026-02-04T00:00:00Z');
    expect(toPlainJson({ a: undefined, b: d, c: [1, undefined] }, 'data')).toEqual({ b: d.toISOString(), c: [1, null] });
  });
  it.each([
    [{ 'a.b': 1 }],
    [{ x: { $set: 1 } }],
    [{ x: [{ 'y.z': 1 }] }],
    [{ n: NaN }],
    [{ n: Infinity }],
    [undefined],
  ])('refuses %j', (data) => {
    expect(() => toPlainJson(data, 'data')).toThrow(InvalidEventError);
  });

  it('normalizes business times to ISO 8601 UTC with milliseconds', () => {
    const fallback = new Date('2026-01-01T00:00:00Z');
    expect(normalizeIsoTime(undefined, fallback, 't')).toBe('2026-01-01T00:00:00.000Z');
    expect(normalizeIsoTime('2026-01-29', fallback, 't')).toBe('2026-01-29T00:00:00.000Z');
    expect(normalizeIsoTime('2026-01-29T12:00:00+03:00', fallback, 't')).toBe('2026-01-29T09:00:00.000Z');
    expect(() => normalizeIsoTime('not a date', fallback, 't')).toThrow(InvalidEventError);
  });
});
