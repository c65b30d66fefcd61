import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '@tracker/contracts';
import {
  AsOfQuery,
  CorrelationId,
  CurrentActor,
  EventsQuery,
  IdempotencyStore,
  parseIfMatch,
  Roles,
  withIdempotency,
} from '@tracker/platform';
import { ListMilestonesQuery, OutcomeDto, PartialOutcomeDto, PlanMilestoneDto, ProgressDto, ReasonDto, RescheduleDto } from './dto';
import { MilestonesService, type MilestoneChange } from './milestones.service';

const ifMatchHeader = { name: 'If-Match', required: true, description: 'the version from the ETag, e.g. "3"' };

@ApiTags('milestones')
@ApiBearerAuth()
@Controller()
export class MilestonesController {
  constructor(
    private readonly milestones: MilestonesService,
    private readonly idempotency: IdempotencyStore,
  ) {}

  @Post('milestones')
  @Roles('monitor')
  @ApiOperation({ summary: 'Plan a milestone for a known, open agreement (201, Location, ETag)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async plan(
    @Body() dto: PlanMilestoneDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await withIdempotency(this.idempotency, req, res, actor, async () => {
      const view = await this.milestones.plan(dto, { actor, correlationId });
      return { status: 201, body: view, headers: { location: `/milestones/${view.id}`, etag: `"${view.version}"` } };
    });
  }

  @Get('milestones')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'List milestones: filters (agreement, type, status, due, slipped, overdue), cursor pagination' })
  list(@Query() query: ListMilestonesQuery) {
    return this.milestones.list(query);
  }

  @Get('milestones/:id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'A milestone with its slip history; ?asOf= for the state recorded then' })
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() query: AsOfQuery, @Res({ passthrough: true }) res: Response) {
    if (query.asOf) return this.milestones.getAsOf(id, new Date(query.asOf));
    const view = await this.milestones.get(id);
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Get('milestones/:id/events')
  @Roles('auditor')
  @ApiOperation({ summary: 'The milestone’s event history (auditors)' })
  events(@Param('id', ParseUUIDPipe) id: string, @Query() query: EventsQuery) {
    return this.milestones.events(id, query.from ?? 1, query.limit ?? 100);
  }

  @Get('agreements/:id/timeline')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'The agreement’s path from signing to outcome: milestone events with the derived status after each' })
  timeline(@Param('id', ParseUUIDPipe) id: string) {
    return this.milestones.timeline(id);
  }

  private async change(id: string, ifMatch: string | undefined, change: MilestoneChange, actor: Actor, correlationId: string, res: Response) {
    const expectedVersion = parseIfMatch(ifMatch, { required: true })!;
    const view = await this.milestones.change(id, change, expectedVersion, { actor, correlationId });
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Post('milestones/:id/start')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Start work on a scheduled milestone' })
  start(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'start' }, actor, correlationId, res);
  }

  @Post('milestones/:id/progress')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Report progress: percentage, note, evidence' })
  progress(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ProgressDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const change: MilestoneChange = {
      kind: 'reportProgress',
      percent: dto.percent,
      ...(dto.note !== undefined && { note: dto.note }),
      evidence: (dto.evidence ?? []).map((e) => ({ ...e })),
    };
    return this.change(id, ifMatch, change, actor, correlationId, res);
  }

  @Post('milestones/:id/reschedule')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Move the due date; later is a slip, recorded with its days and reason' })
  reschedule(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: RescheduleDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'reschedule', newDueDate: dto.newDueDate, reason: dto.reason }, actor, correlationId, res);
  }

  @Post('milestones/:id/met')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Mark met: the date and at least one evidence link' })
  met(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: OutcomeDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const change: MilestoneChange = {
      kind: 'markMet',
      metOn: dto.metOn,
      evidence: (dto.evidence ?? []).map((e) => ({ ...e })),
      ...(dto.note !== undefined && { note: dto.note }),
    };
    return this.change(id, ifMatch, change, actor, correlationId, res);
  }

  @Post('milestones/:id/partially-met')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Mark partially met: the date, evidence and a note on what was reached' })
  partiallyMet(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: PartialOutcomeDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const change: MilestoneChange = {
      kind: 'markPartiallyMet',
      metOn: dto.metOn,
      evidence: (dto.evidence ?? []).map((e) => ({ ...e })),
      note: dto.note,
    };
    return this.change(id, ifMatch, change, actor, correlationId, res);
  }

  @Post('milestones/:id/not-met')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Mark not met, with the reason' })
  notMet(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ReasonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'markNotMet', reason: dto.reason }, actor, correlationId, res);
  }

  @Post('milestones/:id/cancel')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Cancel, with the reason' })
  cancel(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ReasonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'cancel', reason: dto.reason }, actor, correlationId, res);
  }
}
