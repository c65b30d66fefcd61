/**
 * Which events a consumer group has processed: one document per (group, event), `_id` = `<groupId>:<eventId>`,
 * so the unique _id index makes recording idempotent. A consumer skips events found here. Records can be swept
 * after a retention longer than any redelivery window (Kafka retention, relay outage); there is no TTL index on
 * FerretDB, so sweeping is a periodic call.
 */
import type { Connection, mongo } from 'mongoose';
import { onlyDuplicateKeys } from '@tracker/mongo';

export interface ProcessedRecord {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

interface ProcessedDoc extends ProcessedRecord {
  _id: string;
  groupId: string;
  processedAt: Date;
}

export interface ProcessedStoreOptions {
  /** Default `processed_events`. */
  collection?: string;
  now?: () => Date;
}

const idOf = (groupId: string, eventId: string) => `${groupId}:${eventId}`;


export class ProcessedStore {
  readonly collectionName: string;
  private readonly now: () => Date;

  constructor(
    readonly connection: Connection,
    options: ProcessedStoreOptions = {},
  ) {
    this.collectionName = options.collection ?? 'processed_events';
    this.now = options.now ?? (() => new Date());
  }

  private get collection(): mongo.Collection<ProcessedDoc> {
    return this.connection.collection<ProcessedDoc>(this.collectionName);
  }

  async init(): Promise<void> {
    await this.collection.createIndex({ processedAt: 1 }, { name: 'processed_at' });
  }

  // Lookups by exact _id only: FerretDB v1 answers `{_id: x}` from its index, while `countDocuments` and
  // `{_id: {$in: [...]}}` read the whole collection, which grows with every event processed.
  async has(groupId: string, eventId: string): Promise<boolean> {
    return (await this.collection.findOne({ _id: idOf(groupId, eventId) }, { projection: { _id: 1 } })) !== null;
  }

  /** The subset of `eventIds` already processed by the group (one `_id` lookup each, a few at a time). */
  async processedAmong(groupId: string, eventIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += 16) {
      const slice = unique.slice(i, i + 16);
      const docs = await Promise.all(slice.map((e) => this.collection.findOne({ _id: idOf(groupId, e) }, { projection: { _id: 1 } })));
      docs.forEach((d, j) => d && found.add(slice[j]));
    }
    return found;
  }

  /** Records events as processed; already recorded ones are left as they are. */
  async record(groupId: string, records: readonly ProcessedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const processedAt = this.now();
    const docs = records.map((r) => ({
      _id: idOf(groupId, r.eventId),
      groupId,
      eventId: r.eventId,
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      processedAt,
    }));
    try {
      await this.collection.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
  }

  /** Deletes records processed before `before`. Returns how many. */
  async sweep(before: Date): Promise<number> {
    return (await this.collection.deleteMany({ processedAt: { $lt: before } })).deletedCount;
  }
}
