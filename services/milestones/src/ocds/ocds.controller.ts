/**
 * Open data (issue 21): an agreement's milestones as an OCDS 1.1.5 release package, and the import of such a
 * package (monitors: every change is decided by the Milestone decider, ADR 0012).
 */
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Actor } from '@tracker/contracts';
import {
  ApiKeyRequired,
  ApiProblems,
  ApiUuidParam,
  CorrelationId,
  CurrentActor,
  Roles,
} from '@tracker/platform';
import { OcdsReleasePackageDto } from './dto';
import { OcdsService } from './ocds.service';
import { OcdsImportReport, RELEASE_PACKAGE_OPENAPI } from './responses';

@ApiTags('open data')
@ApiKeyRequired()
@Controller('ocds')
export class OcdsController {
  constructor(private readonly ocds: OcdsService) {}

  @Get('agreements/:id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'The agreement’s milestones as an OCDS 1.1.5 release package (contract implementation milestones)',
  })
  @ApiUuidParam('id', 'the agreement')
  @ApiOkResponse({
    description: 'an OCDS 1.1.5 release package with one release',
    schema: RELEASE_PACKAGE_OPENAPI,
  })
  @ApiProblems(404)
  export(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request) {
    return this.ocds.export(id, `${req.protocol}://${req.get('host') ?? 'localhost'}/ocds/agreements/${id}`);
  }

  @Post('imports')
  @HttpCode(200)
  @Roles('monitor')
  @ApiOperation({
    summary:
      'Import milestones from an OCDS release package: creates and updates them through the milestone rules, idempotently; answers what was created, updated, left unchanged and refused (with reasons)',
  })
  @ApiOkResponse({ type: OcdsImportReport })
  @ApiProblems(413, 415)
  import(
    @Body() body: OcdsReleasePackageDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
  ) {
    return this.ocds.import(body, { actor, correlationId });
  }
}
