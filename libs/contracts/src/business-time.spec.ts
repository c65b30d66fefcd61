import { DomainError } from './decider';
import { businessInstant, checkedBusinessTime, isBusinessTime, recordedLateDays, signingPeriodStart } from './business-time';

describe('business time', () => {
  it.each([
    ['2026-06-30', true],
    ['2026-06-30T12:00:00Z', true],
    ['2026-06-30T12:00Z', true],
    ['2026-06-30T12:00:00.123+05:30', true],
    ['2026-02-30', false],
    ['2026-06-30T24:00:00Z', false],
    ['2026-06-30T12:60:00Z', false],
    ['2026-06-30T12:00:00', false], // no zone
    ['30 June 2026', false],
    [20260630, false],
  ])('%p is a business time: %p', (value, expected) => {
    expect(isBusinessTime(value)).toBe(expected);
  });

  it('reads a date as its UTC day start and a date-time as its instant', () => {
    expect(businessInstant('2026-06-30')).toBe('2026-06-30T00:00:00.000Z');
    expect(businessInstant('2026-06-30T02:00:00+02:00')).toBe('2026-06-30T00:00:00.000Z');
  });

  it('starts a signing period at its first day', () => {
    expect([signingPeriodStart('2026-01-29', 'day'), signingPeriodStart('2026-01', 'month'), signingPeriodStart('2026', 'year'), signingPeriodStart(null)]).toEqual([
      '2026-01-29',
      '2026-01-01',
      '2026-01-01',
      null,
    ]);
  });

  const context = { now: '2026-06-30T23:00:00.000Z', signedOn: '2026-01-15', datePrecision: 'day' as const };
  const refusal = (value: string) => {
    try {
      checkedBusinessTime(value, context);
      return null;
    } catch (err) {
      return err instanceof DomainError ? `${err.code}: ${err.message}` : String(err);
    }
  };
  it.each([
    // At 23:00 UTC it is already 1 July east of UTC+1: that date has begun somewhere, so it is no future.
    ['2026-07-01', null],
    ['2026-07-02', /unprocessable: occurredAt 2026-07-02 is in the future/],
    ['2026-06-30T23:04:00Z', null], // within the clock skew
    ['2026-06-30T23:06:00Z', /in the future/],
    // The signing day written in a zone ahead of UTC is the signing day, not the day before.
    ['2026-01-15T00:30:00+02:00', null],
    ['2026-01-15', null],
    ['2026-01-14', /unprocessable: occurredAt 2026-01-14 is before the agreement was signed \(2026-01-15\)/],
  ])('checks %s', (value, expected) => {
    const result = refusal(value);
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatch(expected);
  });

  it('counts whole days recorded late, none when recorded the same day', () => {
    expect(recordedLateDays('2026-05-01T00:00:00Z', '2026-06-10T09:00:00Z')).toBe(40);
    expect(recordedLateDays('2026-06-10T08:00:00Z', '2026-06-10T09:00:00Z')).toBe(0);
  });
});
