import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AsOfQuery, CorrelationId, CurrentActor, EventsQuery, IdempotencyStore, parseIfMatch, Roles, withIdempotency } from '@tracker/platform';
import type { Actor } from '@tracker/contracts';
import { COMMODITIES } from './commodities';
import {
  AddTargetBody,
  AmendAgreementDto,
  ListAgreementsQuery,
  ObjectiveDto,
  OptionalReasonDto,
  ReasonDto,
  RegisterAgreementDto,
  SourceDto,
} from './dto';
import { AgreementsService, type AgreementChange } from './agreements.service';

const ifMatchHeader = { name: 'If-Match', required: true, description: 'the version from the ETag, e.g. "3"' };

@ApiTags('agreements')
@ApiBearerAuth()
@Controller('agreements')
export class AgreementsController {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly idempotency: IdempotencyStore,
  ) {}

  @Post()
  @Roles('monitor')
  @ApiOperation({ summary: 'Register an agreement (201, Location, ETag); Idempotency-Key makes retries safe' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async register(
    @Body() dto: RegisterAgreementDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await withIdempotency(this.idempotency, req, res, actor, async () => {
      const view = await this.agreements.register(dto, { actor, correlationId });
      return { status: 201, body: view, headers: { location: `/agreements/${view.id}`, etag: `"${view.version}"` } };
    });
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
  @ApiOperation({ summary: 'Current state with milestone counts and derived status; ?asOf= for the state recorded then' })
  async get(@Param('id', ParseUUIDPipe) id: string, @Query() query: AsOfQuery, @Res({ passthrough: true }) res: Response) {
    if (query.asOf) return this.agreements.getAsOf(id, new Date(query.asOf));
    const view = await this.agreements.get(id);
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Get(':id/events')
  @Roles('auditor')
  @ApiOperation({ summary: 'The agreement’s event history (auditors), paginated by stream version' })
  events(@Param('id', ParseUUIDPipe) id: string, @Query() query: EventsQuery) {
    return this.agreements.events(id, query.from ?? 1, query.limit ?? 100);
  }

  private async change(id: string, ifMatch: string | undefined, change: AgreementChange, actor: Actor, correlationId: string, res: Response) {
    const expectedVersion = parseIfMatch(ifMatch, { required: true })!;
    const view = await this.agreements.change(id, change, expectedVersion, { actor, correlationId });
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Post(':id/amend')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Amend descriptive fields (If-Match required)' })
  amend(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: AmendAgreementDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'amend', changes: { ...dto } }, actor, correlationId, res);
  }

  @Post(':id/sources')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Attach a source (If-Match required)' })
  attachSource(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: SourceDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'attachSource', source: { ...dto } }, actor, correlationId, res);
  }

  @Post(':id/objectives')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Add an objective (If-Match required)' })
  addObjective(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ObjectiveDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'addObjective', objective: dto.objective }, actor, correlationId, res);
  }

  @Post(':id/targets')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Add a quantified target (If-Match required)' })
  addTarget(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: AddTargetBody,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'addTarget', target: { ...dto } }, actor, correlationId, res);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Suspend (If-Match required)' })
  suspend(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ReasonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'suspend', reason: dto.reason }, actor, correlationId, res);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Resume a suspended agreement (If-Match required)' })
  resume(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: OptionalReasonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'resume', ...(dto.reason && { reason: dto.reason }) }, actor, correlationId, res);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Terminate (If-Match required); a terminated agreement cannot change again' })
  terminate(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: ReasonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'terminate', reason: dto.reason }, actor, correlationId, res);
  }

  @Post(':id/expire')
  @HttpCode(200)
  @Roles('monitor')
  @ApiHeader(ifMatchHeader)
  @ApiOperation({ summary: 'Record that the agreement expired (If-Match required)' })
  expire(
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() dto: OptionalReasonDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(id, ifMatch, { kind: 'expire', ...(dto.reason && { reason: dto.reason }) }, actor, correlationId, res);
  }
}
