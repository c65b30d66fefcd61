/**
 * The outbox without a per-event flag: a relay keeps a checkpoint (the highest position it has passed) in a small
 * side collection, and never updates event documents (an update in FerretDB v1 used to scan the collection, and
 * the events collection stays insert-only). It finds what to publish without any query but exact `_id` lookups:
 * - the events this process appended, handed over in memory by the store (`onAppended`): the usual case, no
 *   read at all;
 * - any other position (appended by another instance, or before a restart) through its log entry, by key
 *   (`store.positionState`): log entry `_id` = position → event `_id` = `<stream>.<version>`.
 *
 * Positions are allocated before the insert, so the relay can meet a *gap*: a position that is not (yet) visible.
 * It is either
 *  - unused: an append lost a race after allocating it; the append records it (in memory, and as a
 *    `{_id: 'burned:<from>', from, to}` document for other instances), so the relay steps over it at once;
 *  - in flight: allocated, insert not yet visible; the relay waits (publishes only the contiguous prefix);
 *  - abandoned: the process died between allocation and insert. The relay steps over a gap once it was handed
 *    out more than `gapTimeoutMs` ago (its log entry's time, or that of the first logged position after it), and
 *    watches it for `lateWindowMs`: if an event shows up there after all (an insert stalled longer than the
 *    timeout), it is published on the next turn rather than lost.
 * Per stream order holds: version n+1 is allocated only after version n is visible (the append reads the head
 * first), so a walk that sees n+1 has seen n. See docs/adr/0003-ordering-and-delivery.md and 0010-flat-cost.md.
 *
 * The store builds its outbox and exposes it as `store.outbox`; the relay (libs/messaging) uses nothing else of
 * the store: `nextBatch` → send → `commit`, `oldest` for its lag, `onAppended` to wake on an append in this process.
 */
import type { Connection, mongo } from 'mongoose';
import type { EventEnvelope } from '@tracker/contracts';
import { upsertRetryingOnce } from '@tracker/mongo';
import { fromStored, type StoredEvent } from './stored-event';
import type { AppendListener } from './types';

/** What a position turned out to be (EventStore.positionState). */
export type PositionState =
  | { kind: 'event'; event: StoredEvent }
  /** Never used: its append lost a race or failed before its insert. */
  | { kind: 'unused' }
  /** Handed out, event not (yet) visible: in flight, or abandoned by a crash; `since` = when it was handed out. */
  | { kind: 'pending'; since: Date }
  /** No log entry: not handed out yet, in flight before its entry, or abandoned. */
  | { kind: 'unknown' };

/** What the outbox reads of its event store (an EventStore). */
export interface OutboxSource {
  /** The events collection (read only, and only by `count`, a tool for tests). */
  readonly collection: mongo.Collection<StoredEvent>;
  /** The highest position allocated so far: nothing past it to read. */
  highestPosition(): Promise<number>;
  /** What a position holds, by key. */
  positionState(position: number): Promise<PositionState>;
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
/** Events of this process kept for the relay until published (beyond that, the relay reads them by key). */
const MAX_REMEMBERED = 20_000;
/** Positions looked at past an unlogged one, to learn how old the gap is. */
const LOOK_AHEAD = 64;
/** Positions of watched gaps checked per turn. */
const MAX_WATCHED = 1_000;

type Resolved = { kind: 'event'; event: EventEnvelope } | { kind: 'unused'; to: number; burnedId?: string } | { kind: 'pending'; since: Date } | { kind: 'unknown' };

/** One store's outbox: a checkpoint per relay (topic) and the burned positions, in one side collection. */
export class Outbox {
  private readonly sideName: string;
  private readonly now: () => Date;
  /** Appended here, not yet published: position → event as stored. */
  private readonly recent = new Map<number, EventEnvelope>();
  /** Allocated here and never used. */
  private readonly unusedHere = new Set<number>();

  constructor(
    private readonly store: OutboxSource,
    private readonly connection: Connection,
    options: OutboxOptions,
  ) {
    this.sideName = options.collection;
    this.now = options.now;
    store.onAppended((events) => {
      for (const e of events) this.recent.set(e.position, e);
      while (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value as number);
    });
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
   * Records positions an append allocated but will never use (the store calls it after a lost race): in memory,
   * and for other instances as ranges. Best effort: without it the gap just times out.
   */
  async recordUnused(positions: readonly number[]): Promise<void> {
    if (positions.length === 0) return;
    const sorted = [...positions].sort((a, b) => a - b);
    const ranges: PositionRange[] = [];
    for (const p of sorted) {
      this.unusedHere.add(p);
      const last = ranges[ranges.length - 1];
      if (last && last.to === p - 1) last.to = p;
      else ranges.push({ from: p, to: p });
    }
    while (this.unusedHere.size > MAX_REMEMBERED) this.unusedHere.delete(this.unusedHere.values().next().value as number);
    const at = this.now();
    await this.burned.insertMany(ranges.map((r) => ({ _id: burnedId(r.from), ...r, at })), { ordered: false }).catch(() => undefined);
  }

  private async checkpoint(relay: string): Promise<CheckpointDoc> {
    const doc = await this.checkpoints.findOne({ _id: checkpointId(relay) });
    // `skipped` may be missing: FerretDB v1 drops an empty array set by $setOnInsert (markPublished).
    return doc ? { ...doc, skipped: doc.skipped ?? [] } : { _id: checkpointId(relay), position: 0, skipped: [], updatedAt: new Date(0) };
  }

  /** What a position holds: from memory when this process appended it, else by key. */
  private async resolve(position: number): Promise<Resolved> {
    const mine = this.recent.get(position);
    if (mine) return { kind: 'event', event: mine };
    if (this.unusedHere.has(position)) return { kind: 'unused', to: position };
    const state = await this.store.positionState(position);
    if (state.kind === 'event') return { kind: 'event', event: fromStored(state.event) };
    if (state.kind === 'unused') return { kind: 'unused', to: position };
    const burned = await this.burned.findOne({ _id: burnedId(position) });
    if (burned) return { kind: 'unused', to: burned.to, burnedId: burned._id };
    return state;
  }

  /** What the relay named `options.relay` publishes next: events as stored (not upcast: the hash must match). */
  async nextBatch(options: OutboxBatchOptions): Promise<OutboxBatch> {
    const gapTimeoutMs = options.gapTimeoutMs ?? 5_000;
    const lateWindowMs = options.lateWindowMs ?? 10 * 60_000;
    const cp = await this.checkpoint(options.relay);
    const nowMs = this.now().getTime();
    const watching = cp.skipped.filter((r) => nowMs - new Date(r.at).getTime() < lateWindowMs);
    const empty: OutboxBatch = { relay: options.relay, events: [], checkpoint: cp.position, full: false, gaps: [], watching, burnedIds: [] };
    // Idle check in one lookup: nothing allocated past the checkpoint.
    const highest = await this.store.highestPosition();
    if (watching.length === 0 && highest <= cp.position) return empty;

    // Walk after the checkpoint first, then look for late events: an event visible to the walk had its stream's
    // earlier versions visible before it, so the late check (later) sees them too, and they go out first.
    const run: EventEnvelope[] = [];
    const gaps: Array<PositionRange & { before: number }> = [];
    const burnedIds: string[] = [];
    let expected = cp.position + 1;
    while (run.length < options.limit && expected <= highest) {
      const here = await this.resolve(expected);
      if (here.kind === 'event') {
        run.push(here.event);
        expected++;
        continue;
      }
      if (here.kind === 'unused') {
        if (here.burnedId) burnedIds.push(here.burnedId);
        expected = here.to + 1;
        continue;
      }
      // A gap: how long ago was it handed out? Its log entry's time, or that of the next logged position.
      let since: Date | undefined = here.kind === 'pending' ? here.since : undefined;
      let end = expected;
      if (!since) {
        for (let q = expected + 1; q <= Math.min(highest, expected + LOOK_AHEAD); q++) {
          const next = await this.resolve(q);
          if (next.kind === 'unknown') continue;
          since = next.kind === 'event' ? new Date(next.event.recordedAt) : next.kind === 'pending' ? next.since : undefined;
          end = q - 1;
          break;
        }
      }
      if (!since || nowMs - since.getTime() <= gapTimeoutMs) break; // in flight: publish the prefix, come back later
      gaps.push({ from: expected, to: end, before: end + 1 });
      expected = end + 1;
    }

    const late: EventEnvelope[] = [];
    let checked = 0;
    for (const r of watching) {
      for (let p = r.from; p <= r.to && checked < MAX_WATCHED; p++, checked++) {
        const state = await this.resolve(p);
        if (state.kind === 'event') late.push(state.event);
      }
    }
    const room = Math.max(0, options.limit - late.length);
    const main = run.slice(0, room);
    // Cut the walk where room ran out: its gaps beyond the last event sent are found again next turn.
    const lastSent = main.length > 0 ? main[main.length - 1].position : cp.position;
    return {
      relay: options.relay,
      events: [...late, ...main],
      checkpoint: cp.position,
      full: main.length < run.length || run.length >= options.limit,
      gaps: main.length < run.length ? gaps.filter((g) => g.before <= lastSent) : gaps,
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
    // Two relays' first commits may both try to insert the document: the one that lost updates it instead.
    await upsertRetryingOnce(() =>
      this.checkpoints.updateOne(
        { _id: checkpointId(batch.relay) },
        { $max: { position: upTo }, $set: { skipped, updatedAt: now } },
        { upsert: true },
      ),
    );
    for (const id of batch.burnedIds) await this.burned.deleteOne({ _id: id });
    const checkpoint = Math.max(batch.checkpoint, upTo);
    for (const p of this.recent.keys()) if (p <= checkpoint) this.recent.delete(p);
    for (const p of this.unusedHere) if (p <= checkpoint) this.unusedHere.delete(p);
    return checkpoint;
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

  /** The first position after the checkpoint that holds an event or waits for one (null when caught up). */
  async oldest(relay: string): Promise<{ position: number; recordedAt: Date } | null> {
    const cp = await this.checkpoint(relay);
    const highest = await this.store.highestPosition();
    for (let p = cp.position + 1; p <= Math.min(highest, cp.position + LOOK_AHEAD); p++) {
      const state = await this.resolve(p);
      if (state.kind === 'event') return { position: p, recordedAt: new Date(state.event.recordedAt) };
      if (state.kind === 'pending') return { position: p, recordedAt: state.since };
      if (state.kind === 'unused') p = state.to;
    }
    return null;
  }

  /** How many events are after the relay's checkpoint (a count over the events collection: for tests and tools). */
  async count(relay: string): Promise<number> {
    const cp = await this.checkpoint(relay);
    return this.store.collection.countDocuments({ position: { $gt: cp.position } });
  }
}
