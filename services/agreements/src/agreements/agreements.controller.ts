import { Body, Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ApiKeyRequired,
  ApiNowOrThen,
  ApiProblem,
  ApiProblems,
  ApiUuidParam,
  AsOfQuery,
  Change,
  ChangeRoute,
  CorrelationId,
  CreateRoute,
  CurrentActor,
  etagOf,
  EventsQuery,
  Roles,
  twoClocksOf,
  type ChangeContext,
} from '@tracker/platform';
import type { Actor } from '@tracker/contracts';
import { EventHistory } from '@tracker/service-runtime';
import { COMMODITIES } from '@tracker/contracts';
import {
  AddTargetBody,
  AttachSourceBody,
  CorrectAgreementDto,
  AmendAgreementDto,
  ListAgreementsQuery,
  ObjectiveDto,
  OptionalReasonDto,
  ReasonDto,
  RegisterAgreementDto,
} from './dto';
import { AgreementsService } from './agreements.service';
import { Agreement, AgreementAt, AgreementPage, CommodityList } from './responses';

@ApiTags('agreements')
@ApiKeyRequired()
@Controller('agreements')
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

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

  @ChangeRoute(':id/amend', 'Amend descriptive fields (If-Match required)', Agreement)
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
