/**
 * The event-sourced runtime of a service, the same in all three: its event store, the outbox relay publishing
 * to its topic, and one Kafka consumer per projection (each its own consumer group, so a slow read model never
 * holds back another) running the projection and then the reactors declared after it. Started once the app is
 * wired; stopped gracefully: consumers finish their message and commit, the relay its batch, then connections close.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Connection } from 'mongoose';
import type { Kafka } from 'kafkajs';
import { dlqTopicOf, type EventEnvelope } from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import {
  createOrderedProducer,
  RenewingProducer,
  ensureTopics,
  IdempotentConsumer,
  OutboxRelay,
  ProcessedStore,
  type BatchHandler,
  type ConsumerContext,
  type EventHandler,
} from '@tracker/messaging';
import { correlationContext, Housekeeping, MetricsService, type ReadinessCheck } from '@tracker/platform';
import { Aggregates } from './aggregates';
import { RuntimeMetrics } from './metrics';
import type { Projection } from './projections';
import type { EventReactor } from './reactors';
import { ReadModels } from './read-models';
import { serviceTopics, type ResolvedService } from './service-definition';
import { EVENT_STORE, KAFKA, MONGO_CONNECTION, SERVICE } from './tokens';

export interface RuntimeSettings {
  /** Prefix of every topic and consumer group (KAFKA_TOPIC_PREFIX). */
  topicPrefix: string;
  /** Partitions and retention of the topics this service creates. */
  partitions?: number;
  retentionMs?: number;
  /** Relay and consumers can be switched off. Default true. */
  startMessaging?: boolean;
  /**
   * How long consumers remember the event ids they processed (older redeliveries are still harmless:
   * projections are version-guarded). Default 30 days.
   */
  processedEventsRetentionMs?: number;
}
export const RUNTIME_SETTINGS = Symbol('RUNTIME_SETTINGS');

interface ConsumerPlan {
  /** Part of the consumer group id: `<service>.<name>`. */
  name: string;
  topics: readonly string[];
  handle: EventHandler;
  /** Runs of new events at once, where the projection folds them (applyMany) and its reactors can follow. */
  handleMany?: () => BatchHandler | undefined;
  /** Events as published (a raw projection), not upcast. */
  raw?: boolean;
}

@Injectable()
export class ServiceRuntime implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ServiceRuntime');
  private readonly metrics: RuntimeMetrics;
  private producer?: RenewingProducer;
  relay?: OutboxRelay;
  readonly consumers: IdempotentConsumer[] = [];
  private readonly plans: ConsumerPlan[];

  constructor(
    @Inject(SERVICE) private readonly service: ResolvedService,
    @Inject(RUNTIME_SETTINGS) private readonly settings: RuntimeSettings,
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly moduleRef: ModuleRef,
    private readonly aggregates: Aggregates,
    private readonly readModels: ReadModels,
    private readonly housekeeping: Housekeeping,
    metrics: MetricsService,
  ) {
    this.metrics = new RuntimeMetrics(metrics);
    this.plans = this.planConsumers();
  }

  /** What each consumer group does with an event: its projection, then the reactors declared after it. */
  private planConsumers(): ConsumerPlan[] {
    const reactorsAfter = (p: Projection) =>
      this.service.reactors.flatMap((r) => ('after' in r && r.after === p.name ? [r.handler] : []));
    const plans: ConsumerPlan[] = this.service.projections.map((p) => {
      const project = (event: EventEnvelope) => this.project(p, event);
      const reactors = reactorsAfter(p);
      return {
        name: p.name,
        topics: p.source === 'store' ? [this.service.topic] : p.topics,
        ...(p.source === 'topics' && p.raw && { raw: true }),
        handle: async (event, ctx) => {
          await project(event);
          for (const type of reactors) await this.reactor(type).react(event, ctx);
        },
        // Decided once the module is up (the reactors are its providers).
        handleMany: () => {
          if (p.source !== 'topics' || !p.applyMany) return undefined;
          const instances = reactors.map((type) => this.reactor(type));
          if (instances.some((r) => !r.reactMany)) return undefined;
          return async (events, ctx) => {
            const projected = (await p.applyMany!(this.readModels, events)) ?? new Map();
            for (const r of instances) await r.reactMany!(events, ctx, projected);
          };
        },
      };
    });
    for (const r of this.service.reactors) {
      if ('after' in r) continue;
      plans.push({ name: r.name, topics: r.topics, handle: (event, ctx) => this.reactor(r.handler).react(event, ctx) });
    }
    return plans;
  }

  private reactor(type: new (...args: never[]) => EventReactor): EventReactor {
    return this.moduleRef.get(type, { strict: false });
  }

  private async project(p: Projection, event: EventEnvelope): Promise<void> {
    if (p.source === 'topics') return p.apply(this.readModels, event);
    // The service's own event is back from its topic: the view was written after the command, unless the
    // process stopped in between; then it is brought up to the stored stream.
    if (p.aggregate.owns(event)) await this.aggregates.refresh(p.aggregate, p.aggregate.idOf(event), event.streamVersion, [p]);
  }

  /** The handler of consumer group `<service>.<name>` (tests feed it events by hand). */
  handler(name: string): (event: EventEnvelope, ctx: ConsumerContext) => Promise<void> {
    const plan = this.plans.find((c) => c.name === name);
    if (!plan) throw new Error(`${this.service.name} has no consumer ${name}`);
    return plan.handle;
  }

  async onModuleInit(): Promise<void> {
    await this.store.init();
    this.store.onAppended((events) => this.metrics.eventsAppended(events));
    for (const p of this.service.projections) for (const c of p.collections) await this.readModels.define(c.name, c.indexes);
    if (this.settings.startMessaging === false) return;

    const prefix = this.settings.topicPrefix;
    const ownTopic = prefix + this.service.topic;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = serviceTopics(this.service).map((t) => prefix + t);
      await ensureTopics(
        admin,
        topics.map((topic) => ({
          topic,
          numPartitions: this.settings.partitions ?? 6,
          ...(this.settings.retentionMs !== undefined && { retentionMs: this.settings.retentionMs }),
        })),
      );
    } finally {
      await admin.disconnect();
    }

    const kafka = this.kafka;
    this.producer = new RenewingProducer(
      () => createOrderedProducer(kafka),
      (err) => this.logger.warn(`outbox relay: a send failed (${(err as Error).message}); the next goes under a new producer id`),
    );
    const relay = new OutboxRelay({
      outbox: this.store.outbox,
      connection: this.connection,
      producer: this.producer,
      topic: ownTopic,
      source: this.service.name,
      onError: (err) => this.logger.warn(`outbox relay: ${(err as Error).message}`),
    });
    this.relay = relay;
    relay.start();
    this.metrics.outboxAge(async () => (await relay.lag()) / 1000);

    const processed = new ProcessedStore(this.connection);
    await processed.init();
    const retention = this.settings.processedEventsRetentionMs ?? 30 * 86_400_000;
    this.housekeeping.register('processedEvents', (now) => processed.sweep(new Date(now.getTime() - retention)));
    for (const plan of this.plans) {
      const batchHandler = plan.handleMany?.();
      const consumer = new IdempotentConsumer({
        kafka: this.kafka,
        groupId: `${prefix}${this.service.name}.${plan.name}`,
        topics: plan.topics.map((t) => prefix + t),
        processedStore: processed,
        // Serve at once; the group is joined in the background (readiness says `degraded` until then).
        waitForGroupJoin: false,
        ...(!plan.raw && { upcasters: this.store.upcasters }),
        // Logs written while handling carry the event's correlation id, as they do for HTTP requests.
        handler: (envelope, ctx) => correlationContext.run(ctx.correlationId, () => plan.handle(envelope, ctx)),
        ...(batchHandler && {
          batchHandler: (envelopes: readonly EventEnvelope[], ctx: ConsumerContext) =>
            correlationContext.run(ctx.correlationId, () => batchHandler(envelopes, ctx)),
        }),
        onError: (err, at) =>
          this.logger.warn(`consumer ${plan.name}: ${(err as Error).message}${at ? ` at ${at.topic}/${at.partition}@${at.offset}` : ''}`),
        onPause: (info) => {
          this.metrics.consumerPaused(consumer.groupId);
          this.logger.warn(`consumer ${plan.name}: paused, a dependency is unavailable (${info.reason}); resumes where it was when it is back`);
        },
        onResume: (info) => this.logger.log(`consumer ${plan.name}: resumed after ${Math.round(info.pausedMs / 100) / 10} s`),
        onDeadLetter: (info) => {
          this.metrics.deadLetter(dlqTopicOf(info.topic));
          this.logger.error(`consumer ${plan.name}: ${info.topic}/${info.partition}@${info.offset} → ${dlqTopicOf(info.topic)} (${info.reason}: ${info.error})`);
        },
      });
      await consumer.start();
      this.consumers.push(consumer);
      this.metrics.consumerLag(() => consumer.metrics().partitions);
    }
    this.metrics.consumerGroups(() =>
      this.consumers.map((c) => {
        const { paused, joined } = c.metrics();
        return { group: c.groupId, paused: paused !== null, joined };
      }),
    );
  }

  /**
   * Readiness of the consumers: fails (so the service reports `degraded`, not unready: queries and writes go on)
   * while one waits for an unavailable dependency, naming it and since when, or has not joined its group yet.
   */
  consumersReadiness(): ReadinessCheck {
    return {
      name: 'consumers',
      required: false,
      check: async () => {
        const paused = this.consumers.flatMap((c) => {
          const { paused: p, joined } = c.metrics();
          if (p) return [`${c.groupId} paused since ${p.since} (${p.reason})`];
          return joined ? [] : [`${c.groupId} joining its group`];
        });
        if (paused.length > 0) throw new Error(paused.join('; '));
        return { groups: this.consumers.length };
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.readModels.stop();
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
    await this.relay?.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
