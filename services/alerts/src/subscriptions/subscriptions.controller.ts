import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiUuidParam, CreateRoute, CurrentActor, Roles } from '@tracker/platform';
import { RaisedAlert } from '../alerts/responses';
import { LiveAlerts } from '../live/live-alerts';
import { CreateSubscriptionDto, ListSubscriptionsQuery } from './dto';
import { Subscription, SubscriptionPage } from './responses';
import { SubscriptionsService } from './subscriptions.service';

const NOT_VISIBLE = 'No such subscription, or someone else’s.';

@ApiTags('subscriptions')
@ApiKeyRequired()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly live: LiveAlerts,
  ) {}

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

  @Get(':id/stream')
  @Roles('stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'Live stream (Server-Sent Events) of new alerts the subscription matches: `event: alert.raised`, `id:` the event id, ' +
      '`data:` the alert. Catch up after a disconnect with GET /alerts?subscriptionId=',
  })
  @ApiUuidParam()
  @ApiExtraModels(RaisedAlert)
  @ApiOkResponse({
    description: 'an endless stream: `event: alert.raised`, `id:` the event id, `data:` a RaisedAlert as JSON; comments (`: ping`) keep it open',
    content: { 'text/event-stream': { schema: { type: 'string', example: ': connected\n\n' } } },
  })
  @ApiProblem(404, NOT_VISIBLE)
  async stream(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor, @Res() res: Response): Promise<void> {
    const filters = await this.subscriptions.filtersOf(id, actor);
    await this.live.ready();
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(': connected\n\n');
    const stop = this.live.listen(filters, (event) => {
      const { alertId, ...alert } = event.data;
      res.write(`event: alert.raised\nid: ${event.eventId}\ndata: ${JSON.stringify({ id: alertId, ...alert, raisedAt: event.occurredAt })}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    res.on('close', () => {
      clearInterval(ping);
      stop();
    });
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
