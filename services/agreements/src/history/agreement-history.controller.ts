import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, twoClocksOf } from '@tracker/platform';
import { AgreementHistoryService } from './agreement-history.service';
import { AgreementAsOfQuery, AgreementHistoryQuery } from './dto';

@ApiTags('agreements')
@ApiBearerAuth()
@Controller('agreements')
export class AgreementHistoryController {
  constructor(private readonly history: AgreementHistoryService) {}

  @Get(':id/history')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'Who recorded what, when: the agreement’s events and those of its milestones and alerts, in recorded order (auditors); filters and cursor pagination',
  })
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
  asOf(@Param('id', ParseUUIDPipe) id: string, @Query() query: AgreementAsOfQuery) {
    return this.history.asOf(id, twoClocksOf({ ...query, knownAt: query.knownAt ?? query.at })!);
  }
}
