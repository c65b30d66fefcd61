/** A clock that only moves when told to (the platform's `Clock` shape: `now()`). */
export interface Duration {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  ms?: number;
}

export class TestClock {
  private current: number;

  constructor(start: Date | string = '2026-01-29T09:00:00.000Z') {
    this.current = TestClock.toMs(start);
  }

  /** A property, not a method, so that `{ now: clock.now }` can be handed on. */
  now = (): Date => new Date(this.current);

  set(to: Date | string): Date {
    this.current = TestClock.toMs(to);
    return this.now();
  }

  /** Moves forward (or back, with negative values) by milliseconds or a duration. */
  advance(by: number | Duration): Date {
    const ms =
      typeof by === 'number'
        ? by
        : (by.days ?? 0) * 86_400_000 + (by.hours ?? 0) * 3_600_000 + (by.minutes ?? 0) * 60_000 + (by.seconds ?? 0) * 1000 + (by.ms ?? 0);
    this.current += ms;
    return this.now();
  }

  private static toMs(value: Date | string): number {
    const ms = new Date(value).getTime();
    if (Number.isNaN(ms)) throw new Error(`TestClock: invalid date ${String(value)}`);
    return ms;
  }
}
