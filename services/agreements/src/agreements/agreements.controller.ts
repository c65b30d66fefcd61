import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ApiCsvResponse,
  ApiKeyRequired,
  ApiNowOrThen,
  ApiProblem,
  ApiProblems,
  ApiUuidParam,
  AsOfQuery,
  CLOCK,
  Change,
  ChangeRoute,
  CorrelationId,
  CreateRoute,
  CurrentActor,
  etagOf,
  EventsQuery,
  RESPONSE_HEADERS,
  Roles,
  sendCsv,
  twoClocksOf,
  type ChangeContext,
  type Clock,
} from '@tracker/platform';
import { calendarDateOf, type Actor } from '@tracker/contracts';
import { EventHistory } from '@tracker/service-runtime';
import { COMMODITIES } from '@tracker/contracts';
import {
  AddTargetBody,
  AttachSourceBody,
  CorrectAgreementDto,
  CorrectObjectiveDto,
  CorrectSourceDto,
  CorrectTargetDto,
  RemoveObjectiveDto,
  RemoveSourceDto,
  RemoveTargetDto,
  AmendAgreementDto,
  ExportAgreementsQuery,
  ListAgreementsQuery,
  ObjectiveDto,
  OptionalReasonDto,
  ReasonDto,
  RegisterAgreementDto,
} from './dto';
import { AgreementsService } from './agreements.service';
import { AGREEMENT_COLUMNS } from './agreement-export';
import { Agreement, AgreementAt, AgreementPage, CommodityList } from './responses';

@ApiTags('agreements')
@ApiKeyRequired()
@Controller('agreements')
export class AgreementsController {
  constructor(
    private readonly agreements: AgreementsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @CreateRoute('', 'Register an agreement (201, Location, ETag); Idempotency-Key makes retries safe', Agreement, (a) => `/agreements/${a.id}`)
  @ApiProblem(409, 'The reference is already registered.')
  register(@Body() dto: RegisterAgreementDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    return this.agreements.register(dto, { actor, correlationId });
  }

  @Get()
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'List agreements with filters and cursor pagination' })
  @ApiOkResponse({ type: AgreementPage })
  list(@Query() query: ListAgreementsQuery) {
    return this.agreements.list(query);
  }

  // Before ':id', which would take `export.csv` for an id.
  @Get('export.csv')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'Every agreement GET /agreements would list with the same filters (q included, in its order), as one CSV download; JSON stays at GET /agreements' })
  @ApiCsvResponse('One row per agreement.', AGREEMENT_COLUMNS, 'agreements-<YYYY-MM-DD>.csv')
  async exportCsv(@Query() query: ExportAgreementsQuery, @Res() res: Response): Promise<void> {
    await sendCsv(res, `agreements-${calendarDateOf(this.clock.now())}.csv`, AGREEMENT_COLUMNS, this.agreements.matching(query));
  }

  @Get('by-reference/:reference')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'The agreement with this reference (case is ignored: references are upper case), as GET /agreements/{id} answers it' })
  @ApiParam({ name: 'reference', example: 'TR-UZ-2026-MINING', description: '2-64 letters, digits or dashes' })
  @ApiOkResponse({ type: Agreement, headers: RESPONSE_HEADERS.etag })
  @ApiProblems(404)
  async byReference(@Param('reference') reference: string, @Res({ passthrough: true }) res: Response) {
    const view = await this.agreements.byReference(reference);
    res.setHeader('ETag', etagOf(view.version));
    return view;
  }

  @Get('commodities')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'The commodity code list' })
  @ApiOkResponse({ type: CommodityList })
  commodities() {
    return { items: COMMODITIES };
  }

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'Current state with milestone counts and derived status; ?validAt= (business time) and/or ?knownAt= (record time; ?asOf= is the same) for the state then',
  })
  @ApiNowOrThen(Agreement, AgreementAt)
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() query: AsOfQuery, @Res({ passthrough: true }) res: Response) {
    const clocks = twoClocksOf(query);
    if (clocks) return this.agreements.getAt(id, clocks);
    const view = await this.agreements.get(id);
    res.setHeader('ETag', etagOf(view.version));
    return view;
  }

  @Get(':id/events')
  @Roles('auditor')
  @ApiOperation({ summary: 'The agreement’s event history (auditors), paginated by stream version' })
  @ApiUuidParam()
  @ApiOkResponse({ type: EventHistory })
  @ApiProblems(404)
  events(@Param('id', ParseUUIDPipe) id: string, @Query() query: EventsQuery) {
    return this.agreements.events(id, query.from ?? 1, query.limit ?? 100);
  }

  @ChangeRoute(':id/amend', 'Amend descriptive fields (If-Match required); an amendment that changes nothing is refused with 400', Agreement)
  amend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AmendAgreementDto, @Change() change: ChangeContext) {
    const { occurredAt, ...changes } = dto;
    return this.agreements.change(id, { kind: 'amend', changes, ...time(occurredAt) }, change);
  }

  @ChangeRoute(':id/sources', 'Attach a source (If-Match required)', Agreement)
  attachSource(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AttachSourceBody, @Change() change: ChangeContext) {
    const { occurredAt, ...source } = dto;
    return this.agreements.change(id, { kind: 'attachSource', source, ...time(occurredAt) }, change);
  }

  @ChangeRoute(':id/objectives', 'Add an objective (If-Match required)', Agreement)
  addObjective(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ObjectiveDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'addObjective', objective: dto.objective, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/targets', 'Add a quantified target (If-Match required)', Agreement)
  addTarget(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AddTargetBody, @Change() change: ChangeContext) {
    const { occurredAt, ...target } = dto;
    return this.agreements.change(id, { kind: 'addTarget', target, ...time(occurredAt) }, change);
  }

  // Corrections of the lists: each an event with its reason; like other corrections, closed records too.
  @ChangeRoute(':id/targets/correct', 'Correct a target (by targetId): only the fields sent change; a correction that changes nothing is refused with 400 (If-Match required)', Agreement)
  correctTarget(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CorrectTargetDto, @Change() change: ChangeContext) {
    const { targetId, reason, ...changes } = dto;
    return this.agreements.change(id, { kind: 'correctTarget', targetId, changes, reason }, change);
  }

  @ChangeRoute(':id/targets/remove', 'Remove a target entered wrongly, with the reason; its id is not reused (If-Match required)', Agreement)
  removeTarget(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RemoveTargetDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'removeTarget', targetId: dto.targetId, reason: dto.reason }, change);
  }

  @ChangeRoute(':id/sources/correct', 'Correct a source (by sourceId): its kind, publication date, archived copy or other fields; a correction that changes nothing is refused with 400 (If-Match required)', Agreement)
  correctSource(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CorrectSourceDto, @Change() change: ChangeContext) {
    const { sourceId, reason, ...changes } = dto;
    return this.agreements.change(id, { kind: 'correctSource', sourceId, changes, reason }, change);
  }

  @ChangeRoute(':id/sources/remove', 'Remove a source entered wrongly, with the reason (If-Match required)', Agreement)
  removeSource(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RemoveSourceDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'removeSource', sourceId: dto.sourceId, reason: dto.reason }, change);
  }

  @ChangeRoute(':id/objectives/correct', 'Correct the wording of an objective; the same wording is refused with 400 (If-Match required)', Agreement)
  correctObjective(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CorrectObjectiveDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'correctObjective', objective: dto.objective, correctedTo: dto.correctedTo, reason: dto.reason }, change);
  }

  @ChangeRoute(':id/objectives/remove', 'Remove an objective entered wrongly, with the reason (If-Match required)', Agreement)
  removeObjective(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RemoveObjectiveDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'removeObjective', objective: dto.objective, reason: dto.reason }, change);
  }

  @ChangeRoute(':id/suspend', 'Suspend (If-Match required)', Agreement)
  suspend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'suspend', reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/resume', 'Resume a suspended agreement (If-Match required)', Agreement)
  resume(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OptionalReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'resume', ...(dto.reason && { reason: dto.reason }), ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/terminate', 'Terminate (If-Match required); a terminated agreement cannot change again', Agreement)
  terminate(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'terminate', reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/expire', 'Record that the agreement expired (If-Match required)', Agreement)
  expire(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OptionalReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'expire', ...(dto.reason && { reason: dto.reason }), ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/corrections', 'Correct a fact entered wrongly (a signing date, an effective date): an event naming the event it corrects; history keeps both (If-Match required)', Agreement)
  correct(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CorrectAgreementDto, @Change() change: ChangeContext) {
    return this.agreements.correct(id, { eventId: dto.eventId, changes: { ...dto.changes }, reason: dto.reason }, change);
  }
}

/** The client's business time, when it gave one. */
function time(occurredAt: string | undefined): { occurredAt?: string } {
  return occurredAt === undefined ? {} : { occurredAt };
}
