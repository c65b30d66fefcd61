/**
 * Replays of the service's read models (issue 8): admin only. `npm run replay` is the command-line client.
 */
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@tracker/contracts';
import type { Response } from 'express';
import { ApiKeyRequired, ApiProblem, ApiProblems, ApiUuidParam, ConflictProblem, CurrentActor, NotFoundProblem, RESPONSE_HEADERS, Roles } from '@tracker/platform';
import { ReplayInProgressError, ReplayRunner, type ReplayPhase, type ReplayStatus } from './replay';

const PHASES: ReplayPhase[] = ['preparing', 'reading-store', 'writing', 'reading-topics', 'switching', 'catching-up', 'cleaning-up', 'done'];
const countsBy = (what: string) => ({ type: 'object', additionalProperties: { type: 'number', minimum: 0 }, description: what }) as const;

export class Replay implements ReplayStatus {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'agreements' })
  service: string;

  @ApiProperty({ example: 'dev-admin' })
  requestedBy: string;

  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] })
  status: ReplayStatus['status'];

  @ApiProperty({ enum: PHASES })
  phase: ReplayPhase;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'events to read (an estimate while running)' })
  eventsTotal: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  eventsDone: number;

  @ApiProperty({ minimum: 0 })
  eventsPerSecond: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, description: 'estimated from the rate so far; null until there is one' })
  secondsLeft: number | null;

  @ApiProperty(countsBy('documents per read model, when done'))
  documents: Record<string, number>;

  @ApiProperty(countsBy('seconds spent in each phase so far'))
  phaseSeconds: Partial<Record<ReplayPhase, number>>;

  @ApiProperty({ type: [String] })
  warnings: string[];

  @ApiProperty({ type: String, nullable: true })
  error: string | null;
}

export class ReplayList {
  @ApiProperty({ type: [Replay], description: 'newest first' })
  items: Replay[];
}

@ApiTags('admin')
@ApiKeyRequired()
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
  @ApiAcceptedResponse({ type: Replay, description: 'started; the body is its status', headers: RESPONSE_HEADERS.location })
  @ApiProblem(409, 'A replay of this service is already running (`runningReplayId`).')
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
  @ApiOkResponse({ type: ReplayList })
  async list(): Promise<ReplayList> {
    return { items: await this.runner.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A replay: phase, events done of total, rate, seconds left; documents per read model when done' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Replay })
  @ApiProblems(404)
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const status = await this.runner.get(id);
    if (!status) throw NotFoundProblem.of('replay', id);
    return status;
  }
}
