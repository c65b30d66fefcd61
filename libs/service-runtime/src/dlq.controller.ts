/**
 * Dead letters of the service's topics (issue 18): admin only. List the DLQ twins of the topics the service owns
 * or reads, the messages of one, and re-drive them after the fix (idempotent: a re-driven dead letter is never
 * published again). `npm run dlq` is the command-line client.
 */
import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import { dlqTopicOf, type Actor } from '@tracker/contracts';
import { DeadLetters, type DeadLetter as DeadLetterView, type DeadLetterFilter, type RedriveCounts } from '@tracker/messaging';
import { ApiKeyRequired, ApiProblem, CurrentActor, NotFoundProblem, Roles } from '@tracker/platform';
import { RUNTIME_SETTINGS, type RuntimeSettings } from './runtime';
import { serviceTopics, type ResolvedService } from './service-definition';
import { KAFKA, MONGO_CONNECTION, SERVICE } from './tokens';

export class DeadLetterQuery {
  @ApiPropertyOptional({
    description: 'only the dead letters of this consumer group, with or without the topic prefix (e.g. agreements.milestone-counts)',
    pattern: '^[A-Za-z0-9._-]{1,249}$',
    example: 'agreements.milestone-summaries',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'consumerGroup must be a consumer group id (letters, digits, . _ -)' })
  consumerGroup?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10000, description: 'at most this many dead letters (listed, or re-driven now)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;
}

const topicParam = { name: 'topic', description: 'a DLQ topic, e.g. milestones.events.dlq (the environment’s topic prefix may be left out)', example: 'milestones.events.dlq' };
const NOT_A_DLQ = 'Not a DLQ topic of this service, or it does not exist.';
const count = { type: 'integer', minimum: 0 } as const;

export class DeadLetterTopic {
  @ApiProperty({ example: 'milestones.events.dlq' })
  topic: string;

  @ApiProperty({ example: 'milestones.events' })
  originalTopic: string;

  @ApiProperty({ ...count, description: 'messages in the DLQ topic' })
  messages: number;

  @ApiProperty({ ...count, description: 'of them re-driven' })
  redriven: number;

  @ApiProperty({ ...count, description: 'not re-driven yet' })
  pending: number;
}

export class DeadLetterTopics {
  @ApiProperty({ example: 'agreements' })
  service: string;

  @ApiProperty({ type: [DeadLetterTopic] })
  topics: DeadLetterTopic[];
}

const text = (description?: string) => ({ type: String, nullable: true, ...(description && { description }) });
const offset = { type: String, nullable: true, pattern: '^[0-9]+$', description: 'a Kafka offset (a decimal string)' } as const;

export class DeadLetter implements DeadLetterView {
  @ApiProperty({ example: 'milestones.events.dlq' })
  dlqTopic: string;

  @ApiProperty({ ...count })
  partition: number;

  @ApiProperty({ pattern: '^[0-9]+$', example: '12' })
  offset: string;

  @ApiProperty(text('the message key: the agreement id'))
  key: string | null;

  @ApiProperty({ ...text('from the envelope, when the message decodes as one'), format: 'uuid' })
  eventId: string | null;

  @ApiProperty(text())
  type: string | null;

  @ApiProperty(text())
  streamId: string | null;

  @ApiProperty(text('invalid-message, permanent or retries-exhausted'))
  reason: string | null;

  @ApiProperty(text())
  error: string | null;

  @ApiProperty(text())
  originalTopic: string | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 0 })
  originalPartition: number | null;

  @ApiProperty(offset)
  originalOffset: string | null;

  @ApiProperty(text())
  consumerGroup: string | null;

  @ApiProperty({ ...text(), format: 'date-time' })
  failedAt: string | null;

  @ApiProperty({ ...text('null: not re-driven yet'), format: 'date-time' })
  redrivenAt: string | null;
}

export class DeadLetterList {
  @ApiProperty({ example: 'milestones.events.dlq' })
  topic: string;

  @ApiProperty({ type: [DeadLetter], description: 'in partition and offset order' })
  items: DeadLetter[];
}

export class RedriveFailure {
  @ApiProperty({ ...count })
  partition: number;

  @ApiProperty({ pattern: '^[0-9]+$', example: '12' })
  offset: string;

  @ApiProperty()
  error: string;
}

export class RedriveResult implements RedriveCounts {
  @ApiProperty({ example: 'milestones.events.dlq' })
  dlqTopic: string;

  @ApiProperty({ ...count, description: 'dead letters considered (of the consumer group, when one was given)' })
  total: number;

  @ApiProperty({ ...count, description: 're-driven by this call' })
  redriven: number;

  @ApiProperty({ ...count, description: 'messages published by this call' })
  published: number;

  @ApiProperty({ ...count, description: 're-driven by an earlier call: not published again' })
  alreadyRedriven: number;

  @ApiProperty({ ...count, description: 'could not be re-driven (see failures)' })
  failed: number;

  @ApiProperty({ ...count, description: 'left for a next call by the limit' })
  remaining: number;

  @ApiProperty({ type: [RedriveFailure] })
  failures: RedriveFailure[];
}

@ApiTags('admin')
@ApiKeyRequired()
@Roles('admin')
@Controller('admin/dlq')
export class DlqController {
  private readonly deadLetters: DeadLetters;

  constructor(
    @Inject(SERVICE) private readonly service: ResolvedService,
    @Inject(RUNTIME_SETTINGS) private readonly settings: RuntimeSettings,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(MONGO_CONNECTION) connection: Connection,
  ) {
    this.deadLetters = new DeadLetters({ kafka, connection, groupPrefix: settings.topicPrefix });
  }

  @Get()
  @ApiOperation({ summary: 'The DLQ topics of the topics this service owns or reads: messages in each and how many were re-driven' })
  @ApiOkResponse({ type: DeadLetterTopics })
  async topics(): Promise<DeadLetterTopics> {
    const existing = await this.existingTopics();
    const topics = [];
    for (const { topic, originalTopic } of this.allowed()) {
      const { messages, redriven } = existing.has(topic) ? await this.deadLetters.summary(topic) : { messages: 0, redriven: 0 };
      topics.push({ topic, originalTopic, messages, redriven, pending: messages - redriven });
    }
    return { service: this.service.name, topics };
  }

  @Get(':topic')
  @ApiOperation({ summary: 'The dead letters of a DLQ topic in offset order: where each is, its event, why it failed, whether it was re-driven' })
  @ApiParam(topicParam)
  @ApiOkResponse({ type: DeadLetterList })
  @ApiProblem(404, NOT_A_DLQ)
  async list(@Param('topic') name: string, @Query() query: DeadLetterQuery): Promise<DeadLetterList> {
    const topic = await this.resolve(name);
    return { topic, items: await this.deadLetters.list(topic, this.filter(query)) };
  }

  @Post(':topic/redrive')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Publish the dead letters not re-driven yet back to their original topic (after fixing what made them fail); consumers that processed one already skip it. Idempotent: a second call publishes nothing.',
  })
  @ApiParam(topicParam)
  @ApiOkResponse({ type: RedriveResult })
  @ApiProblem(404, NOT_A_DLQ)
  async redrive(@Param('topic') name: string, @Query() query: DeadLetterQuery, @CurrentActor() actor: Actor): Promise<RedriveResult> {
    const topic = await this.resolve(name);
    return this.deadLetters.redrive(topic, { ...this.filter(query), by: actor.id });
  }

  /** The DLQ twins (prefixed) of the service's own topic and of those it reads. */
  private allowed(): Array<{ topic: string; originalTopic: string }> {
    const prefix = this.settings.topicPrefix;
    return serviceTopics(this.service).map((t) => ({ topic: dlqTopicOf(prefix + t), originalTopic: prefix + t }));
  }

  /** The topic named in the path, with or without the prefix; 404 for one that is not this service's or does not exist. */
  private async resolve(name: string): Promise<string> {
    const prefix = this.settings.topicPrefix;
    const allowed = this.allowed().map((a) => a.topic);
    const topic = [name, prefix + name].find((t) => allowed.includes(t));
    if (!topic) throw new NotFoundProblem(`${name} is not a DLQ topic of the ${this.service.name} service (its DLQ topics: ${allowed.join(', ')})`);
    if (!(await this.existingTopics()).has(topic)) throw new NotFoundProblem(`DLQ topic ${topic} does not exist (yet)`);
    return topic;
  }

  private filter(query: DeadLetterQuery): DeadLetterFilter {
    const prefix = this.settings.topicPrefix;
    const group = query.consumerGroup;
    return {
      ...(group !== undefined && { consumerGroup: group.startsWith(prefix) ? group : prefix + group }),
      ...(query.limit !== undefined && { limit: query.limit }),
    };
  }

  private async existingTopics(): Promise<Set<string>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return new Set(await admin.listTopics());
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
