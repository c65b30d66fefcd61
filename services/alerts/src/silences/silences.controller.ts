import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiProblems, ApiUuidParam, CreateRoute, CurrentActor, Roles } from '@tracker/platform';
import { CreateSilenceDto, ListSilencesQuery } from './dto';
import { Silence, SilencePage } from './responses';
import { SilencesService } from './silences.service';

const NOT_VISIBLE = 'No such silence, or someone else’s.';

@ApiTags('silences')
@ApiKeyRequired()
@Controller('silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  @CreateRoute(
    '',
    'Silence one of your subscriptions, or an agreement in all of them, until a time: covered alerts are still recorded (the inbox marks them `silenced`) but not delivered; Idempotency-Key makes retries safe',
    Silence,
    (s) => `/silences/${s.id}`,
    'stakeholder',
  )
  @ApiProblem(
    400,
    'The request is invalid (`errors` names each field): neither subscriptionId nor agreementId, until not later than now or more than a year ahead, no comment or one over 1000 characters.',
  )
  @ApiProblem(404, 'subscriptionId names no subscription of yours.')
  create(@Body() dto: CreateSilenceDto, @CurrentActor() actor: Actor) {
    return this.silences.create(dto, actor);
  }

  @Get()
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'My silences (monitors, auditors and admins: all), oldest first; ?active=true|false; cursor pagination' })
  @ApiOkResponse({ type: SilencePage })
  list(@Query() query: ListSilencesQuery, @CurrentActor() actor: Actor) {
    return this.silences.list(query, actor);
  }

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'One silence (someone else’s: 404)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Silence })
  @ApiProblem(404, NOT_VISIBLE)
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.silences.get(id, actor);
  }

  @Post(':id/expire')
  @HttpCode(200)
  @Roles('stakeholder')
  @ApiOperation({ summary: 'End your silence now (the record stays; one that ended already is answered as it is)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Silence, description: 'the silence, ended' })
  @ApiProblems(413, 415)
  @ApiProblem(404, NOT_VISIBLE)
  expire(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.silences.expire(id, actor);
  }
}
