/**
 * Fixture of the platform's own tests: a small app built from the platform as a service would build it, with a
 * route per role, a validated POST and one route per error case.
 */
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Logger,
  Module,
  Param,
  Post,
  Query,
  type DynamicModule,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Writable } from 'node:stream';
import type { Actor } from '@tracker/contracts';
import {
  BaseServiceConfig,
  ConflictProblem,
  CorrelationId,
  CurrentActor,
  NotFoundProblem,
  PlatformModule,
  Public,
  Roles,
  UnprocessableProblem,
  configureApp,
  correlationContext,
  loadConfig,
  parseIfMatch,
  type ReadinessCheck,
  type ReadinessFactory,
} from '../index';

class PartyDto {
  @IsString()
  @Length(2, 2)
  country: string;

  @IsString()
  name: string;
}

export class CreateThingDto {
  @IsString()
  @Length(1, 100)
  title: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties: PartyDto[];
}

class ListQuery {
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

@Controller()
export class TestController {
  /** Handler invocations, to prove that refused requests never reach one. */
  static calls = 0;
  private readonly logger = new Logger('TestController');

  @Public()
  @Get('public')
  publicRoute() {
    return { ok: true };
  }

  @Get('any')
  anyKey(@CurrentActor() actor: Actor) {
    return { actor };
  }

  @Roles('monitor')
  @Get('monitor')
  monitor(@CurrentActor() actor: Actor) {
    return { actor };
  }

  @Roles('stakeholder')
  @Get('stakeholder')
  stakeholder(@CurrentActor() actor: Actor) {
    return { actor };
  }

  @Roles('auditor')
  @Get('auditor')
  auditor(@CurrentActor() actor: Actor) {
    return { actor };
  }

  @Roles('admin')
  @Get('admin')
  admin(@CurrentActor() actor: Actor) {
    return { actor };
  }

  @Roles('monitor', 'auditor')
  @Get('monitor-or-auditor')
  monitorOrAuditor(@CurrentActor() actor: Actor) {
    return { actor };
  }

  @Roles('monitor')
  @Post('things')
  create(@Body() dto: CreateThingDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    TestController.calls++;
    this.logger.log(`creating ${dto.title}`);
    return {
      dto,
      actor,
      correlationId,
      isDto: dto instanceof CreateThingDto,
      contextId: correlationContext.current(),
    };
  }

  @Get('things')
  list(@Query() query: ListQuery) {
    TestController.calls++;
    return { query, isDto: query instanceof ListQuery };
  }

  @Get('things/:id')
  get(@Param('id') id: string) {
    if (id === 'missing') throw NotFoundProblem.of('thing', id);
    return { id };
  }

  @Post('things/:id/change')
  @HttpCode(200)
  change(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined) {
    const expected = parseIfMatch(ifMatch, { required: true });
    if (expected !== 3) throw new ConflictProblem(`thing ${id} is at version 3`, 3);
    return { id, version: expected + 1 };
  }

  @Post('things/:id/stale')
  stale() {
    // What the event store throws; platform recognises it by shape.
    const err = Object.assign(new Error('stream thing-1: expected version 2, actual version 5'), {
      actualVersion: 5,
    });
    err.name = 'ConcurrencyError';
    throw err;
  }

  @Post('things/:id/close')
  close() {
    throw new UnprocessableProblem('a closed thing cannot be closed again');
  }

  @Get('boom')
  boom() {
    throw new Error('secret internals at /srv/app.ts:42');
  }
}

export interface TestAppOptions {
  env?: Record<string, string>;
  readiness?: ReadinessCheck[] | ReadinessFactory;
  /** Modules the app imports besides the platform (e.g. a global one providing connections). */
  imports?: DynamicModule[];
}

export interface TestApp {
  app: NestExpressApplication;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig(BaseServiceConfig, { NODE_ENV: 'test', LOG_LEVEL: 'info', ...options.env });
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  @Module({})
  class TestAppModule {
    static forRoot(): DynamicModule {
      return {
        module: TestAppModule,
        imports: [
          PlatformModule.forRoot({
            serviceName: 'test-service',
            title: 'Test service API',
            version: '9.9.9',
            config,
            readiness: options.readiness ?? [],
            logDestination: destination,
          }),
          ...(options.imports ?? []),
        ],
        controllers: [TestController],
      };
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [TestAppModule.forRoot()] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app);
  await app.init();
  return { app, logs, close: () => app.close() };
}
