/**
 * The event-sourced runtime of a service, the same in all three: its MongoDB connection and event store, the
 * outbox relay publishing to its topic, and its Kafka consumers (each its own kafkajs consumer group, so a slow
 * handler never blocks another). Started after the HTTP app is wired, stopped gracefully on shutdown: consumers
 * finish their message and commit, the relay finishes its batch, then connections close.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Connection } from 'mongoose';
import type { Kafka, Producer } from 'kafkajs';
import { dlqTopicOf, type EventEnvelope } from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import {
  createOrderedProducer,
  ensureTopics,
  IdempotentConsumer,
  OutboxRelay,
  ProcessedStore,
  type ConsumerContext,
} from '@tracker/messaging';
import { IdempotencyStore } from '../idempotency';
import { correlationContext } from '../logging/correlation';
import { MetricsService } from '../metrics/metrics.service';
import { ReadModels } from '../read-models/read-models';
import { EVENT_STORE, KAFKA, MONGO_CONNECTION, SERVICE_RUNTIME_OPTIONS } from './tokens';

/** A class whose `handle` processes one event of the consumed topics; resolved from the service's module. */
export interface EventConsumer {
  handle(envelope: EventEnvelope, ctx: ConsumerContext): Promise<void>;
}

export interface ConsumerDefinition {
  /** Part of the consumer group id: `<service>.<name>`. */
  name: string;
  topics: readonly string[];
  handler: Type<EventConsumer>;
}

export interface ServiceRuntimeOptions {
  serviceName: string;
  /** The topic this service's events are published to. */
  topic: string;
  /** Partitions for the topics this service creates. */
  partitions?: number;
  retentionMs?: number;
  consumers?: readonly ConsumerDefinition[];
  /** Prefix of every topic and consumer group (KAFKA_TOPIC_PREFIX). */
  topicPrefix?: string;
  /** Relay and consumers can be switched off (e.g. in a replay tool). Default true. */
  startMessaging?: boolean;
  /** How long a retried POST with the same Idempotency-Key returns the first answer. Default 24 h. */
  idempotencyKeyTtlMs?: number;
  /**
   * How long consumers remember the event ids they processed (redeliveries older than that are still harmless:
   * projections are version-guarded). Default 30 days.
   */
  processedEventsRetentionMs?: number;
  /** How often both are swept (no TTL indexes on FerretDB); 0 = never. Default 1 h. */
  sweepIntervalMs?: number;
}

@Injectable()
export class EventSourcedRuntime implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventSourcedRuntime');
  private producer?: Producer;
  relay?: OutboxRelay;
  readonly consumers: IdempotentConsumer[] = [];
  private processed?: ProcessedStore;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(SERVICE_RUNTIME_OPTIONS) private readonly options: ServiceRuntimeOptions,
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsService,
    private readonly idempotency: IdempotencyStore,
    private readonly readModels: ReadModels,
  ) {}

  /**
   * Deletes idempotency keys and processed-event records past their retention (system time, as they were
   * written). Runs every sweepIntervalMs; callable directly (tests, tools).
   */
  async sweep(now: Date = new Date()): Promise<{ idempotencyKeys: number; processedEvents: number }> {
    const idempotencyKeys = await this.idempotency.sweep(this.options.idempotencyKeyTtlMs ?? 86_400_000, now);
    const retention = this.options.processedEventsRetentionMs ?? 30 * 86_400_000;
    const processedEvents = (await this.processed?.sweep(new Date(now.getTime() - retention))) ?? 0;
    return { idempotencyKeys, processedEvents };
  }

  async onModuleInit(): Promise<void> {
    await this.store.init();
    this.store.onAppended((events) => this.metrics.recordEventsAppended(events));
    if (this.options.startMessaging === false) return;

    const prefix = this.options.topicPrefix ?? '';
    const ownTopic = prefix + this.options.topic;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const consumed = (this.options.consumers ?? []).flatMap((c) => c.topics.map((t) => prefix + t));
      const topics = [...new Set([ownTopic, ...consumed])];
      await ensureTopics(
        admin,
        topics.map((topic) => ({
          topic,
          numPartitions: this.options.partitions ?? 6,
          ...(this.options.retentionMs !== undefined && { retentionMs: this.options.retentionMs }),
        })),
      );
    } finally {
      await admin.disconnect();
    }

    this.producer = createOrderedProducer(this.kafka);
    await this.producer.connect();
    this.relay = new OutboxRelay({
      store: this.store,
      producer: this.producer,
      topic: ownTopic,
      source: this.options.serviceName,
      onError: (err) => this.logger.warn(`outbox relay: ${(err as Error).message}`),
    });
    this.relay.start();
    const relay = this.relay;
    this.metrics.onOutboxOldestUnpublishedAge(async () => (await relay.lag()) / 1000);

    const processed = new ProcessedStore(this.connection);
    await processed.init();
    this.processed = processed;
    const every = this.options.sweepIntervalMs ?? 3_600_000;
    if (every > 0) {
      this.sweeper = setInterval(() => {
        this.sweep().catch((err: unknown) => this.logger.warn(`sweep: ${(err as Error).message}`));
      }, every);
      this.sweeper.unref();
    }
    for (const definition of this.options.consumers ?? []) {
      const handler = this.moduleRef.get(definition.handler, { strict: false });
      const consumer = new IdempotentConsumer({
        kafka: this.kafka,
        groupId: `${prefix}${this.options.serviceName}.${definition.name}`,
        topics: definition.topics.map((t) => prefix + t),
        processedStore: processed,
        upcasters: this.store.upcasters,
        // Logs written while handling carry the event's correlation id, as they do for HTTP requests.
        handler: (envelope, ctx) => correlationContext.run(ctx.correlationId, () => handler.handle(envelope, ctx)),
        onError: (err, at) =>
          this.logger.warn(`consumer ${definition.name}: ${(err as Error).message}${at ? ` at ${at.topic}/${at.partition}@${at.offset}` : ''}`),
        onDeadLetter: (info) => {
          this.metrics.recordDeadLetter(dlqTopicOf(info.topic));
          this.logger.error(`consumer ${definition.name}: ${info.topic}/${info.partition}@${info.offset} → ${dlqTopicOf(info.topic)} (${info.reason}: ${info.error})`);
        },
      });
      await consumer.start();
      this.consumers.push(consumer);
      this.metrics.onKafkaConsumerLag(() => consumer.metrics().partitions);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.readModels.stop();
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
    await this.relay?.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
