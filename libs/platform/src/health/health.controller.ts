import { Controller, Get, Inject, type OnApplicationShutdown } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/decorators';
import { Problem } from '../errors/problem';
import type { ReadinessCheck } from './readiness';

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Liveness says "the process runs" (restart me if not); readiness says "send me traffic" (dependencies up). */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.checks.map((c) => () => this.run(c)));
    } catch (err) {
      // Terminus throws a 503 carrying the report; keep the report, in the one error shape.
      const report = (err as { getResponse?: () => unknown }).getResponse?.() as
        HealthCheckResult | undefined;
      if (!report?.details) throw err;
      const down = Object.entries(report.details)
        .filter(([, d]) => d.status !== 'up')
        .map(([name, d]) => `${name}: ${String(d['message'] ?? 'down')}`);
      throw new Problem(503, 'Service Unavailable', `Not ready: ${down.join('; ')}`, {
        checks: report.details,
      });
    }
  }

  private async run(c: ReadinessCheck): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(c.name);
    try {
      const details = await c.check();
      return session.up(details && typeof details === 'object' ? (details as Record<string, unknown>) : {});
    } catch (err) {
      return session.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.checks.map((c) => c.close?.()));
  }
}
