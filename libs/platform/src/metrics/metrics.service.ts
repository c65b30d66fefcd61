/**
 * One prom-client registry per app (tests build several apps in one process), with process metrics, the HTTP
 * latency histogram and the event-sourcing metrics every service reports. Platform owns the metric names and
 * shapes; services feed them (counters) or hand in callbacks read at scrape time (gauges).
 */
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface PartitionLagSample {
  topic: string;
  partition: number;
  lag: number;
}

type Source<T> = () => T | Promise<T>;

@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'events_appended_total',
    help: 'Events appended to this service’s event store, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly dlqMessages = new Counter({
    name: 'dlq_messages_total',
    help: 'Messages sent to a dead-letter topic, by source topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  private readonly outboxAgeSources: Source<number | null | undefined>[] = [];
  private readonly lagSources: Source<readonly PartitionLagSample[]>[] = [];

  constructor(serviceName = 'service') {
    this.registry.setDefaultLabels({ service: serviceName });
    collectDefaultMetrics({ register: this.registry });
    const outboxSources = this.outboxAgeSources;
    const lagSources = this.lagSources;

    new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest event not yet published to Kafka (0 when none)',
      registers: [this.registry],
      async collect() {
        const ages = await Promise.all(outboxSources.map((s) => settle(s)));
        const known = ages.filter((a): a is number => typeof a === 'number');
        if (outboxSources.length) this.set(Math.max(0, ...known));
      },
    });

    new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages behind the partition high watermark, by topic and partition',
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const samples of await Promise.all(lagSources.map((s) => settle(s)))) {
          for (const s of samples ?? []) this.set({ topic: s.topic, partition: String(s.partition) }, s.lag);
        }
      },
    });
  }

  /** Count appended events (e.g. from the event store's append listener). */
  recordEventsAppended(events: readonly { type: string }[]): void {
    for (const e of events) this.eventsAppended.inc({ type: e.type });
  }

  recordDeadLetter(topic: string, count = 1): void {
    this.dlqMessages.inc({ topic }, count);
  }

  /** Seconds since the oldest unpublished event was recorded, or null when the outbox is empty. */
  onOutboxOldestUnpublishedAge(source: Source<number | null | undefined>): void {
    this.outboxAgeSources.push(source);
  }

  /** Current lag per partition, e.g. from an IdempotentConsumer's metrics. Several sources add up. */
  onKafkaConsumerLag(source: Source<readonly PartitionLagSample[]>): void {
    this.lagSources.push(source);
  }

  /** A service-specific counter (get-or-create, so modules may ask twice). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (
      (this.registry.getSingleMetric(name) as Counter<L>) ??
      new Counter({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return (
      (this.registry.getSingleMetric(name) as Gauge<L>) ??
      new Gauge({ name, help, labelNames, registers: [this.registry], ...(collect && { collect }) })
    );
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: number[],
  ): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L>) ??
      new Histogram({ name, help, labelNames, registers: [this.registry], ...(buckets && { buckets }) })
    );
  }

  /** Prometheus text exposition. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** A failing source must not break the scrape: it simply reports nothing. */
async function settle<T>(source: Source<T>): Promise<T | undefined> {
  try {
    return await source();
  } catch {
    return undefined;
  }
}
