/**
 * `GET /asyncapi.json` (issue 21): the AsyncAPI 3 document of the event topics, with what this service sends and
 * receives on them, taken from its declaration (its topic, the topics its projections and reactors consume) and
 * the environment's topic prefix. Public like /docs-json: it describes the messages, it holds none.
 */
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { asyncApiDocument, ASYNCAPI_VERSION } from '@tracker/contracts';
import { ApiProblems, ApiPublic, PLATFORM_OPTIONS, Public, type PlatformOptions } from '@tracker/platform';
import { RUNTIME_SETTINGS, type RuntimeSettings } from './runtime';
import { consumedTopics, type ResolvedService } from './service-definition';
import { SERVICE } from './tokens';

const anObject = { type: 'object', additionalProperties: true } as const;

@ApiTags('platform')
@ApiPublic()
@ApiProblems(400)
@Public()
@SkipThrottle()
@Controller()
export class AsyncApiController {
  private readonly document: Record<string, unknown>;

  constructor(
    @Inject(SERVICE) service: ResolvedService,
    @Inject(RUNTIME_SETTINGS) settings: RuntimeSettings,
    @Inject(PLATFORM_OPTIONS) options: PlatformOptions,
  ) {
    this.document = asyncApiDocument({
      service: service.name,
      version: options.version ?? '0.0.0',
      publishes: service.topic,
      consumes: consumedTopics(service),
      topicPrefix: settings.topicPrefix,
    });
  }

  @Get('asyncapi.json')
  @ApiOperation({
    summary:
      'AsyncAPI 3 document of the event topics and their DLQs, and what this service sends and receives (no key needed)',
  })
  @ApiOkResponse({
    description:
      'the AsyncAPI 3.0.0 document: a JSON Schema per event type and schema version, the CloudEvents headers, the key',
    schema: {
      type: 'object',
      required: ['asyncapi', 'info', 'channels', 'operations', 'components'],
      properties: {
        asyncapi: { type: 'string', enum: [ASYNCAPI_VERSION] },
        info: {
          type: 'object',
          required: ['title', 'version'],
          properties: {
            title: { type: 'string', example: 'milestones events' },
            version: { type: 'string', example: '1.0.0' },
            description: { type: 'string' },
          },
        },
        defaultContentType: { type: 'string', enum: ['application/json'] },
        channels: { ...anObject, description: 'the topics and their DLQs, by id' },
        operations: { ...anObject, description: 'what this service sends and receives, by id' },
        components: {
          ...anObject,
          description: 'the messages: one per event type and schema version, and the dead letter',
        },
      },
    },
  })
  get(): Record<string, unknown> {
    return this.document;
  }
}
