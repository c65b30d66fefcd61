import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiProblems, ApiStored, ApiUuidParam, CorrelationId, CurrentActor, Roles } from '@tracker/platform';
import { matchesSubscription } from '@tracker/alerts-domain';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { AlertsService, toView, type AlertScope } from './alerts.service';
import { AcknowledgeDto, ListAlertsQueryDto } from './dto';
import { Alert, AlertPage } from './responses';

@ApiTags('alerts')
@ApiKeyRequired()
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly agreements: AgreementInfoStore,
  ) {}

  @Get()
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'List alerts, newest first: filters (agreement, milestone, kind, status, minimum severity, or a subscription’s filters), cursor pagination',
  })
  @ApiOkResponse({ type: AlertPage })
  @ApiProblem(404, 'subscriptionId names no subscription, or someone else’s.')
  async list(@Query() query: ListAlertsQueryDto, @CurrentActor() actor: Actor) {
    if (!query.subscriptionId) return this.alerts.list(query);
    return this.alerts.list(query, await this.scopeOf(query.subscriptionId, actor));
  }

  /** A subscription's filters as a query; countries and commodities become the ids of the agreements they match. */
  private async scopeOf(subscriptionId: string, actor: Actor): Promise<AlertScope> {
    const f = await this.subscriptions.filtersOf(subscriptionId, actor);
    let agreementIds = f.agreementIds?.length ? [...f.agreementIds] : undefined;
    if (f.partyCountries?.length || f.commodities?.length) {
      const matching = (await this.agreements.entries.find({}, { projection: { _id: 1, partyCountries: 1, commodities: 1 } }).toArray())
        .filter((a) =>
          matchesSubscription(
            { partyCountries: f.partyCountries, commodities: f.commodities },
            { kind: 'deadline.missed', severity: 'critical', agreementId: a._id, milestoneType: null },
            { partyCountries: a.partyCountries ?? [], commodities: a.commodities ?? [] },
          ),
        )
        .map((a) => a._id);
      agreementIds = agreementIds ? agreementIds.filter((id) => matching.includes(id)) : matching;
    }
    return {
      ...(agreementIds && { agreementIds }),
      ...(f.kinds?.length && { kinds: f.kinds }),
      ...(f.milestoneTypes?.length && { milestoneTypes: f.milestoneTypes }),
      ...(f.minSeverity && { minSeverity: f.minSeverity }),
    };
  }

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'One alert with the facts that raised it' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Alert })
  @ApiProblems(404)
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.alerts.get(id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Roles('stakeholder')
  @ApiOperation({ summary: 'Acknowledge an open alert (again: unchanged; resolved: 409)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Alert, description: 'the alert, acknowledged' })
  @ApiStored()
  @ApiProblems(404, 413, 415)
  @ApiProblem(409, 'The alert is resolved.')
  async acknowledge(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AcknowledgeDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
  ) {
    return toView(await this.alerts.acknowledge(id, actor, correlationId, dto.note));
  }
}
