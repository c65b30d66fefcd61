/**
 * What auditors get from every event-sourced service: verification of the hash chains and an NDJSON export of
 * the event log with its manifest (`EventAudit` over the service's store, libs/event-store/src/audit.ts). Reads
 * only; never changes anything.
 */
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { EventAudit, type BrokenEvent, type EventStore, type VerifyReport } from '@tracker/event-store';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import type { Response } from 'express';
import { DomainError } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblems, CLOCK, Roles, type Clock } from '@tracker/platform';
import type { ResolvedService } from './service-definition';
import { EVENT_STORE, SERVICE } from './tokens';

export class VerifyQuery {
  @ApiPropertyOptional({
    description:
      'one stream: the id of one of the service’s aggregates (an agreement or milestone id) or its stream id (agreement-…); default: every stream',
    pattern: '^[A-Za-z0-9:._-]{1,200}$',
    example: 'agreement-0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9:._-]{1,200}$/, { message: 'streamId must be a stream id (letters, digits, : . _ -)' })
  streamId?: string;
}

export class ExportQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'only the events of this agreement; default: the whole log' })
  @IsOptional()
  @IsUUID('all', { message: 'agreementId must be a UUID' })
  agreementId?: string;
}

export class BrokenLink implements BrokenEvent {
  @ApiProperty({ example: 'agreement-0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  streamId: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  streamVersion: number;

  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ enum: ['hash-mismatch', 'version-gap', 'prev-hash-mismatch'] })
  reason: BrokenEvent['reason'];
}

export class HashChainReport implements VerifyReport {
  @ApiProperty({ example: 'agreements' })
  service: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  streamsChecked: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  eventsChecked: number;

  @ApiProperty({ type: [BrokenLink], description: 'the first broken event of each broken stream' })
  broken: BrokenLink[];

  @ApiProperty({ description: 'true when no stream is broken' })
  ok: boolean;

  @ApiProperty({ type: 'integer', minimum: 0 })
  tookMs: number;
}

@ApiTags('audit')
@ApiKeyRequired()
@Controller('audit')
export class AuditController {
  private readonly audit: EventAudit;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE) private readonly service: ResolvedService,
    // The manifest's exportedAt follows the business clock, as the store's recordedAt does.
    @Inject(CLOCK) clock: Clock,
  ) {
    this.audit = new EventAudit(store, { now: () => clock.now() });
  }

  @Get('verify')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Recompute the hash chains (all streams or one): counts, and the first broken event of each broken stream; 404 for a stream that does not exist',
  })
  @ApiOkResponse({ type: HashChainReport })
  @ApiProblems(404)
  async verify(@Query() query: VerifyQuery) {
    const started = Date.now();
    const report = query.streamId ? await this.verifyOne(query.streamId) : await this.audit.verify();
    return {
      service: this.service.name,
      ...report,
      ok: report.broken.length === 0,
      tookMs: Date.now() - started,
    };
  }

  /** One stream by its id or by the id of the aggregate it holds; a verification that checked nothing is not "ok". */
  private async verifyOne(id: string) {
    const candidates = [...new Set([id, ...this.service.aggregates.map((a) => a.streamId(id))])];
    for (const streamId of candidates) {
      const report = await this.audit.verify(streamId);
      if (report.streamsChecked > 0) return report;
    }
    const names = this.service.aggregates.map((a) => a.name).join(' or ');
    throw new DomainError(
      'not-found',
      `the ${this.service.name} service stores no stream ${id}: pass the id of a ${names}, or a stream id from an export`,
    );
  }

  @Get('export')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'The event log as stored, one JSON event per line in position order, then a {"manifest": …} line with counts and the last hash of each stream. Keep it: `npm run audit -- verify-export <file>` re-verifies it offline.',
  })
  @ApiOkResponse({
    description: 'NDJSON: one stored event (as StoredEvent) per line, then {"manifest": {service, exportedAt, agreementId, events, streams}}',
    headers: { 'Content-Disposition': { description: 'attachment; filename="<service>-<agreement id or all>.ndjson"', schema: { type: 'string' } } },
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  async export(@Query() query: ExportQuery, @Res() res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    const name = `${this.service.name}-${query.agreementId ?? 'all'}.ndjson`;
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    for await (const line of this.audit.exportLog({
      service: this.service.name,
      agreementId: query.agreementId,
    })) {
      if (res.destroyed) return; // the client went away: stop reading
      // A client that goes away while we wait for a drain: stop, and close the store's cursor (the loop's return).
      if (!res.write(line)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.once('drain', done).once('close', done);
        });
      }
    }
    res.end();
  }
}
