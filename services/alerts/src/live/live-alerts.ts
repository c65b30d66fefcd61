/**
 * The live stream of new alerts (Server-Sent Events), per subscription. Every instance reads `alerts.events`
 * with a consumer group of its own (so each instance sees every alert, whichever instance raised it), started by
 * the first stream opened on it at the topic's end offsets of that moment, and fans `alert.raised` out to the
 * streams open on it that the subscription's filters match. A reconnecting client (Last-Event-ID) is caught up
 * from the `alerts` collection by the stream itself (live-stream.ts); the few alerts this instance received just
 * before that client listened are kept here (`recent`) so that one whose document was not written yet when the
 * stream read the collection is not lost at the seam.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type AlertEventData, type EventEnvelope } from '@tracker/contracts';
import { decodeMessage, retryRetriable, topicOffsets } from '@tracker/messaging';
import { KAFKA } from '@tracker/service-runtime';
import { matchesSubscription, type SubscriptionFilters } from '@tracker/alerts-domain';
import { AlertsConfig } from '../config';
import type { AgreementReads } from '../read-model/agreement-info';
import { SubscriptionMatcher } from './subscription-matcher';

export type RaisedEvent = EventEnvelope<'alert.raised', AlertEventData['alert.raised']>;
/** `reads`: the event's agreement as read for the filters, for the listener's payload (one read per event). */
export type LiveListener = (event: RaisedEvent, reads: AgreementReads) => void;

/** How many of the latest raised alerts, and for how long, an instance keeps for the seam (see above). */
const RECENT_MAX = 1000;
const RECENT_MS = 10 * 60_000;

@Injectable()
export class LiveAlerts implements OnApplicationShutdown {
  private consumer?: Consumer;
  private readonly listeners = new Set<{ filters: SubscriptionFilters; send: LiveListener }>();
  private started?: Promise<void>;
  private readonly latest: Array<{ at: number; event: RaisedEvent }> = [];

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: AlertsConfig,
    private readonly matcher: SubscriptionMatcher,
  ) {}

  /**
   * Starts the instance's consumer on the first stream (an instance nobody streams from reads nothing) and
   * resolves once it reads from the offsets the topic had then. A failed start is tried again by the next stream.
   */
  ready(): Promise<void> {
    this.started ??= this.start().catch(async (err: unknown) => {
      this.started = undefined;
      await this.consumer?.disconnect().catch(() => undefined);
      this.consumer = undefined;
      throw err;
    });
    return this.started;
  }

  private async start(): Promise<void> {
    const prefix = this.config.KAFKA_TOPIC_PREFIX ?? '';
    const topic = `${prefix}${Topics.alerts}`;
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await topicOffsets(admin, topic).finally(() => admin.disconnect());
    const consumer = this.kafka.consumer({ groupId: `${prefix}alerts.live.${uuidv7()}`, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: false }));
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const decoded = decodeMessage(message);
        if (!decoded.ok || decoded.envelope.type !== 'alert.raised') return;
        const event = decoded.envelope as RaisedEvent;
        this.remember(event);
        if (this.listeners.size > 0) await this.fanOut(event);
      },
    });
    for (const { partition, offset } of ends) consumer.seek({ topic, partition, offset });
    await joined;
  }

  private remember(event: RaisedEvent): void {
    const now = Date.now();
    this.latest.push({ at: now, event });
    while (this.latest.length > RECENT_MAX || (this.latest.length > 0 && this.latest[0].at < now - RECENT_MS)) this.latest.shift();
  }

  /** The raised alerts this instance received in the last minutes (oldest first), whoever listened. */
  recent(): RaisedEvent[] {
    return this.latest.map((r) => r.event);
  }

  private async fanOut(event: RaisedEvent): Promise<void> {
    const reads = this.matcher.reads();
    const agreement = await this.matcher.agreementOf(event.data.agreementId, reads);
    for (const l of this.listeners) {
      if (matchesSubscription(l.filters, event.data, agreement)) l.send(event, reads);
    }
  }

  /** Registers a stream; returns the function that ends it. */
  listen(filters: SubscriptionFilters, send: LiveListener): () => void {
    const entry = { filters, send };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Leaves the group (after a join in progress: kafkajs does not take a disconnect in the middle of one well). */
  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    this.latest.length = 0;
    await this.started?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
