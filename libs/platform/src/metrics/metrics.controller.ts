import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { ApiProblems, ApiPublic } from '../http/openapi';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint. Public like the probes: scrape it from inside the cluster only. */
@ApiTags('platform')
@ApiPublic()
@ApiProblems(400)
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics in the text exposition format (no key needed: scrape from inside the cluster)' })
  @ApiOkResponse({
    description: 'the metrics',
    content: { 'text/plain': { schema: { type: 'string', example: '# TYPE http_requests_total counter\nhttp_requests_total{service="agreements"} 42\n' } } },
  })
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.expose();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
