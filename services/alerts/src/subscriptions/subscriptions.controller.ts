import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '@tracker/contracts';
import { CreateRoute, CurrentActor, Roles } from '@tracker/platform';
import { LiveAlerts } from '../live/live-alerts';
import { CreateSubscriptionDto, ListSubscriptionsQuery } from './dto';
import { SubscriptionsService, type SubscriptionView } from './subscriptions.service';

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly live: LiveAlerts,
  ) {}

  @CreateRoute(
    '',
    'Subscribe: filters (agreements, party countries, commodities, milestone types, kinds, minimum severity) and a channel (inbox or webhook); Idempotency-Key makes retries safe',
    (s: SubscriptionView) => `/subscriptions/${s.id}`,
    'stakeholder',
  )
  create(@Body() dto: CreateSubscriptionDto, @CurrentActor() actor: Actor) {
    return this.subscriptions.create(dto, actor);
  }

  @Get()
  @Roles('stakeholder', 'auditor')
  @ApiOperation({ summary: 'My subscriptions (auditors and admins: all), cursor pagination' })
  list(@Query() query: ListSubscriptionsQuery, @CurrentActor() actor: Actor) {
    return this.subscriptions.list(query, actor);
  }

  @Get(':id')
  @Roles('stakeholder', 'auditor')
  @ApiOperation({ summary: 'One subscription (someone else’s: 404); the webhook secret is never returned' })
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.subscriptions.get(id, actor);
  }

  @Get(':id/stream')
  @Roles('stakeholder', 'auditor')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Live stream (Server-Sent Events) of new alerts the subscription matches: `event: alert.raised`, `id:` the event id, ' +
      '`data:` the alert. Catch up after a disconnect with GET /alerts?subscriptionId=',
  })
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
  async delete(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.subscriptions.delete(id, actor);
  }
}
