import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { calendarDateOf, type Actor } from '@tracker/contracts';
import { ApiCsvResponse, ApiKeyRequired, ApiNowOrThen, ApiProblem, ApiProblems, ApiUuidParam, AsOfQuery, Change, ChangeRoute, CorrelationId, CreateRoute, CurrentActor, etagOf, EventsQuery, CLOCK, Roles, sendCsv, twoClocksOf, type ChangeContext, type Clock } from '@tracker/platform';
import { EventHistory } from '@tracker/service-runtime';
import { CorrectMilestoneDto, evidenceOf, ExportMilestonesQuery, outcomeOf, ListMilestonesQuery, OutcomeDto, PartialOutcomeDto, PlanMilestoneDto, ProgressDto, ReasonDto, RescheduleDto, StartDto } from './dto';
import { MilestonesService } from './milestones.service';
import { MILESTONE_COLUMNS } from './milestone-export';
import { Milestone, MilestoneAt, MilestonePage, Timeline } from './responses';

@ApiTags('milestones')
@ApiKeyRequired()
@Controller()
export class MilestonesController {
  constructor(
    private readonly milestones: MilestonesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @CreateRoute('milestones', 'Plan a milestone for a known, open agreement (201, Location, ETag)', Milestone, (m) => `/milestones/${m.id}`)
  @ApiProblem(409, 'The agreement is terminated: no new milestones can be planned.')
  @ApiProblem(422, 'The agreement is unknown here, or occurredAt is in the future or before the signing.')
  plan(@Body() dto: PlanMilestoneDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    return this.milestones.plan(dto, { actor, correlationId });
  }

  @Get('milestones')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'List milestones: filters (agreement, type, status, due, slipped, overdue), cursor pagination' })
  @ApiOkResponse({ type: MilestonePage })
  list(@Query() query: ListMilestonesQuery) {
    return this.milestones.list(query);
  }

  // Before 'milestones/:id', which would take `export.csv` for an id.
  @Get('milestones/export.csv')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'Every milestone GET /milestones would list with the same filters, as one CSV download; JSON stays at GET /milestones' })
  @ApiCsvResponse('One row per milestone, by id.', MILESTONE_COLUMNS, 'milestones-<YYYY-MM-DD>.csv')
  async exportCsv(@Query() query: ExportMilestonesQuery, @Res() res: Response): Promise<void> {
    await sendCsv(res, `milestones-${calendarDateOf(this.clock.now())}.csv`, MILESTONE_COLUMNS, this.milestones.matching(query));
  }

  @Get('milestones/:id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary: 'A milestone with its slip history; ?validAt= (business time) and/or ?knownAt= (record time; ?asOf= is the same) for the state then',
  })
  @ApiNowOrThen(Milestone, MilestoneAt)
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() query: AsOfQuery, @Res({ passthrough: true }) res: Response) {
    const clocks = twoClocksOf(query);
    if (clocks) return this.milestones.getAt(id, clocks);
    const view = await this.milestones.get(id);
    res.setHeader('ETag', etagOf(view.version));
    return view;
  }

  @Get('milestones/:id/events')
  @Roles('auditor')
  @ApiOperation({ summary: 'The milestone’s event history (auditors)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: EventHistory })
  @ApiProblems(404)
  events(@Param('id', ParseUUIDPipe) id: string, @Query() query: EventsQuery) {
    return this.milestones.events(id, query.from ?? 1, query.limit ?? 100);
  }

  @Get('agreements/:id/timeline')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'The agreement’s path from signing to outcome in real-world order: its own steps and its milestones’ events, each with when it happened, when it was recorded (and how late) and the status after it; ?validAt= / ?knownAt= for the path then',
  })
  @ApiUuidParam('id', 'the agreement')
  @ApiOkResponse({ type: Timeline })
  @ApiProblems(404)
  timeline(@Param('id', ParseUUIDPipe) id: string, @Query() query: AsOfQuery) {
    return this.milestones.timeline(id, twoClocksOf(query) ?? {});
  }

  @ChangeRoute('milestones/:id/start', 'Start work on a scheduled milestone', Milestone)
  start(@Param('id', ParseUUIDPipe) id: string, @Body() dto: StartDto, @Change() change: ChangeContext) {
    return this.milestones.change(id, { kind: 'start', ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute('milestones/:id/progress', 'Report progress: percentage, note, evidence', Milestone)
  progress(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ProgressDto, @Change() change: ChangeContext) {
    const evidence = evidenceOf(dto.evidence);
    return this.milestones.change(id, { kind: 'reportProgress', percent: dto.percent, ...(dto.note !== undefined && { note: dto.note }), evidence, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute('milestones/:id/reschedule', 'Move the due date; later is a slip, recorded with its days and reason', Milestone)
  reschedule(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RescheduleDto, @Change() change: ChangeContext) {
    return this.milestones.change(id, { kind: 'reschedule', newDueDate: dto.newDueDate, reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute('milestones/:id/met', 'Mark met: the date and at least one evidence link; optionally the quantity achieved and the targets it counts towards', Milestone)
  met(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OutcomeDto, @Change() change: ChangeContext) {
    const evidence = evidenceOf(dto.evidence);
    return this.milestones.change(id, { kind: 'markMet', metOn: dto.metOn, evidence, ...(dto.note !== undefined && { note: dto.note }), ...outcomeOf(dto) }, change);
  }

  @ChangeRoute('milestones/:id/partially-met', 'Mark partially met: the date, evidence and a note on what was reached', Milestone)
  partiallyMet(@Param('id', ParseUUIDPipe) id: string, @Body() dto: PartialOutcomeDto, @Change() change: ChangeContext) {
    const evidence = evidenceOf(dto.evidence);
    return this.milestones.change(id, { kind: 'markPartiallyMet', metOn: dto.metOn, evidence, note: dto.note, ...outcomeOf(dto) }, change);
  }

  @ChangeRoute('milestones/:id/not-met', 'Mark not met, with the reason', Milestone)
  notMet(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Change() change: ChangeContext) {
    return this.milestones.change(id, { kind: 'markNotMet', reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute('milestones/:id/cancel', 'Cancel, with the reason', Milestone)
  cancel(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Change() change: ChangeContext) {
    return this.milestones.change(id, { kind: 'cancel', reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute('milestones/:id/corrections', 'Correct a fact entered wrongly (a met date, a percentage, a due date typed wrongly): an event naming the event it corrects; history keeps both', Milestone)
  correct(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CorrectMilestoneDto, @Change() change: ChangeContext) {
    return this.milestones.correct(id, { eventId: dto.eventId, changes: { ...dto.changes }, reason: dto.reason }, change);
  }
}

/** The client's business time, when it gave one. */
function time(occurredAt: string | undefined): { occurredAt?: string } {
  return occurredAt === undefined ? {} : { occurredAt };
}
