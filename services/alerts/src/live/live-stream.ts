/**
 * `GET /subscriptions/{id}/stream`: a subscription's new alerts as Server-Sent Events, resumable.
 *
 * Each message is `event: alert.raised`, `id: <position>`, `data: <the alert payload>` (payload.ts). The position
 * is opaque (base64url of the highest `seq` the stream has sent so far: `<the alert's position in the service's
 * log>|<alert id>`, the order the tracker learned of alerts; an alert that arrives out of `seq` order, as two
 * instances' appends can, does not move it back, so a reconnect never gets an alert it had again). A client
 * that reconnects sends the last id it got back (`Last-Event-ID`, as EventSource does; or `?lastEventId=` for
 * polyfills that cannot set headers) and first receives the alerts it missed: those the subscription matches,
 * recorded after that position (in `seq` order, the inbox's order) and at most 24 hours before now,
 * the newest LIVE_BACKLOG_MAX of them, oldest first; when more were missed, an `event: backlog.truncated` (no id)
 * says so and points at the inbox. Then the stream goes on live.
 *
 * The seam, without gaps or duplicates: the stream listens to the live feed BEFORE it reads the collection and
 * queues what arrives meanwhile behind the backlog; an alert in both (raised while the backlog was read) is sent
 * once, by id. An alert whose event reached this instance just before the stream listened but whose document was
 * written only after the read (another instance's, healed later) is in LiveAlerts' recent list and sent from there.
 * The backlog is a query on `alerts` (seq range): a listing route, not a hot path, so a collection read is fine.
 * An alert about an earlier time (a back-filled report: its `raisedAt` is last month) is recorded now, so it is
 * after the position and replayed like any other. Known limit: alerts of different agreements come on different
 * partitions, so the stream can send position N+1 before N; a client that leaves in between resumes after N+1 and
 * does not get N (the inbox has it). The window is the time between two appends reaching this instance.
 */
import { Controller, Get, Headers, Inject, Injectable, Logger, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { DomainError, type Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiUuidParam, CLOCK, CurrentActor, Cursor, Roles, type Clock } from '@tracker/platform';
import type { SubscriptionFilters } from '@tracker/alerts-domain';
import { AlertsService, evolveAlertDoc, type AlertDoc } from '../alerts/alerts.service';
import { AlertPayloadDto, AlertPayloads } from '../alerts/payload';
import { AlertsConfig } from '../config';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { LiveAlerts, type RaisedEvent } from './live-alerts';
import { SubscriptionMatcher } from './subscription-matcher';
import type { AgreementReads } from '../read-model/agreement-info';

/** How far back a reconnect is caught up. */
export const BACKLOG_HOURS = 24;
/** Ids a stream remembers having sent (for the seam and Kafka redeliveries); the oldest are forgotten first. */
const REMEMBERED_IDS = 10_000;
/** A position: an alert's `seq` (alertSeq), or one given before positions were used (`<ISO time>|<alert id>`). */
const SEQ = /^(p\d{16}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WHAT_TO_SEND = 'send the id: of the last message this stream sent you as it was, or reconnect without it to start from now';

/** One SSE message (data is one line of JSON: JSON.stringify writes no line breaks). */
export function sseMessage(event: string, data: unknown, id?: string): string {
  return `event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** A set that forgets its oldest entries past `max`. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }
}

export class StreamQueryDto {
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9_-]+$', example: 'cDAwMDAwMDAwMDAwMDEyMzR8MDE5N2EzYzItNWQxZS03YjRhLTljM2YtMmU4ZDFhNmI0Yzcw', description: 'as the Last-Event-ID header, for EventSource polyfills that cannot send headers (the header wins)' })
  @IsOptional()
  @IsString({ message: `lastEventId must be the id: of a message: ${WHAT_TO_SEND}` })
  @MaxLength(200, { message: `lastEventId must be the id: of a message: ${WHAT_TO_SEND}` })
  lastEventId?: string;
}

@Injectable()
export class LiveStreams {
  private readonly logger = new Logger('LiveStreams');

  constructor(
    private readonly live: LiveAlerts,
    private readonly matcher: SubscriptionMatcher,
    private readonly alerts: AlertsService,
    private readonly payloads: AlertPayloads,
    private readonly subscriptions: SubscriptionsService,
    private readonly config: AlertsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Where a reconnect resumes: the position a message's id carries, if it is one this service gave (its alert
   * exists, at that seq); 400 for anything else, before streaming. `field`: where the client sent it.
   */
  async resumeAfter(lastEventId: string, field = 'Last-Event-ID'): Promise<string> {
    const seq = Cursor.decode(lastEventId.trim());
    if (!SEQ.test(seq)) throw new DomainError('invalid', `${field} is not the id: of a message of this stream: ${WHAT_TO_SEND}`, field);
    const alertId = seq.slice(seq.indexOf('|') + 1);
    const doc = (await this.alerts.alerts.findOne({ _id: alertId })) ?? (await this.alerts.refresh(alertId, 1));
    // An id given before an upgrade (or a replay) rewrote the alert's seq resumes from where that alert is now.
    const legacy = !seq.startsWith('p') && doc !== null;
    if (!legacy && doc?.seq !== seq) throw new DomainError('invalid', `${field} names no alert this service raised: ${WHAT_TO_SEND}`, field);
    return doc!.seq;
  }

  /** Streams subscription `id` to `res` until the client goes; `lastEventId`: resume after it. */
  async open(id: string, actor: Actor, resume: { lastEventId: string; field: string } | null, res: Response): Promise<void> {
    const filters = await this.subscriptions.filtersOf(id, actor);
    const after = resume ? await this.resumeAfter(resume.lastEventId, resume.field) : null;
    await this.live.ready();
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(': connected\n\n');

    const sent = new RecentIds(REMEMBERED_IDS);
    // The alert the client resumes after, it has: not again when its event reaches this instance only now.
    if (after) sent.add(after.slice(after.indexOf('|') + 1));
    // The position: the highest seq sent (or resumed from); never moves back.
    let position = after ?? '';
    let closed = false;
    // Messages go out one after the other, in the order they were queued: the backlog first, then live ones.
    let queue: Promise<void> = Promise.resolve();
    const enqueue = (task: () => Promise<void>) => {
      queue = queue.then(() => (closed ? undefined : task())).catch((err: unknown) => {
        if (closed) return;
        closed = true;
        this.logger.warn(`stream of subscription ${id}: ${(err as Error).message}`);
        res.end(); // the client reconnects with its Last-Event-ID and misses nothing
      });
    };
    const send = async (doc: AlertDoc, reads?: AgreementReads) => {
      if (sent.has(doc._id) || closed) return;
      sent.add(doc._id);
      const payload = await this.payloads.of(doc, reads);
      if (doc.seq > position) position = doc.seq;
      res.write(sseMessage('alert.raised', payload, Cursor.encode(position)));
    };
    // Listening and queueing the catch-up happen in the same tick: nothing that arrives live can get ahead of it.
    const stop = this.live.listen(filters, (event, reads) => enqueue(async () => send(await this.docOf(event), reads)));
    if (after !== null) enqueue(() => this.catchUp(id, filters, after, send, res));

    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    res.on('close', () => {
      closed = true;
      clearInterval(ping);
      stop();
    });
  }

  /** The alert's document as stored now (its status may have moved), or as raised when not written yet. */
  private async docOf(event: RaisedEvent): Promise<AlertDoc> {
    return (await this.alerts.alerts.findOne({ _id: event.data.alertId })) ?? evolveAlertDoc(null, event)!;
  }

  /** The missed alerts (see above): newest LIVE_BACKLOG_MAX of the last 24 h after `after`, sent oldest first. */
  private async catchUp(subscriptionId: string, filters: SubscriptionFilters, after: string, send: (doc: AlertDoc, reads: AgreementReads) => Promise<void>, res: Response): Promise<void> {
    const max = this.config.LIVE_BACKLOG_MAX;
    const floor = new Date(this.clock.now().getTime() - BACKLOG_HOURS * 3_600_000).toISOString();
    const found: AlertDoc[] = [];
    const agreements = this.matcher.reads();
    // Newest first, one more than fits: whether some were left out.
    const cursor = this.alerts.alerts.find({ seq: { $gt: after }, recordedAt: { $gt: floor } }).sort({ seq: -1 });
    for await (const doc of cursor) {
      if (!(await this.matcher.matches(filters, doc, agreements))) continue;
      found.push(doc);
      if (found.length > max) break;
    }
    await cursor.close();
    // Received here before the stream listened, written to the collection after it was read (see above).
    const seen = new Set(found.map((d) => d._id));
    for (const event of this.live.recent()) {
      const raised = evolveAlertDoc(null, event)!;
      if (raised.seq > after && raised.recordedAt > floor && !seen.has(raised._id) && (await this.matcher.matches(filters, raised, agreements))) {
        seen.add(raised._id);
        found.push(await this.docOf(event));
      }
    }
    const newestFirst = found.sort((a, b) => (a.seq < b.seq ? 1 : -1));
    const truncated = newestFirst.length > max;
    const missed = newestFirst.slice(0, max).reverse();
    if (truncated) {
      res.write(
        sseMessage('backlog.truncated', {
          reason: `more than ${max} alerts were missed: these are the latest ${max}; the earlier ones are in the inbox`,
          inbox: `${this.config.PUBLIC_URL}/alerts?subscriptionId=${subscriptionId}`,
        }),
      );
    }
    for (const doc of missed) await send(doc, agreements);
  }
}

@ApiTags('subscriptions')
@ApiKeyRequired()
@Controller('subscriptions')
export class LiveStreamController {
  constructor(private readonly streams: LiveStreams) {}

  @Get(':id/stream')
  @Roles('stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'Live stream (Server-Sent Events) of the new alerts the subscription matches: `event: alert.raised`, `id:` a position (opaque), `data:` the alert ' +
      `payload. Reconnecting with Last-Event-ID (or ?lastEventId=) first sends the alerts missed since that one (at most ${BACKLOG_HOURS} h back ` +
      'and LIVE_BACKLOG_MAX messages, default 500; more: an `event: backlog.truncated` first), then goes on live',
  })
  @ApiUuidParam()
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'the id: of the last message received (opaque): resume after it' })
  @ApiExtraModels(AlertPayloadDto)
  @ApiOkResponse({
    description:
      'an endless stream: `event: alert.raised`, `id:` a position to resume from, `data:` an AlertPayload as JSON; `event: backlog.truncated` (no id) when a reconnect missed more than the backlog holds; comments (`: ping`) keep it open',
    content: { 'text/event-stream': { schema: { type: 'string', example: ': connected\n\n' } } },
  })
  @ApiProblem(400, `Last-Event-ID (or lastEventId) is not the id: of a message of this stream: ${WHAT_TO_SEND}.`)
  @ApiProblem(404, 'No such subscription, or someone else’s.')
  async stream(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentActor() actor: Actor,
    @Res() res: Response,
  ): Promise<void> {
    const resume = lastEventId ? { lastEventId, field: 'Last-Event-ID' } : query.lastEventId ? { lastEventId: query.lastEventId, field: 'lastEventId' } : null;
    await this.streams.open(id, actor, resume, res);
  }
}
