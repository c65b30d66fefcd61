import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiUuidParam, CreateRoute, CurrentActor, Roles } from '@tracker/platform';
import { CreateSubscriptionDto, ListSubscriptionsQuery } from './dto';
import { Subscription, SubscriptionPage } from './responses';
import { SubscriptionsService } from './subscriptions.service';

const NOT_VISIBLE = 'No such subscription, or someone else’s.';

@ApiTags('subscriptions')
@ApiKeyRequired()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @CreateRoute(
    '',
    'Subscribe: filters (agreements, party countries, commodities, milestone types, kinds, minimum severity) and a channel (inbox or webhook); Idempotency-Key makes retries safe',
    Subscription,
    (s) => `/subscriptions/${s.id}`,
    'stakeholder',
  )
  @ApiProblem(
    400,
    'The request is invalid (`errors` names each field): among others a webhook URL the outbound policy refuses (loopback, private, link-local or metadata addresses, credentials in the URL), or an inbox channel with a url or secret.',
  )
  create(@Body() dto: CreateSubscriptionDto, @CurrentActor() actor: Actor) {
    return this.subscriptions.create(dto, actor);
  }

  @Get()
  @Roles('stakeholder', 'auditor')
  @ApiOperation({ summary: 'My subscriptions (auditors and admins: all), cursor pagination' })
  @ApiOkResponse({ type: SubscriptionPage })
  list(@Query() query: ListSubscriptionsQuery, @CurrentActor() actor: Actor) {
    return this.subscriptions.list(query, actor);
  }

  @Get(':id')
  @Roles('stakeholder', 'auditor')
  @ApiOperation({ summary: 'One subscription (someone else’s: 404); the webhook secret is never returned' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Subscription })
  @ApiProblem(404, NOT_VISIBLE)
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.subscriptions.get(id, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('stakeholder')
  @ApiOperation({ summary: 'Unsubscribe (one’s own; admins: any)' })
  @ApiUuidParam()
  @ApiNoContentResponse({ description: 'unsubscribed' })
  @ApiProblem(404, NOT_VISIBLE)
  async delete(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.subscriptions.delete(id, actor);
  }
}
