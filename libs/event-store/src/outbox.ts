/**
 * The outbox without a per-event flag: a relay keeps a checkpoint (the highest position it has passed) in a small
 * side collection, and never updates event documents. Why: an update in FerretDB v1 (the local database) costs a
 * scan of the whole collection per document, so marking every event published made the relay O(events²); the
 * events collection is now insert-only, and every write of the outbox goes to a collection of a few documents.
 *
 * Positions are allocated before the insert, so the relay can meet a *gap*: a position that is not (yet) visible.
 * It is either
 *  - burned: an append lost a race after allocating it; the append records `{_id: 'burned:<from>', from, to}`
 *    right away, so the relay steps over it at once;
 *  - in flight: allocated, insert not yet visible; the relay waits (publishes only the contiguous prefix);
 *  - abandoned: the process died between allocation and insert. The relay steps over a gap once the first event
 *    after it was recorded more than `gapTimeoutMs` ago (that event was allocated after the gap, so the gap's
 *    allocation is at least that old), and remembers it for `lateWindowMs`: if an event shows up there after
 *    all (an insert stalled longer than the timeout), it is published on the next turn rather than lost.
 * Per stream order holds: version n+1 is allocated only after version n is visible (the append reads the head
 * first), so a scan that sees n+1 also sees n. See docs/adr/0003-ordering-and-delivery.md.
 *
 * The store builds its outbox and exposes it as `store.outbox`; the relay (libs/messaging) uses nothing else of
 * the store: `nextBatch` → send → `commit`, `oldest` for its lag, `onAppended` to wake on an append in this process.
 */
import type { Connection, mongo } from 'mongoose';
import type { EventEnvelope } from '@tracker/contracts';
import { fromStored, type StoredEvent } from './stored-event';
import type { AppendListener } from './types';

/** What the outbox reads of its event store (an EventStore). */
export interface OutboxSource {
  /** The events collection (read only: the outbox never updates an event). */
  readonly collection: mongo.Collection<StoredEvent>;
  /** The highest position allocated so far: nothing past the checkpoint means nothing to read. */
  highestPosition(): Promise<number>;
  onAppended(listener: AppendListener): () => void;
}

export interface OutboxOptions {
  /** The side collection of checkpoints and burned positions, e.g. `events_outbox`. */
  collection: string;
  now: () => Date;
}

export interface PositionRange {
  from: number;
  to: number;
}

interface SkippedRange extends PositionRange {
  at: Date;
}

export interface CheckpointDoc {
  _id: string;
  /** Every position ≤ this one was published, burned, or skipped as a gap. */
  position: number;
  /** Gaps stepped over by timeout, watched for late events during lateWindowMs. */
  skipped: SkippedRange[];
  updatedAt: Date;
}

interface BurnedDoc {
  _id: string;
  from: number;
  to: number;
  at: Date;
}

export interface OutboxBatchOptions {
  /** Which relay's checkpoint (one per topic). */
  relay: string;
  limit: number;
  /** Default 5 000 ms. */
  gapTimeoutMs?: number;
  /** Default 10 minutes. */
  lateWindowMs?: number;
}

/** What a relay publishes next, in this order, and how to record it afterwards. */
export interface OutboxBatch {
  readonly relay: string;
  /** Late events (in skipped gaps) first, then the contiguous run after the checkpoint; as stored (not upcast). */
  readonly events: EventEnvelope[];
  /** The checkpoint the relay read. */
  readonly checkpoint: number;
  /** True when more events were waiting beyond `limit`. */
  readonly full: boolean;
  /** Gaps stepped over by this batch, with the first position after each. */
  readonly gaps: ReadonlyArray<PositionRange & { before: number }>;
  /** The gaps under watch when the batch was read (commit updates this list instead of reading it again). */
  readonly watching: readonly SkippedRange[];
  /** Ids of the burned-position records the batch stepped over (deleted on commit). */
  readonly burnedIds: readonly string[];
}

const burnedId = (from: number) => `burned:${from}`;
const checkpointId = (relay: string) => `relay:${relay}`;

/** One store's outbox: a checkpoint per relay (topic) and the burned positions, in one side collection. */
export class Outbox {
  private readonly sideName: string;
  private readonly now: () => Date;

  constructor(
    private readonly store: OutboxSource,
    private readonly connection: Connection,
    options: OutboxOptions,
  ) {
    this.sideName = options.collection;
    this.now = options.now;
  }

  private get events(): mongo.Collection<StoredEvent> {
    return this.store.collection;
  }

  private get checkpoints(): mongo.Collection<CheckpointDoc> {
    return this.connection.collection<CheckpointDoc>(this.sideName);
  }

  private get burned(): mongo.Collection<BurnedDoc> {
    return this.connection.collection<BurnedDoc>(this.sideName);
  }

  /** Calls `listener` after every append through this process's store (the relay wakes at once). Returns unsubscribe. */
  onAppended(listener: AppendListener): () => void {
    return this.store.onAppended(listener);
  }

  /**
   * Records positions an append allocated but will never use (the store calls it after a lost race). Best effort:
   * without it the gap just times out.
   */
  async recordBurned(range: PositionRange): Promise<void> {
    if (range.to < range.from) return;
    await this.burned.insertOne({ _id: burnedId(range.from), ...range, at: this.now() }).catch(() => undefined);
  }

  private async checkpoint(relay: string): Promise<CheckpointDoc> {
    const doc = await this.checkpoints.findOne({ _id: checkpointId(relay) });
    // `skipped` may be missing: FerretDB v1 drops an empty array set by $setOnInsert (markPublished).
    return doc ? { ...doc, skipped: doc.skipped ?? [] } : { _id: checkpointId(relay), position: 0, skipped: [], updatedAt: new Date(0) };
  }

  /** What the relay named `options.relay` publishes next: events as stored (not upcast: the hash must match). */
  async nextBatch(options: OutboxBatchOptions): Promise<OutboxBatch> {
    const gapTimeoutMs = options.gapTimeoutMs ?? 5_000;
    const lateWindowMs = options.lateWindowMs ?? 10 * 60_000;
    const cp = await this.checkpoint(options.relay);
    const watching = cp.skipped.filter((r) => this.now().getTime() - new Date(r.at).getTime() < lateWindowMs);
    const empty: OutboxBatch = { relay: options.relay, events: [], checkpoint: cp.position, full: false, gaps: [], watching, burnedIds: [] };
    // Idle check without touching the events collection (a scan on FerretDB): nothing allocated past the checkpoint.
    if (watching.length === 0 && (await this.store.highestPosition()) <= cp.position) return empty;

    // Scan after the checkpoint first, then look for late events: an event visible to the scan had its stream's
    // earlier versions visible before it, so the late check (later) sees them too, and they go out first.
    const docs = await this.events
      .find({ position: { $gt: cp.position } })
      .sort({ position: 1 })
      .limit(options.limit + 1)
      .toArray();
    const late =
      watching.length === 0
        ? []
        : await this.events
            .find({ $or: watching.map((r) => ({ position: { $gte: r.from, $lte: r.to } })) })
            .sort({ position: 1 })
            .toArray();

    const run: StoredEvent[] = [];
    const gaps: Array<PositionRange & { before: number }> = [];
    const burnedIds: string[] = [];
    let expected = cp.position + 1;
    const room = Math.max(0, options.limit - late.length);
    for (const doc of docs.slice(0, room)) {
      while (doc.position > expected) {
        const burned = await this.burned.findOne({ _id: burnedId(expected) });
        if (burned && burned.to < doc.position) {
          burnedIds.push(burned._id);
          expected = burned.to + 1;
          continue;
        }
        const ageMs = this.now().getTime() - doc.recordedAt.getTime();
        if (ageMs <= gapTimeoutMs) break; // in flight: publish the prefix, come back later
        gaps.push({ from: expected, to: doc.position - 1, before: doc.position });
        expected = doc.position;
      }
      if (doc.position !== expected) break;
      run.push(doc);
      expected++;
    }
    return {
      relay: options.relay,
      events: [...late, ...run].map(fromStored),
      checkpoint: cp.position,
      full: docs.length > room && run.length === room,
      gaps,
      watching,
      burnedIds,
    };
  }

  /**
   * Records that `published` (a prefix of batch.events, in order; default all of them) reached the broker: the
   * checkpoint moves past the last of them (and the gaps before it); published late events stop being watched.
   * Returns the new checkpoint.
   */
  async commit(batch: OutboxBatch, published: readonly EventEnvelope[] = batch.events): Promise<number> {
    const lastNew = [...published].reverse().find((e) => e.position > batch.checkpoint);
    const upTo = lastNew?.position ?? batch.checkpoint;
    const publishedLate = published.filter((e) => e.position <= batch.checkpoint).map((e) => e.position);
    const now = this.now();
    // Split watched ranges around the late events just published (ranges past the late window were already
    // left out when the batch was read).
    const skipped: SkippedRange[] = [];
    for (const r of batch.watching) {
      let from = r.from;
      for (const p of publishedLate.filter((x) => x >= r.from && x <= r.to).sort((a, b) => a - b)) {
        if (p > from) skipped.push({ from, to: p - 1, at: r.at });
        from = p + 1;
      }
      if (from <= r.to) skipped.push({ from, to: r.to, at: r.at });
    }
    for (const g of batch.gaps) if (g.before <= upTo) skipped.push({ from: g.from, to: g.to, at: now });
    // One document; $max keeps the checkpoint from moving back if another relay got further meanwhile.
    await this.checkpoints.updateOne(
      { _id: checkpointId(batch.relay) },
      { $max: { position: upTo }, $set: { skipped, updatedAt: now } },
      { upsert: true },
    );
    for (const id of batch.burnedIds) await this.burned.deleteOne({ _id: id });
    return Math.max(batch.checkpoint, upTo);
  }

  /**
   * Counts every event up to `upTo` as published by the relay `relay`, which will not send them (the checkpoint
   * moves there, never back): for history that must not go out again, such as events copied in from elsewhere or
   * a benchmark's seeded log. Gaps the relay already watches for late events are left as they are: an event
   * filling one is still sent.
   */
  async markPublished(relay: string, upTo: number): Promise<void> {
    await this.checkpoints.updateOne(
      { _id: checkpointId(relay) },
      { $max: { position: upTo }, $set: { updatedAt: this.now() }, $setOnInsert: { skipped: [] } },
      { upsert: true },
    );
  }

  /** The first event after the checkpoint (null when the relay has caught up). */
  async oldest(relay: string): Promise<{ position: number; recordedAt: Date } | null> {
    const cp = await this.checkpoint(relay);
    if ((await this.store.highestPosition()) <= cp.position) return null;
    const doc = await this.events
      .find({ position: { $gt: cp.position } }, { projection: { position: 1, recordedAt: 1 } })
      .sort({ position: 1 })
      .limit(1)
      .next();
    return doc ? { position: doc.position, recordedAt: doc.recordedAt } : null;
  }

  /** How many events are after the relay's checkpoint (a count over the events collection: for tests and tools). */
  async count(relay: string): Promise<number> {
    const cp = await this.checkpoint(relay);
    return this.events.countDocuments({ position: { $gt: cp.position } });
  }
}
