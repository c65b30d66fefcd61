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

