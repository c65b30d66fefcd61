/**
 * Periodic deletion of what outlives its use (idempotency keys, processed-event records): FerretDB v1 has no
 * TTL indexes, so each owner registers a sweep here and one timer runs them all every `sweepIntervalMs`.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

/** Deletes what is older than its retention at `now`; returns how many documents it deleted. */
export type Sweep = (now: Date) => Promise<number>;

@Injectable()
export class Housekeeping implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private readonly sweeps = new Map<string, Sweep>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs: number) {}

  register(name: string, sweep: Sweep): void {
    this.sweeps.set(name, sweep);
  }

  /** Runs every sweep once (callable directly: tests, tools); deleted counts by sweep name. */
  async sweep(now: Date = new Date()): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [name, sweep] of this.sweeps) counts[name] = await sweep(now);
    return counts;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.warn(`sweep: ${(err as Error).message}`));
    }, this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
