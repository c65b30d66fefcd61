import { Controller, Get, Inject, type OnApplicationShutdown } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/decorators';
import { Problem } from '../errors/problem';
import { ApiProblems, ApiPublic } from '../http/openapi';
import { MetricsService } from '../metrics/metrics.service';
import { Drain } from './drain';
import type { ReadinessCheck } from './readiness';

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export class Liveness {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

const byCheck = { type: 'object', additionalProperties: true, example: { mongodb: { status: 'up' } } } as const;

export class Readiness {
  @ApiProperty({ enum: ['ok', 'degraded'], description: 'degraded: only checks the service can work without for a while failed (Kafka)' })
  status: 'ok' | 'degraded';

  @ApiProperty({ ...byCheck, description: 'the checks that passed' })
  info: Record<string, unknown>;

  @ApiProperty({ ...byCheck, example: {}, description: 'the checks that failed' })
  error: Record<string, unknown>;

  @ApiProperty({ ...byCheck, description: 'every check' })
  details: Record<string, unknown>;
}

/** Liveness says "the process runs" (restart me if not); readiness says "send me traffic" (dependencies up). */
@ApiTags('platform')
@ApiPublic()
@ApiProblems(400)
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly drain: Drain,
    metrics: MetricsService,
  ) {
    // The same checks at scrape time, so that a degraded dependency (Kafka away) shows in metrics too.
    const run = (c: ReadinessCheck) => this.run(c);
    const all = this.checks;
    metrics.gauge('health_check_up', '1 while a readiness check passes, else 0 (required: 0 means not ready)', ['check', 'required'], async function () {
      this.reset();
      for (const c of all) this.set({ check: c.name, required: String(c.required !== false) }, (await run(c))[c.name]?.status === 'up' ? 1 : 0);
    });
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs (no key needed)' })
  @ApiOkResponse({ type: Liveness })
  live(): Liveness {
    return { status: 'ok' };
  }

  /**
   * 200 `ok` when every check passes; 200 `degraded` when only checks the service can work without for a while
   * fail (`required: false`: Kafka, whose outage the outbox waits out while writes go on), so an orchestrator
   * does not cut off a service that still takes writes; 503 when a required one fails.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the dependencies answer (no key needed); 503 when a required one does not, or while draining' })
  @ApiOkResponse({ type: Readiness })
  @ApiProblems(503)
  async ready(): Promise<Readiness> {
    // Shutting down: out of the load balancer first, whatever the dependencies say.
    if (this.drain.draining) throw new Problem(503, 'Service Unavailable', `Not ready: draining (shutting down since ${this.drain.since})`, { draining: true });
    const results = await Promise.all(this.checks.map(async (c) => ({ check: c, result: await this.run(c) })));
    const details = Object.assign({}, ...results.map((r) => r.result)) as Record<string, { status: string; message?: unknown }>;
    const down = results.filter((r) => r.result[r.check.name]?.status !== 'up');
    const pick = (up: boolean) => Object.fromEntries(Object.entries(details).filter(([, d]) => (d.status === 'up') === up));
    const requiredDown = down.filter((r) => r.check.required !== false);
    if (requiredDown.length > 0) {
      const names = requiredDown.map((r) => `${r.check.name}: ${String(details[r.check.name]?.message ?? 'down')}`);
      throw new Problem(503, 'Service Unavailable', `Not ready: ${names.join('; ')}`, { checks: details });
    }
    return { status: down.length ? 'degraded' : 'ok', info: pick(true), error: pick(false), details };
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
