/**
 * The metrics of the event-sourced runtime, on the platform's registry: events appended, the outbox's oldest
 * unpublished event, consumer lag and dead letters. Counters are fed; gauges read their sources at scrape time,
 * and a failing source reports nothing rather than breaking the scrape.
 */
import type { MetricsService } from '@tracker/platform';

export interface PartitionLagSample {
  topic: string;
  partition: number;
  lag: number;
}

type Source<T> = () => T | Promise<T>;

export interface ConsumerGroupState {
  group: string;
  paused: boolean;
  joined: boolean;
}

async function settle<T>(source: Source<T>): Promise<T | undefined> {
  try {
    return await source();
  } catch {
    return undefined;
  }
}

export class RuntimeMetrics {
  private readonly appended;
  private readonly deadLetters;
  private readonly pauses;
  private readonly groupSources: Source<readonly ConsumerGroupState[]>[] = [];
  private readonly outboxSources: Source<number | null | undefined>[] = [];
  private readonly lagSources: Source<readonly PartitionLagSample[]>[] = [];

  constructor(metrics: MetricsService) {
    this.appended = metrics.counter('events_appended_total', 'Events appended to this service’s event store, by type', ['type']);
    this.deadLetters = metrics.counter('dlq_messages_total', 'Messages sent to a dead-letter topic, by source topic', ['topic']);
    this.pauses = metrics.counter(
      'kafka_consumer_pauses_total',
      'Times a consumer group stopped on a message because a dependency (database, broker) was unavailable',
      ['group'],
    );
    const groupSources = this.groupSources;
    const groupGauge = (name: string, help: string, value: (s: ConsumerGroupState) => boolean) =>
      metrics.gauge(name, help, ['group'], async function () {
        this.reset();
        for (const samples of await Promise.all(groupSources.map((s) => settle(s)))) {
          for (const s of samples ?? []) this.set({ group: s.group }, value(s) ? 1 : 0);
        }
      });
    groupGauge('kafka_consumer_paused', '1 while a consumer group waits for an unavailable dependency, else 0', (s) => s.paused);
    groupGauge('kafka_consumer_joined', '1 once a consumer group joined (its lag is known from then on), else 0', (s) => s.joined);
    const outboxSources = this.outboxSources;
    const lagSources = this.lagSources;
    metrics.gauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest event not yet published to Kafka (0 when none)', [], async function () {
      const ages = await Promise.all(outboxSources.map((s) => settle(s)));
      const known = ages.filter((a): a is number => typeof a === 'number');
      if (outboxSources.length) this.set(Math.max(0, ...known));
    });
    metrics.gauge('kafka_consumer_lag', 'Messages behind the partition high watermark, by topic and partition', ['topic', 'partition'], async function () {
      this.reset();
      for (const samples of await Promise.all(lagSources.map((s) => settle(s)))) {
        for (const s of samples ?? []) this.set({ topic: s.topic, partition: String(s.partition) }, s.lag);
      }
    });
  }

  /** Counts appended events (the event store's append listener). */
  eventsAppended(events: readonly { type: string }[]): void {
    for (const e of events) this.appended.inc({ type: e.type });
  }

  deadLetter(topic: string, count = 1): void {
    this.deadLetters.inc({ topic }, count);
  }

  consumerPaused(group: string): void {
    this.pauses.inc({ group });
  }

  /** Whether each consumer group is paused and joined now. */
  consumerGroups(source: Source<readonly ConsumerGroupState[]>): void {
    this.groupSources.push(source);
  }

  /** Seconds since the oldest unpublished event was recorded, or null when the outbox is empty. */
  outboxAge(source: Source<number | null | undefined>): void {
    this.outboxSources.push(source);
  }

  /** Current lag per partition, e.g. from an IdempotentConsumer's metrics. Several sources add up. */
  consumerLag(source: Source<readonly PartitionLagSample[]>): void {
    this.lagSources.push(source);
  }
}
