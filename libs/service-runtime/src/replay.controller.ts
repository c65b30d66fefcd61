/**
 * Replays of the service's read models (issue 8): admin only. `npm run replay` is the command-line client.
 */
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@tracker/contracts';
import type { Response } from 'express';
import { ConflictProblem, CurrentActor, NotFoundProblem, Roles } from '@tracker/platform';
import { ReplayInProgressError, ReplayRunner } from './replay';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/replays')
export class ReplayController {
  constructor(private readonly runner: ReplayRunner) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuild every read model of this service from its event store and the Kafka topics it reads, into fresh collections, then switch over (queries keep answering meanwhile). Follow it at the Location returned.',
  })
  @ApiAcceptedResponse({ description: 'started; the body is its status' })
  async start(@CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    try {
      const status = await this.runner.start(actor);
      res.setHeader('Location', `/admin/replays/${status.id}`);
      return status;
    } catch (err) {
      if (err instanceof ReplayInProgressError) throw new ConflictProblem(err.message, undefined, { runningReplayId: err.runningId });
      throw err;
    }
  }

  @Get()
  @ApiOperation({ summary: 'The latest replays of this service, newest first' })
  async list() {
    return { items: await this.runner.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A replay: phase, events done of total, rate, seconds left; documents per read model when done' })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const status = await this.runner.get(id);
    if (!status) throw NotFoundProblem.of('replay', id);
    return status;
  }
}
