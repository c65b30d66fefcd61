import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { Actor } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiUuidParam, CurrentActor, CursorQuery, Roles } from '@tracker/platform';
import { DigestsService } from './digests.service';
import { Digest, DigestPage } from './responses';

export class ListDigestsQuery extends CursorQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'one subscription’s digests' })
  @IsOptional()
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;
}

@ApiTags('digests')
@ApiKeyRequired()
@Controller('digests')
export class DigestsController {
  constructor(private readonly digests: DigestsService) {}

  @Get()
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'Daily digests, newest first (stakeholders: of their subscriptions; monitors and auditors: all), cursor pagination' })
  @ApiOkResponse({ type: DigestPage })
  @ApiProblem(404, 'subscriptionId names no subscription, or someone else’s.')
  list(@Query() query: ListDigestsQuery, @CurrentActor() actor: Actor) {
    return this.digests.list(query, actor);
  }

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'One digest: the open alerts by agreement and severity, and what changed since the last one' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Digest })
  @ApiProblem(404, 'No such digest, or one of someone else’s subscription.')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor) {
    return this.digests.get(id, actor);
  }
}
