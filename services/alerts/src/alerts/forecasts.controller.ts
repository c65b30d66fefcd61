/**
 * GET /forecasts/{milestoneId}: when a milestone would be complete at the pace of its progress reports, the band
 * around it, and whether that puts it at risk (the same forecast that raises milestone.atRisk), for a dashboard to
 * draw. Computed when asked from the deadline read model: today's reports, the configured policy.
 */
import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblems, ApiUuidParam, Roles } from '@tracker/platform';
import { forecastCompletion, type Forecast } from '@tracker/alerts-domain';
import { AlertsConfig } from '../config';
import { DeadlineStore } from '../read-model/deadlines';
import { ForecastDto } from './responses';

@ApiTags('alerts')
@ApiKeyRequired()
@Controller('forecasts')
export class ForecastsController {
  constructor(
    private readonly deadlines: DeadlineStore,
    private readonly config: AlertsConfig,
  ) {}

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary: 'A milestone’s completion forecast: projected date, band, pace, the reports used, at risk or not',
    description:
      'Linear velocity: the least-squares slope of percent complete against the report dates over the latest FORECAST_REPORTS reports (default 5), ' +
      'projected from the latest report to 100 %; the band is that pace ± one standard error of the slope (three reports or more). ' +
      'At risk when the projection is more than ALERT_AT_RISK_AFTER_DAYS (default 7) after the due date, or when there is no forward pace; ' +
      'the same forecast raises and resolves milestone.atRisk alerts.',
  })
  @ApiUuidParam('id', 'the milestone id')
  @ApiOkResponse({ type: ForecastDto })
  @ApiProblems(404)
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<Forecast & { milestoneId: string; milestoneVersion: number }> {
    const m = await this.deadlines.get(id);
    if (!m || m.milestoneId === undefined) throw new DomainError('not-found', `milestone ${id} is not known to the alerts service (yet)`);
    return { milestoneId: id, milestoneVersion: m.version, ...forecastCompletion(m, this.config.forecastPolicy()) };
  }
}
