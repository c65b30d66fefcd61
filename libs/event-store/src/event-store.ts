/**
 * An append-only event store on MongoDB (and FerretDB v1) without multi-document transactions:
 * - one document per event; the unique index (streamId, streamVersion) lets exactly one of several racing writers
 *   take a version, the others get a ConcurrencyError;
 * - a global `position` from a counter document ($inc), ascending in allocation order, with gaps where an
 *   allocation was not used (a lost race, a crash);
 * - a per-stream hash chain over the canonical JSON of each envelope;
 * - insert-only: the outbox (`store.outbox`, ./outbox.ts), which the relay in libs/messaging reads, keeps its
 *   checkpoints in a side collection.
 * Appends and reads are here; the audit (verify, export) reads the stored events through `readStored`
 * (./audit.ts). See docs/adr/0003-ordering-and-delivery.md.
 */
import type { Connection, mongo } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import type { EventEnvelope, NewEvent } from '@tracker/contracts';
import { ConcurrencyError, InvalidEventError } from './errors';
import { computeEventHash } from './hash';
import { Outbox } from './outbox';
import {
  assertValidNewEvent,
  assertValidStreamId,
  fromStored,
  normalizeIsoTime,
  toPlainJson,
  toStored,
  type StoredEvent,
} from './stored-event';
import type {
  AppendListener,
  AppendOptions,
  ExpectedVersion,
  ReadAllOptions,
  ReadStoredOptions,
  ReadStreamOptions,
} from './types';
import { Upcasters, type UpcasterDefinition } from './upcasters';
import { isDuplicateKey } from '@tracker/mongo';

export interface EventStoreOptions {
  /** Collection of the events. Default `events`. */
  collection?: string;
  /** Collection of the position counter. Default `counters` (document `_id` = the events collection's name). */
  countersCollection?: string;
  /** Collection of the outbox checkpoints and burned positions. Default `<collection>_outbox`. */
  outboxCollection?: string;
  /** System time for `recordedAt`. Default `() => new Date()`. */
  now?: () => Date;
  upcasters?: Upcasters | readonly UpcasterDefinition[];
  /** How often an `expectedVersion: 'any'` append retries after losing a race. Default 10. */
  anyVersionRetries?: number;
}

interface CounterDoc {
  _id: string;
  seq: number;
}

interface StreamHead {
  version: number;
  hash: string | null;
  position: number;
}

/** The server dropped an idle cursor (10 minutes without a getMore on MongoDB). */
const CURSOR_NOT_FOUND = 43;
/** Retries of an append after position collisions (only possible where $inc is not atomic, i.e. FerretDB v1). */
const MAX_POSITION_ATTEMPTS = 50;
const MAX_CACHED_HEADS = 10_000;

/** How many documents an ordered insertMany stored before it failed. */
function insertedBeforeError(err: unknown): number {
  const e = err as { insertedCount?: number; result?: { insertedCount?: number }; writeErrors?: unknown };
  if (typeof e?.insertedCount === 'number') return e.insertedCount;
  if (typeof e?.result?.insertedCount === 'number') return e.result.insertedCount;
  const writeErrors = e?.writeErrors;
  const first = (Array.isArray(writeErrors) ? writeErrors[0] : writeErrors) as { index?: number } | undefined;
  return typeof first?.index === 'number' ? first.index : 0;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EventStore {
  readonly collectionName: string;
  readonly upcasters: Upcasters;
  private readonly countersName: string;
  private readonly now: () => Date;
  private readonly anyVersionRetries: number;
  private readonly listeners = new Set<AppendListener>();
  private readonly reservations: Array<{ n: number; resolve: (first: number) => void; reject: (err: unknown) => void }> = [];
  private reserving = false;
  /** The relay's view of this store: what to publish next, checkpoints, wake-ups (./outbox.ts). */
  readonly outbox: Outbox;
  /**
   * Heads of streams this instance wrote or read whole, so an append need not look the head up (on FerretDB a
   * lookup scans the collection). Safe when stale: a head that another instance moved on makes the insert hit
   * the unique index (or the version check re-reads), never a gap or a lost update.
   */
  private readonly heads = new Map<string, StreamHead>();

  constructor(
    private readonly connection: Connection,
    options: EventStoreOptions = {},
  ) {
    this.collectionName = options.collection ?? 'events';
    this.countersName = options.countersCollection ?? 'counters';
    this.now = options.now ?? (() => new Date());
    this.anyVersionRetries = options.anyVersionRetries ?? 10;
    this.upcasters =
      options.upcasters instanceof Upcasters ? options.upcasters : new Upcasters(options.upcasters ?? []);
    this.outbox = new Outbox(this, connection, {
      collection: options.outboxCollection ?? `${this.collectionName}_outbox`,
      now: this.now,
    });
  }

  /**
   * The highest position handed out so far (0 for an empty store); a lower one may still be in flight. No event has
   * a higher one, except on a database that does not isolate the counter's update (FerretDB v1) with several
   * processes appending: there, until the next append lifts the counter (ADR 0002). One lookup by `_id`.
   */
  async highestPosition(): Promise<number> {
    return (await this.counters.findOne({ _id: this.collectionName }))?.seq ?? 0;
  }

  /** The raw events collection. For the outbox (./outbox.ts) and tests; services go through the methods. */
  get collection(): mongo.Collection<StoredEvent> {
    return this.connection.collection<StoredEvent>(this.collectionName);
  }

  private get counters(): mongo.Collection<CounterDoc> {
    return this.connection.collection<CounterDoc>(this.countersName);
  }

  /** Creates the indexes and lifts the position counter above any stored position. Idempotent. */
  async init(): Promise<void> {
    const c = this.collection;
    await c.createIndex({ streamId: 1, streamVersion: 1 }, { unique: true, name: 'stream_version_unique' });
    await c.createIndex({ position: 1 }, { unique: true, name: 'position_unique' });
    await c.createIndex({ agreementId: 1, position: 1 }, { name: 'agreement_position' });
    await c.createIndex({ type: 1, position: 1 }, { name: 'type_position' });
    // If the counter document was lost or the events were copied in, never hand out a used position again.
    const last = await c.find({}, { projection: { position: 1 } }).sort({ position: -1 }).limit(1).next();
    const floor = last?.position ?? 0;
    try {
      await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: floor } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: floor } });
    }
  }

  /** Called after every successful append, in process: lets the outbox relay wake at once. Returns unsubscribe. */
  onAppended(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A listener must never turn a stored append into a failure.
      }
    }
  }

  /** The stream's current version (0 = no such stream). */
  async streamVersion(streamId: string): Promise<number> {
    return (await this.head(streamId))?.version ?? 0;
  }

  private rememberHead(streamId: string, head: StreamHead): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > MAX_CACHED_HEADS) this.heads.delete(this.heads.keys().next().value as string);
  }

  private async head(streamId: string): Promise<StreamHead | null> {
    const doc = await this.collection
      .find({ streamId }, { projection: { streamVersion: 1, hash: 1, position: 1 } })
      .sort({ streamVersion: -1 })
      .limit(1)
      .next();
    return doc ? { version: doc.streamVersion, hash: doc.hash, position: doc.position } : null;
  }

  /**
   * Reserves `n` consecutive global positions above `floor` (the stream's last position); returns the first.
   * Requests made while an increment is in flight are coalesced into the next single $inc, so one process never
   * races itself on the counter (FerretDB v1 applies updates as read-modify-write without isolation: concurrent
   * increments there can be lost and hand out a number twice). Across processes on such a database, uniqueness
   * is still enforced by the unique position index (the insert fails and is retried), and per-stream order by
   * `floor`, which lifts the counter past the stream's last position.
   */
  private async allocatePositions(n: number, floor: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const first = await this.reserve(n);
      if (first > floor) return first;
      await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: floor } });
      if (attempt >= MAX_POSITION_ATTEMPTS) throw new Error(`could not allocate ${n} positions in ${this.collectionName}`);
    }
  }

  private reserve(n: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.reservations.push({ n, resolve, reject });
      if (!this.reserving) void this.drainReservations();
    });
  }

  private async drainReservations(): Promise<void> {
    this.reserving = true;
    try {
      while (this.reservations.length > 0) {
        const batch = this.reservations.splice(0);
        const total = batch.reduce((sum, r) => sum + r.n, 0);
        try {
          const last = await this.incrementCounter(total);
          let next = last - total + 1;
          for (const r of batch) {
            r.resolve(next);
            next += r.n;
          }
        } catch (err) {
          for (const r of batch) r.reject(err);
        }
      }
    } finally {
      this.reserving = false;
    }
  }

  private async incrementCounter(n: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.counters.findOneAndUpdate(
          { _id: this.collectionName },
          { $inc: { seq: n } },
          { upsert: true, returnDocument: 'after' },
        );
        if (!doc) throw new Error('position counter update returned nothing');
        return doc.seq;
      } catch (err) {
        // Two first-ever upserts can race for the counter document: the loser retries as an update.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  }

  /** After a collision on a position (only with a non-atomic counter): lift the counter above every stored one. */
  private async liftCounter(): Promise<void> {
    const last = await this.collection.find({}, { projection: { position: 1 } }).sort({ position: -1 }).limit(1).next();
    if (last) await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: last.position } });
  }

  /**
   * Appends events to a stream if it is at the expected version. Each event is one document; see the class
   * comment for the guarantees. Returns the stored envelopes (stored schema versions, not upcast).
   */
  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<EventEnvelope[]> {
    assertValidStreamId(streamId);
    const { expectedVersion } = options;
    if (!(expectedVersion === 'any' || expectedVersion === 'none' || (Number.isInteger(expectedVersion) && expectedVersion >= 0))) {
      throw new InvalidEventError(`invalid expectedVersion ${String(expectedVersion)}`);
    }
    if (typeof options.agreementId !== 'string' || options.agreementId.length === 0) {
      throw new InvalidEventError('agreementId is required (it is the Kafka key)');
    }
    if (typeof options.correlationId !== 'string' || options.correlationId.length === 0) {
      throw new InvalidEventError('correlationId is required');
    }
    if (!options.actor || typeof options.actor.id !== 'string' || typeof options.actor.role !== 'string') {
      throw new InvalidEventError('actor {id, role} is required');
    }
    if (events.length === 0) return [];
    events.forEach(assertValidNewEvent);
    const prepared = events.map((e, i) => ({
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: toPlainJson(e.data, `event ${i} (${e.type}) data`),
      occurredAt: e.occurredAt === undefined ? undefined : normalizeIsoTime(e.occurredAt, new Date(0), `event ${i} (${e.type}) occurredAt`),
    }));
    const actor = { id: options.actor.id, role: options.actor.role };
    const causationId = options.causationId ?? null;

    // What the stream's version must be before the next insert: the caller's expectation, then (after part of
    // the batch was stored) the version our own stored events reached.
    let expected: ExpectedVersion = expectedVersion === 'none' ? 0 : expectedVersion;
    let pending = prepared;
    const appended: EventEnvelope[] = [];
    let conflicts = 0;
    for (let attempt = 0; ; attempt++) {
      const cached = attempt === 0 ? this.heads.get(streamId) : undefined;
      // A new stream needs no lookup: if it exists after all, the unique index refuses version 1.
      const assumeNew: boolean = attempt === 0 && !cached && expected === 0;
      let head: StreamHead | null = cached ?? (assumeNew ? null : await this.head(streamId));
      if (cached && typeof expected === 'number' && cached.version !== expected) head = await this.head(streamId);
      const current: number = head?.version ?? 0;
      if (typeof expected === 'number' && current !== expected) {
        throw new ConcurrencyError(streamId, expectedVersion, current, appended.length);
      }

      const first = await this.allocatePositions(pending.length, head?.position ?? 0);
      const recordedAt = this.now();
      const recordedIso = recordedAt.toISOString();
      let prevHash = head?.hash ?? null;
      const envelopes: EventEnvelope[] = pending.map((e, i) => {
        const unsigned = {
          eventId: uuidv7(),
          type: e.type,
          schemaVersion: e.schemaVersion,
          streamId,
          streamVersion: current + i + 1,
          position: first + i,
          agreementId: options.agreementId,
          occurredAt: e.occurredAt ?? recordedIso,
          recordedAt: recordedIso,
          actor,
          correlationId: options.correlationId,
          causationId,
          data: e.data,
          prevHash,
        };
        const envelope: EventEnvelope = { ...unsigned, hash: computeEventHash(unsigned) };
        prevHash = envelope.hash;
        return envelope;
      });

      try {
        await this.collection.insertMany(envelopes.map(toStored), { ordered: true });
        const last = envelopes[envelopes.length - 1];
        this.rememberHead(streamId, { version: last.streamVersion, hash: last.hash, position: last.position });
        appended.push(...envelopes);
        this.notify(envelopes);
        return appended;
      } catch (err) {
        this.heads.delete(streamId);
        if (!isDuplicateKey(err)) throw err;
        const stored = insertedBeforeError(err);
        // The positions of the events not stored are never used again: let the relay step over them at once.
        // (Not after a collision on the position itself, possible only on FerretDB: someone else's event has it.)
        if (!/position/.test(String((err as Error).message))) {
          await this.outbox.recordBurned({ from: first + stored, to: first + envelopes.length - 1 });
        }
        appended.push(...envelopes.slice(0, stored));
        this.notify(envelopes.slice(0, stored));
        pending = pending.slice(stored);
        const actual = await this.streamVersion(streamId);
        if (actual > current + stored) {
          // Another writer holds the version we wanted.
          if (expectedVersion === 'any' && conflicts++ < this.anyVersionRetries) {
            await sleep(Math.random() * 5 * conflicts);
            continue;
          }
          throw new ConcurrencyError(streamId, expectedVersion, actual, appended.length);
        }
        // The version was free: the collision was on a position (a non-atomic counter, see allocatePositions).
        if (typeof expected === 'number') expected = current + stored;
        if (attempt >= MAX_POSITION_ATTEMPTS) throw err;
        await this.liftCounter();
      }
    }
  }

  /** Events of one stream, upcast to the newest schema versions. A stream that does not exist reads as []. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    const backward = options.direction === 'backward';
    const range: Record<string, number> = {};
    if (backward) {
      if (options.from !== undefined) range.$lte = options.from;
      range.$gte = options.to ?? 1;
    } else {
      range.$gte = options.from ?? 1;
      if (options.to !== undefined) range.$lte = options.to;
    }
    let cursor = this.collection.find({ streamId, streamVersion: range }).sort({ streamVersion: backward ? -1 : 1 });
    if (options.limit !== undefined) {
      if (options.limit <= 0) return [];
      cursor = cursor.limit(options.limit);
    }
    const docs = await cursor.toArray();
    const last = docs[docs.length - 1];
    if (!backward && options.to === undefined && options.limit === undefined && last) {
      this.rememberHead(streamId, { version: last.streamVersion, hash: last.hash, position: last.position });
    }
    return docs.map((d) => this.upcasters.upcast(fromStored(d)));
  }

  /**
   * Every event in position order (optionally of some types or one agreement), upcast. One cursor read
   * `batchSize` at a time, so memory stays bounded whatever the size of the log.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<EventEnvelope, void, undefined> {
    const filter: mongo.Filter<StoredEvent> = {};
    if (options.types) filter.type = { $in: [...options.types] };
    if (options.agreementId !== undefined) filter.agreementId = options.agreementId;
    for await (const doc of this.storedInPositionOrder(filter, options)) yield this.upcasters.upcast(fromStored(doc));
  }

  /**
   * Events at the given positions (e.g. gaps seen in an earlier read, which an append in flight may fill later),
   * upcast, in position order. Positions never used are simply absent.
   */
  async readPositions(positions: readonly number[]): Promise<EventEnvelope[]> {
    const out: EventEnvelope[] = [];
    for (let i = 0; i < positions.length; i += 1000) {
      const docs = await this.collection.find({ position: { $in: positions.slice(i, i + 1000) } }).toArray();
      for (const doc of docs) out.push(this.upcasters.upcast(fromStored(doc)));
    }
    return out.sort((a, b) => a.position - b.position);
  }

  /**
   * Stored documents after `fromPosition`, in position order, through one cursor fetching `batchSize` at a time.
   * One cursor, not a query per page: where the position index is not used (FerretDB v1 scans), every query
   * reads the whole collection, so paging would be quadratic in the log's size. Events appended while the cursor
   * runs may or may not be included (a caller that must see them reads again after its last position, as the
   * replay's catch-up does). A cursor the server timed out (a slow reader) is resumed after the last position read.
   */
  private async *storedInPositionOrder(
    filter: mongo.Filter<StoredEvent>,
    options: { fromPosition?: number; limit?: number; batchSize?: number } = {},
  ): AsyncGenerator<StoredEvent, void, undefined> {
    const batchSize = Math.max(1, options.batchSize ?? 500);
    let after = options.fromPosition ?? 0;
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const cursor = this.collection
        .find({ ...filter, position: { $gt: after } })
        .sort({ position: 1 })
        .batchSize(Math.min(batchSize, remaining));
      if (Number.isFinite(remaining)) cursor.limit(remaining);
      try {
        for await (const doc of cursor) {
          yield doc;
          after = doc.position;
          if (--remaining <= 0) return;
        }
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== CURSOR_NOT_FOUND) throw err;
      } finally {
        await cursor.close();
      }
    }
  }


  /**
   * Events exactly as stored (never upcast: their hashes must match), of one stream, one agreement or all, in
   * position order (default) or by stream and version. What the audit reads (./audit.ts); services read readAll.
   */
  async *readStored(options: ReadStoredOptions = {}): AsyncGenerator<EventEnvelope, void, undefined> {
    const filter: mongo.Filter<StoredEvent> = {};
    if (options.streamId !== undefined) filter.streamId = options.streamId;
    if (options.agreementId !== undefined) filter.agreementId = options.agreementId;
    if (options.order !== 'stream') {
      for await (const doc of this.storedInPositionOrder(filter, { batchSize: options.batchSize })) yield fromStored(doc);
      return;
    }
    const cursor = this.collection
      .find(filter)
      .sort({ streamId: 1, streamVersion: 1 })
      .batchSize(Math.max(1, options.batchSize ?? 500));
    try {
      for await (const doc of cursor) yield fromStored(doc);
    } finally {
      await cursor.close();
    }
  }
}

export type { ExpectedVersion };
