/**
 * Business time. Everything that decides by "now" (due dates, approach windows, stall detection, occurredAt)
 * asks a Clock, never `new Date()`, so tests can drive time and a demo can run at an offset.
 */
export interface Clock {
  now(): Date;
}

/** Wall-clock time, optionally shifted by a fixed offset (CLOCK_OFFSET_MS, for demos "one year later"). */
export class SystemClock implements Clock {
  constructor(private readonly offsetMs = 0) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export interface Duration {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  ms?: number;
}

/** A clock that only moves when told to. */
export class TestClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.current = TestClock.toMs(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): Date {
    this.current = TestClock.toMs(to);
    return this.now();
  }

  /** Moves forward (or back, with negative values) by milliseconds or a duration. */
  advance(by: number | Duration): Date {
    const ms =
      typeof by === 'number'
        ? by
        : (by.days ?? 0) * 86_400_000 +
          (by.hours ?? 0) * 3_600_000 +
          (by.minutes ?? 0) * 60_000 +
          (by.seconds ?? 0) * 1000 +
          (by.ms ?? 0);
    this.current += ms;
    return this.now();
  }

  private static toMs(value: Date | string): number {
    const ms = new Date(value).getTime();
    if (Number.isNaN(ms)) throw new Error(`TestClock: invalid date ${String(value)}`);
    return ms;
  }
}
