import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyRequired, ApiProblems, ApiUuidParam, Roles, twoClocksOf } from '@tracker/platform';
import { AgreementHistoryService } from './agreement-history.service';
import { AgreementAsOfQuery, AgreementHistoryQuery } from './dto';
import { AgreementAsOf, AgreementHistoryPage } from './responses';

@ApiTags('agreements')
@ApiKeyRequired()
@Controller('agreements')
export class AgreementHistoryController {
  constructor(private readonly history: AgreementHistoryService) {}

  @Get(':id/history')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Who recorded what, when: the agreement’s events and those of its milestones and alerts, in recorded order (auditors); filters and cursor pagination',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: AgreementHistoryPage })
  @ApiProblems(404)
  list(@Param('id', ParseUUIDPipe) id: string, @Query() query: AgreementHistoryQuery) {
    return this.history.history(id, query);
  }

  // Readers as for ?asOf=: it shows states, no actors or hashes, all of which each reader may already read.
  @Get(':id/as-of')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'The agreement at a past time, with its milestones, counts and derived status then, and the alerts open then: ?validAt= (business time) and/or ?knownAt= (record time; ?at= is the same)',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: AgreementAsOf })
  @ApiProblems(404)
  asOf(@Param('id', ParseUUIDPipe) id: string, @Query() query: AgreementAsOfQuery) {
    return this.history.asOf(id, twoClocksOf({ ...query, knownAt: query.knownAt ?? query.at })!);
  }
}
