/**
 * An append-only event store on MongoDB (and FerretDB v1) without multi-document transactions, in which every
 * hot path touches the large collections only by insert or by exact `_id` (docs/adr/0010):
 * - one document per event, `_id` = `<streamId>.<version>`: the insert claims the version, so of several racing
 *   writers exactly one wins and the others get a ConcurrencyError; a stream is read by walking its keys;
 * - a global `position` from a counter document ($inc), ascending in allocation order, with gaps where an
 *   allocation was not used (a lost race, a crash); each position gets a log entry (`<collection>_log`, `_id` =
 *   the position) before its event is inserted, so the outbox reads positions by key;
 * - group commit: the appends of one process that arrive while a write is in flight go together, one counter
 *   increment, one insert of their log entries and one of their events;
 * - a per-stream hash chain over the canonical JSON of each envelope;
 * - insert-only: the outbox (`store.outbox`, ./outbox.ts), which the relay in libs/messaging reads, is fed in
 *   process by the appends and keeps its checkpoints in a side collection.
 * Appends and reads are here; the audit (verify, export) reads the stored events through `readStored`
 * (./audit.ts). See docs/adr/0003-ordering-and-delivery.md and docs/adr/0010-flat-cost.md.
 */
import type { Connection, mongo } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import type { EventEnvelope, NewEvent } from '@tracker/contracts';
import { ConcurrencyError, InvalidEventError } from './errors';
import { computeEventHash } from './hash';
import { Outbox, type PositionState } from './outbox';
import {
  assertValidNewEvent,
  assertValidStreamId,
  eventKey,
  fromStored,
  logKey,
  normalizeIsoTime,
  toPlainJson,
  toStored,
  type LogEntry,
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
import { SnapshotStore } from './snapshot-store';
import { Upcasters, type UpcasterDefinition } from './upcasters';
import { isDuplicateKey } from '@tracker/mongo';

export interface EventStoreOptions {
  /** Collection of the events. Default `events`. */
  collection?: string;
  /** Collection of the position counter. Default `counters` (document `_id` = the events collection's name). */
  countersCollection?: string;
  /** Collection of the outbox checkpoints and burned positions. Default `<collection>_outbox`. */
  outboxCollection?: string;
  /** Collection of the log entries (one per position). Default `<collection>_log`. */
  logCollection?: string;
  /** System time for `recordedAt`. Default `() => new Date()`. */
  now?: () => Date;
  upcasters?: Upcasters | readonly UpcasterDefinition[];
  /** How often an `expectedVersion: 'any'` append retries after losing a race. Default 10. */
  anyVersionRetries?: number;
  /** Most events written by one group commit. Default 500. */
  maxCommitEvents?: number;
}

interface CounterDoc {
  _id: string;
  seq: number;
}

interface LayoutDoc {
  _id: string;
  layout: number;
}

interface StreamHead {
  version: number;
  hash: string | null;
  position: number;
}

/** The storage layout this code reads and writes (1: `_id` = event id, before ADR 0010; 2: keyed). */
const LAYOUT = 2;
/** The server dropped an idle cursor (10 minutes without a getMore on MongoDB). */
const CURSOR_NOT_FOUND = 43;
/** Retries of an append after position collisions (only possible where $inc is not atomic, i.e. FerretDB v1). */
const MAX_POSITION_ATTEMPTS = 50;
const MAX_CACHED_HEADS = 10_000;
/** Keys read at once while walking a stream (the window doubles up to this). */
const MAX_READ_WINDOW = 32;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The indexes (into the documents of one insertMany) that a unique index refused; rethrows any other error. */
function refusedIndexes(err: unknown): Set<number> {
  const e = err as { writeErrors?: unknown; code?: number; index?: number };
  const writeErrors = e?.writeErrors;
  const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as Array<{ index?: number; code?: number; err?: { code?: number; index?: number } }>;
  if (list.length === 0) {
    if (isDuplicateKey(err) && typeof e.index === 'number') return new Set([e.index]);
    throw err;
  }
  const refused = new Set<number>();
  for (const w of list) {
    const code = w.code ?? w.err?.code;
    const index = w.index ?? w.err?.index;
    if (code !== 11000 || typeof index !== 'number') throw err;
    refused.add(index);
  }
  return refused;
}

/** Inserts unordered; returns the indexes refused as duplicates (any other error is thrown). */
async function insertAll<T extends mongo.Document>(collection: mongo.Collection<T>, docs: T[]): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
  try {
    await collection.insertMany(docs as mongo.OptionalUnlessRequiredId<T>[], { ordered: false });
    return new Set();
  } catch (err) {
    if (docs.length === 1 && isDuplicateKey(err)) return new Set([0]);
    return refusedIndexes(err);
  }
}

/** How many documents an ordered insertMany stored before a duplicate key stopped it (others are thrown). */
async function insertInOrder<T extends mongo.Document>(collection: mongo.Collection<T>, docs: T[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    await collection.insertMany(docs as mongo.OptionalUnlessRequiredId<T>[], { ordered: true });
    return docs.length;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const refused = docs.length === 1 ? new Set([0]) : refusedIndexes(err);
    return Math.min(...refused);
  }
}

/** One append waiting for (or in) a group commit. */
interface CommitJob {
  streamId: string;
  head: StreamHead | null;
  events: PreparedEvent[];
  options: AppendOptions;
  resolve: (outcome: JobOutcome) => void;
  reject: (err: unknown) => void;
}

interface PreparedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
  occurredAt: string | undefined;
}

type CommitOutcome =
  /** `stored` is a prefix of the job's events (all of them unless another writer took a version first). */
  | { kind: 'stored'; stored: EventEnvelope[]; conflict: boolean }
  /** A position of the job was taken (a non-atomic counter): nothing stored, allocate again. */
  | { kind: 'position-taken' }
  /** The database failed while writing the job's later events: some may be stored. */
  | { kind: 'failed'; error: unknown };

/** What an append learns of its commit (a failed one rejects instead). */
type JobOutcome = Exclude<CommitOutcome, { kind: 'failed' }>;

export class EventStore {
  readonly collectionName: string;
  readonly upcasters: Upcasters;
  private readonly countersName: string;
  private readonly logName: string;
  private readonly now: () => Date;
  private readonly anyVersionRetries: number;
  private readonly maxCommitEvents: number;
  private readonly listeners = new Set<AppendListener>();
  private readonly queue: CommitJob[] = [];
  private committing = false;
  /** The relay's view of this store: what to publish next, checkpoints, wake-ups (./outbox.ts). */
  readonly outbox: Outbox;
  /**
   * Heads of streams this instance wrote or read whole, so an append need not look the head up. Safe when stale:
   * a head that another instance moved on makes the insert hit the `_id` (the version is taken), never a gap or a
   * lost update.
   */
  private readonly heads = new Map<string, StreamHead>();

  constructor(
    private readonly connection: Connection,
    options: EventStoreOptions = {},
  ) {
    this.collectionName = options.collection ?? 'events';
    this.countersName = options.countersCollection ?? 'counters';
    this.logName = options.logCollection ?? `${this.collectionName}_log`;
    this.now = options.now ?? (() => new Date());
    this.anyVersionRetries = options.anyVersionRetries ?? 10;
    this.maxCommitEvents = Math.max(1, options.maxCommitEvents ?? 500);
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

  /** The raw events collection. For tests and tools; services go through the methods. */
  get collection(): mongo.Collection<StoredEvent> {
    return this.connection.collection<StoredEvent>(this.collectionName);
  }

  /** Snapshots of this store's streams, in `<collection>_snapshots` (a cache: ./snapshot-store.ts). */
  snapshots(): SnapshotStore {
    return new SnapshotStore(this.connection, { collection: `${this.collectionName}_snapshots`, now: this.now });
  }

  /** The log entries, one per handed-out position. For the outbox and tests. */
  get log(): mongo.Collection<LogEntry> {
    return this.connection.collection<LogEntry>(this.logName);
  }

  private get counters(): mongo.Collection<CounterDoc> {
    return this.connection.collection<CounterDoc>(this.countersName);
  }

  private get layouts(): mongo.Collection<LayoutDoc> {
    return this.connection.collection<LayoutDoc>(this.countersName);
  }

  /**
   * Creates the indexes, moves events stored in the layout before ADR 0010 into the keyed one (once), and lifts
   * the position counter above every logged position. Idempotent. Reads no whole collection on the way (a
   * service over any number of events starts in the same time), except for that one-time move.
   */
  async init(): Promise<void> {
    const c = this.collection;
    const layoutId = `${this.collectionName}:layout`;
    const layout = await this.layouts.findOne({ _id: layoutId });
    if (!layout) {
      const any = await c.find({}, { projection: { eventId: 1 } }).limit(1).next();
      if (any && typeof any.eventId !== 'string') await this.moveToKeyedLayout();
      await this.layouts.updateOne({ _id: layoutId }, { $set: { layout: LAYOUT } }, { upsert: true }).catch((err) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
    // Not unique: the `_id` is the claim. These serve MongoDB's queries that read many events (audit, replay).
    await c.createIndex({ streamId: 1, streamVersion: 1 }, { name: 'stream_version' });
    await c.createIndex({ position: 1 }, { name: 'position' });
    await c.createIndex({ agreementId: 1, position: 1 }, { name: 'agreement_position' });
    await c.createIndex({ type: 1, position: 1 }, { name: 'type_position' });
    // If the counter document was lost or behind, never hand out a logged position again.
    const seq = await this.highestPosition();
    const floor = await this.highestLoggedFrom(seq);
    if (floor > seq || seq === 0) {
      try {
        await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: floor } }, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: floor } });
      }
    }
  }

  /**
   * The highest logged position at or above `from` (or `from` itself), found by probing keys upward in growing
   * steps and then halving: O(log n) lookups. Entries are contiguous but for rare gaps (a crash between
   * allocation and log insert), so a gap can hide entries beyond it: probing a little past a miss covers the
   * gaps a crash leaves (the positions of one group commit at most).
   */
  private async highestLoggedFrom(from: number): Promise<number> {
    const exists = async (p: number) => p <= 0 || (await this.log.findOne({ _id: logKey(p) }, { projection: { _id: 1 } })) !== null;
    let found = from;
    for (;;) {
      // Look past a gap: the next few positions, then every maxCommitEvents up to one commit's width.
      let next: number | undefined;
      for (const probe of [1, 2, 3, this.maxCommitEvents, this.maxCommitEvents * 2]) {
        if (await exists(found + probe)) {
          next = found + probe;
          break;
        }
      }
      if (next === undefined) return found;
      let lo = next;
      let step = 1;
      while (await exists(lo + step)) {
        lo += step;
        step *= 2;
      }
      let hi = lo + step; // missing
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (await exists(mid)) lo = mid;
        else hi = mid;
      }
      found = lo;
    }
  }

  /**
   * The one-time move of events stored with `_id` = event id (before ADR 0010) to keyed documents and log
   * entries, in position order. Resumable: each event is copied, logged, then its old document deleted.
   */
  private async moveToKeyedLayout(): Promise<void> {
    const c = this.collection;
    // The old unique indexes would refuse the keyed copy of a document still there.
    for (const name of ['stream_version_unique', 'position_unique']) await c.dropIndex(name).catch(() => undefined);
    const legacy = await c.find({ eventId: { $exists: false } }).sort({ position: 1 }).toArray();
    for (const doc of legacy) {
      const envelope = fromStored(doc);
      const entry: LogEntry = {
        _id: logKey(envelope.position),
        streamId: envelope.streamId,
        streamVersion: envelope.streamVersion,
        eventId: envelope.eventId,
        at: doc.recordedAt,
      };
      await this.log.insertOne(entry).catch((err) => {
        if (!isDuplicateKey(err)) throw err;
      });
      await c.insertOne(toStored(envelope)).catch((err) => {
        if (!isDuplicateKey(err)) throw err;
      });
      await c.deleteOne({ _id: doc._id });
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

  private async eventAt(streamId: string, version: number): Promise<StoredEvent | null> {
    return this.collection.findOne({ _id: eventKey(streamId, version) });
  }

  /**
   * The stream's last event, by key: versions 1, 2, 4, 8… until one is missing, then halving between the last
   * found and the first missing (a stream has no holes: version n+1 is written only after n). O(log n) lookups.
   */
  private async head(streamId: string): Promise<StreamHead | null> {
    let last = await this.eventAt(streamId, 1);
    if (!last) return null;
    let step = 1;
    let missing: number | undefined;
    while (missing === undefined) {
      const probe = await this.eventAt(streamId, last.streamVersion + step);
      if (probe) {
        last = probe;
        step *= 2;
      } else {
        missing = last.streamVersion + step;
      }
    }
    while (missing - last.streamVersion > 1) {
      const mid = Math.floor((last.streamVersion + missing) / 2);
      const probe = await this.eventAt(streamId, mid);
      if (probe) last = probe;
      else missing = mid;
    }
    return { version: last.streamVersion, hash: last.hash, position: last.position };
  }

  /**
   * Reserves `n` consecutive global positions above `floor`; returns the first. Only the group commit calls it,
   * one commit at a time, so one process never races itself on the counter (FerretDB v1 applies updates as
   * read-modify-write without isolation: concurrent increments there can be lost and hand out a number twice).
   * Across processes on such a database, uniqueness is still enforced by the log entry's `_id` (the commit sees
   * the position taken and allocates again), and per-stream order by `floor`, which lifts the counter past the
   * streams' last positions.
   */
  private async allocatePositions(n: number, floor: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const last = await this.incrementCounter(n);
      const first = last - n + 1;
      if (first > floor) return first;
      await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: floor } });
      if (attempt >= MAX_POSITION_ATTEMPTS) throw new Error(`could not allocate ${n} positions in ${this.collectionName}`);
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
    const prepared: PreparedEvent[] = events.map((e, i) => ({
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: toPlainJson(e.data, `event ${i} (${e.type}) data`),
      occurredAt: e.occurredAt === undefined ? undefined : normalizeIsoTime(e.occurredAt, new Date(0), `event ${i} (${e.type}) occurredAt`),
    }));

    // What the stream's version must be before the next insert: the caller's expectation, then (after part of
    // the batch was stored) the version our own stored events reached.
    const expected: ExpectedVersion = expectedVersion === 'none' ? 0 : expectedVersion;
    let pending = prepared;
    const appended: EventEnvelope[] = [];
    let conflicts = 0;
    for (let attempt = 0; ; attempt++) {
      const cached = attempt === 0 ? this.heads.get(streamId) : undefined;
      // A new stream needs no lookup: if it exists after all, version 1's `_id` is taken.
      const assumeNew: boolean = attempt === 0 && !cached && expected === 0;
      let head: StreamHead | null = cached ?? (assumeNew ? null : await this.head(streamId));
      if (cached && typeof expected === 'number' && cached.version !== expected) head = await this.head(streamId);
      const current: number = head?.version ?? 0;
      if (typeof expected === 'number' && current !== expected) {
        throw new ConcurrencyError(streamId, expectedVersion, current, appended.length);
      }

      const outcome = await this.commit({ streamId, head, events: pending, options });
      if (outcome.kind === 'position-taken') {
        if (attempt >= MAX_POSITION_ATTEMPTS) throw new Error(`could not allocate positions in ${this.collectionName}`);
        // Another process holds that position: the counter lost an update (FerretDB v1 across processes) and may
        // even have moved back. Lift it above every logged position before allocating again.
        const seq = await this.highestPosition();
        await this.counters.updateOne({ _id: this.collectionName }, { $max: { seq: await this.highestLoggedFrom(seq) } });
        continue;
      }
      appended.push(...outcome.stored);
      if (!outcome.conflict) return appended;
      pending = pending.slice(outcome.stored.length);
      // Another writer holds the version we wanted.
      if (expectedVersion === 'any' && conflicts++ < this.anyVersionRetries) {
        await sleep(Math.random() * 5 * conflicts);
        continue;
      }
      throw new ConcurrencyError(streamId, expectedVersion, await this.streamVersion(streamId), appended.length);
    }
  }

  /** Queues one append for the next group commit. */
  private commit(job: Omit<CommitJob, 'resolve' | 'reject'>): Promise<JobOutcome> {
    return new Promise<JobOutcome>((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      if (!this.committing) void this.drainCommits();
    });
  }

  private async drainCommits(): Promise<void> {
    this.committing = true;
    try {
      while (this.queue.length > 0) {
        // One append per stream in a commit (a second one waits for the first's outcome), up to maxCommitEvents.
        const batch: CommitJob[] = [];
        const streams = new Set<string>();
        let size = 0;
        for (let i = 0; i < this.queue.length; ) {
          const job = this.queue[i];
          if (streams.has(job.streamId) || (batch.length > 0 && size + job.events.length > this.maxCommitEvents)) {
            i++;
            continue;
          }
          this.queue.splice(i, 1);
          // The head it assumed is behind what this process has since written: it cannot win, no need to try.
          const known = this.heads.get(job.streamId);
          if (known && known.version > (job.head?.version ?? 0)) {
            job.resolve({ kind: 'stored', stored: [], conflict: true });
            continue;
          }
          batch.push(job);
          streams.add(job.streamId);
          size += job.events.length;
        }
        if (batch.length === 0) continue;
        try {
          const outcomes = await this.writeBatch(batch);
          batch.forEach((job, i) => {
            const outcome = outcomes[i];
            if (outcome.kind === 'failed') job.reject(outcome.error);
            else job.resolve(outcome);
          });
        } catch (err) {
          for (const job of batch) job.reject(err);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * One group commit: positions for every event (one $inc), their log entries (one insertMany), the first event
   * of every append (one insertMany), then the rest of multi-event appends in order. Per append the outcome is
   * all stored, a prefix stored then a taken version, or a taken position (nothing stored).
   */
  private async writeBatch(batch: readonly CommitJob[]): Promise<CommitOutcome[]> {
    const total = batch.reduce((sum, job) => sum + job.events.length, 0);
    const floor = Math.max(0, ...batch.map((job) => job.head?.position ?? 0));
    let next = await this.allocatePositions(total, floor);
    const recordedAt = this.now();
    const recordedIso = recordedAt.toISOString();
    const planned = batch.map((job) => {
      const current = job.head?.version ?? 0;
      let prevHash = job.head?.hash ?? null;
      const actor = { id: job.options.actor.id, role: job.options.actor.role };
      return job.events.map((e, i) => {
        const unsigned = {
          eventId: uuidv7(),
          type: e.type,
          schemaVersion: e.schemaVersion,
          streamId: job.streamId,
          streamVersion: current + i + 1,
          position: next++,
          agreementId: job.options.agreementId,
          occurredAt: e.occurredAt ?? recordedIso,
          recordedAt: recordedIso,
          actor,
          correlationId: job.options.correlationId,
          causationId: job.options.causationId ?? null,
          data: e.data,
          prevHash,
        };
        const envelope: EventEnvelope = { ...unsigned, hash: computeEventHash(unsigned) };
        prevHash = envelope.hash;
        return envelope;
      });
    });

    // Log entries first: an event is never visible without the entry that lets the relay find it.
    const entries = planned.flat().map((e): LogEntry => ({ _id: logKey(e.position), streamId: e.streamId, streamVersion: e.streamVersion, eventId: e.eventId, at: recordedAt }));
    const takenEntries = await insertAll(this.log, entries);
    const positionTaken = new Set<number>();
    let offset = 0;
    planned.forEach((envelopes, j) => {
      for (let i = 0; i < envelopes.length; i++) if (takenEntries.has(offset + i)) positionTaken.add(j);
      offset += envelopes.length;
    });

    const writing = planned.map((_, j) => j).filter((j) => !positionTaken.has(j));
    const takenFirst = await insertAll(this.collection, writing.map((j) => toStored(planned[j][0])));
    const storedCount = new Map<number, number>();
    // An error here concerns one append only: the others' outcomes stand (their events are stored).
    const failed = new Map<number, unknown>();
    await Promise.all(
      writing.map(async (j, k) => {
        if (takenFirst.has(k)) return storedCount.set(j, 0);
        try {
          storedCount.set(j, 1 + (await insertInOrder(this.collection, planned[j].slice(1).map(toStored))));
        } catch (err) {
          failed.set(j, err);
        }
      }),
    );

    // Positions we logged whose event was never stored: the relay steps over them at once (best effort: else
    // they time out). A refused log entry is someone else's position, not ours to mark.
    const unused: number[] = [];
    offset = 0;
    const outcomes = planned.map((envelopes, j): CommitOutcome => {
      const stored = positionTaken.has(j) ? 0 : (storedCount.get(j) ?? 0);
      // (After a failed insert the outcome is unknown: its positions are left to time out, never marked unused.)
      if (!failed.has(j)) {
        envelopes.forEach((e, i) => {
          if (i >= stored && !takenEntries.has(offset + i)) unused.push(e.position);
        });
      }
      offset += envelopes.length;
      const job = batch[j];
      if (failed.has(j)) {
        this.heads.delete(job.streamId);
        return { kind: 'failed', error: failed.get(j) };
      }
      if (positionTaken.has(j)) return { kind: 'position-taken' };
      const done = envelopes.slice(0, stored);
      if (stored === envelopes.length) {
        const last = done[done.length - 1];
        this.rememberHead(job.streamId, { version: last.streamVersion, hash: last.hash, position: last.position });
      } else {
        this.heads.delete(job.streamId);
      }
      return { kind: 'stored', stored: done, conflict: stored < envelopes.length };
    });
    await this.outbox.recordUnused(unused);
    for (const outcome of outcomes) if (outcome.kind === 'stored') this.notify(outcome.stored);
    return outcomes;
  }

  /**
   * What a position holds, by key: its log entry, then the event it names. For the outbox (./outbox.ts), which
   * asks only for positions its process did not append itself.
   */
  async positionState(position: number): Promise<PositionState> {
    const entry = await this.log.findOne({ _id: logKey(position) });
    if (!entry) return { kind: 'unknown' };
    const event = await this.eventAt(entry.streamId, entry.streamVersion);
    if (!event) return { kind: 'pending', since: entry.at };
    if (event.position !== position) return { kind: 'unused' };
    return { kind: 'event', event };
  }

  /** Events of one stream, upcast to the newest schema versions. A stream that does not exist reads as []. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<EventEnvelope[]> {
    const docs = await this.storedStream(streamId, options);
    const last = docs[docs.length - 1];
    if (options.direction !== 'backward' && options.to === undefined && options.limit === undefined && last) {
      this.rememberHead(streamId, { version: last.streamVersion, hash: last.hash, position: last.position });
    }
    return docs.map((d) => this.upcasters.upcast(fromStored(d)));
  }

  /**
   * A stream's stored documents in the asked range, by key: windows of lookups that double in size (1, 2, 4…
   * up to 32) until a version is missing, so a short stream costs few lookups and a long one few round trips.
   */
  private async storedStream(streamId: string, options: ReadStreamOptions): Promise<StoredEvent[]> {
    if (options.limit !== undefined && options.limit <= 0) return [];
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const out: StoredEvent[] = [];
    if (options.direction === 'backward') {
      const top = options.from ?? (await this.head(streamId))?.version ?? 0;
      const bottom = Math.max(1, options.to ?? 1);
      for (let v = top; v >= bottom && out.length < limit; ) {
        const count = Math.min(MAX_READ_WINDOW, v - bottom + 1, limit - out.length);
        const docs = await Promise.all(Array.from({ length: count }, (_, i) => this.eventAt(streamId, v - i)));
        for (const doc of docs) {
          if (!doc) return out;
          out.push(doc);
        }
        v -= count;
      }
      return out;
    }
    const to = options.to ?? Number.POSITIVE_INFINITY;
    let window = 1;
    for (let v = Math.max(1, options.from ?? 1); v <= to && out.length < limit; ) {
      const count = Math.min(window, to - v + 1, limit - out.length);
      const docs = await Promise.all(Array.from({ length: count }, (_, i) => this.eventAt(streamId, v + i)));
      for (const doc of docs) {
        if (!doc) return out;
        out.push(doc);
      }
      v += count;
      window = Math.min(MAX_READ_WINDOW, window * 2);
    }
    return out;
  }

  /**
   * Every event in position order (optionally of some types or one agreement), upcast. One cursor read
   * `batchSize` at a time, so memory stays bounded whatever the size of the log. A whole read (a replay, an
   * export): on FerretDB it is one scan of the collection, which a read of everything costs anyway.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<EventEnvelope, void, undefined> {
    const filter: mongo.Filter<StoredEvent> = {};
    if (options.types) filter.type = { $in: [...options.types] };
    if (options.agreementId !== undefined) filter.agreementId = options.agreementId;
    for await (const doc of this.storedInPositionOrder(filter, options)) yield this.upcasters.upcast(fromStored(doc));
  }

  /**
   * Events at the given positions (e.g. gaps seen in an earlier read, which an append in flight may fill later),
   * upcast, in position order, by key. Positions never used are simply absent.
   */
  async readPositions(positions: readonly number[]): Promise<EventEnvelope[]> {
    const out: EventEnvelope[] = [];
    for (const position of positions) {
      const state = await this.positionState(position);
      if (state.kind === 'event') out.push(this.upcasters.upcast(fromStored(state.event)));
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
   * A query on the stored fields, not a walk of keys: a walk would stop at a deleted event and miss the gap the
   * audit must report (an audit reads everything it checks anyway).
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
