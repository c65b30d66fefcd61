import { TestClock } from './clock';

describe('TestClock', () => {
  it('moves only when told', () => {
    const clock = new TestClock('2026-01-29T09:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-01-29T09:00:00.000Z');
    expect(clock.advance({ days: 30, hours: 1 }).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(clock.advance(-3_600_000).toISOString()).toBe('2026-02-28T09:00:00.000Z');
    clock.set('2027-01-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(() => clock.set('not a date')).toThrow(/invalid date/);
  });
});
