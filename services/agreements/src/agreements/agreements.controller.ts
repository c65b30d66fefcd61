import { Body, Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
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
import { COMMODITIES } from './commodities';
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
import type { AgreementView } from './agreement-read-model';
import { AgreementsService } from './agreements.service';

@ApiTags('agreements')
@ApiBearerAuth()
@Controller('agreements')
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  @CreateRoute('', 'Register an agreement (201, Location, ETag); Idempotency-Key makes retries safe', (a: AgreementView) => `/agreements/${a.id}`)
  register(@Body() dto: RegisterAgreementDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    return this.agreements.register(dto, { actor, correlationId });
  }

  @Get()
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'List agreements with filters and cursor pagination' })
  list(@Query() query: ListAgreementsQuery) {
    return this.agreements.list(query);
  }

  @Get('commodities')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'The commodity code list' })
  commodities() {
    return { items: COMMODITIES };
  }

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'Current state with milestone counts and derived status; ?validAt= (business time) and/or ?knownAt= (record time; ?asOf= is the same) for the state then',
  })
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
  events(@Param('id', ParseUUIDPipe) id: string, @Query() query: EventsQuery) {
    return this.agreements.events(id, query.from ?? 1, query.limit ?? 100);
  }

  @ChangeRoute(':id/amend', 'Amend descriptive fields (If-Match required)')
  amend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AmendAgreementDto, @Change() change: ChangeContext) {
    const { occurredAt, ...changes } = dto;
    return this.agreements.change(id, { kind: 'amend', changes, ...time(occurredAt) }, change);
  }

  @ChangeRoute(':id/sources', 'Attach a source (If-Match required)')
  attachSource(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AttachSourceBody, @Change() change: ChangeContext) {
    const { occurredAt, ...source } = dto;
    return this.agreements.change(id, { kind: 'attachSource', source, ...time(occurredAt) }, change);
  }

  @ChangeRoute(':id/objectives', 'Add an objective (If-Match required)')
  addObjective(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ObjectiveDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'addObjective', objective: dto.objective, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/targets', 'Add a quantified target (If-Match required)')
  addTarget(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AddTargetBody, @Change() change: ChangeContext) {
    const { occurredAt, ...target } = dto;
    return this.agreements.change(id, { kind: 'addTarget', target, ...time(occurredAt) }, change);
  }

  @ChangeRoute(':id/suspend', 'Suspend (If-Match required)')
  suspend(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'suspend', reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/resume', 'Resume a suspended agreement (If-Match required)')
  resume(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OptionalReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'resume', ...(dto.reason && { reason: dto.reason }), ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/terminate', 'Terminate (If-Match required); a terminated agreement cannot change again')
  terminate(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'terminate', reason: dto.reason, ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/expire', 'Record that the agreement expired (If-Match required)')
  expire(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OptionalReasonDto, @Change() change: ChangeContext) {
    return this.agreements.change(id, { kind: 'expire', ...(dto.reason && { reason: dto.reason }), ...time(dto.occurredAt) }, change);
  }

  @ChangeRoute(':id/corrections', 'Correct a fact entered wrongly (a signing date, an effective date): an event naming the event it corrects; history keeps both (If-Match required)')
  correct(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CorrectAgreementDto, @Change() change: ChangeContext) {
    return this.agreements.correct(id, { eventId: dto.eventId, changes: { ...dto.changes }, reason: dto.reason }, change);
  }
}

/** The client's business time, when it gave one. */
function time(occurredAt: string | undefined): { occurredAt?: string } {
  return occurredAt === undefined ? {} : { occurredAt };
}
