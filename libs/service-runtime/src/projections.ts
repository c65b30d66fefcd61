/**
 * A service's read models, each declared once as a projection: the same object drives the live consumer and
 * the replay (POST /admin/replays), so a read model cannot be forgotten at replay time. A projection writes only
 * its read model (no events, no notifications); side effects belong to reactors (reactors.ts).
 */
import type { EventEnvelope } from '@tracker/contracts';
import { isCorrection } from '@tracker/event-store';
import { guardedUpsert, rememberedVersion } from '@tracker/mongo';
import type { AggregateDefinition } from './aggregate';
import type { CollectionSource, IndexDefinition } from './read-models';

/** A read-model collection a projection writes, by logical name, with its indexes (created at start). */
export interface ReadModelCollection {
  name: string;
  indexes?: readonly IndexDefinition[];
}

/** One stream's events folded in memory, ready to be written as its document(s). */
export interface FoldedStream<S> {
  streamId: string;
  state: S;
  version: number;
  first: EventEnvelope;
  last: EventEnvelope;
  /** The latest business time among the folded events (ISO; events are recorded late, so not always last's). */
  latestOccurredAt: string;
}

/** The latest business time of `events` (ISO), or `since` when that is later. */
export function latestOccurredAt(events: readonly EventEnvelope[], since?: string): string {
  let latest = since ?? '';
  for (const e of events) {
    // A correction is no activity: it changes what is known of an earlier fact.
    if (isCorrection(e)) continue;
    const at = new Date(e.occurredAt).toISOString();
    if (at > latest) latest = at;
  }
  return latest;
}

/** A document for a fresh collection of a replay, by logical collection name. */
export interface ReadModelDocument {
  collection: string;
  document: { _id: string };
}

/**
 * A view of one of the service's own aggregates, one document per stream, folded with the aggregate's decider:
 * - after each command, from the state the command left (read your writes);
 * - when the service's own event comes back from its topic, from the stored stream if the view is behind (a
 *   process that stopped between the append and the write loses nothing);
 * - in a replay, every stream folded in memory and its documents inserted in bulk into fresh collections
 *   (inserts, not updates: on FerretDB v1 an update scans the collection).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface StoreProjection<S = any> {
  source: 'store';
  /** Also the live consumer group: `<service>.<name>`. */
  name: string;
  aggregate: AggregateDefinition<S>;
  collections: readonly ReadModelCollection[];
  /** One stream's documents, whole (for an empty collection); none if the stream makes none. */
  documents(folded: FoldedStream<S>): ReadModelDocument[];
  /** Writes one stream's state, version-guarded: never moves a document backwards. */
  write(into: CollectionSource, folded: FoldedStream<S>): Promise<void>;
  /** The stream version the view holds for aggregate `id` (0: none). */
  version(into: CollectionSource, id: string): Promise<number>;
}

/**
 * A read model of events from Kafka topics (other services' or the service's own): live, its own consumer group
 * `<service>.<name>` on `topics`; in a replay, the topics re-read from their beginning under a throw-away group.
 */
export interface TopicProjection {
  source: 'topics';
  name: string;
  collections: readonly ReadModelCollection[];
  /** Topic names without the environment's prefix. */
  topics: readonly string[];
  /**
   * Reads events as they were published, not upcast to their newest schema version: for a record of what was said
   * (the audit journal keeps each event with its hash, which only the stored form matches).
   */
  raw?: boolean;
  /** Applies one event to `into`. Must be version-guarded (redeliveries happen) and touch only the read model. */
  apply(into: CollectionSource, event: EventEnvelope): Promise<void>;
  /**
   * Applies up to a hundred events of one topic partition at once, in offset order, with the effect of `apply` on
   * each in turn but in fewer writes (an insert-only journal; summaries folded in memory, each written once). The
   * live consumer uses it for runs of new events (a backlog), the replay instead of `apply`, after the other
   * projections' `apply` of the same events: so only for a projection that reads no other read model. What it
   * returns goes to the reactors declared after it (EventReactor.reactMany).
   */
  applyMany?(into: CollectionSource, events: readonly EventEnvelope[]): Promise<Projected | void>;
}

/** What a projection's applyMany held after each event, by eventId (for the reactors after it). */
export type Projected = ReadonlyMap<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Projection = StoreProjection<any> | TopicProjection;

/**
 * The usual store projection: one document per stream whose `_id` is the aggregate id and `version` the stream
 * version, written whole behind the version guard. `insertOnly` fields are kept from the first write (e.g. when
 * a milestone was planned), `max` fields only grow.
 */
export function streamView<S, D extends { _id: string; version: number }>(spec: {
  name: string;
  aggregate: AggregateDefinition<S>;
  collection: ReadModelCollection;
  /** The stream's whole document, or null when it makes none (e.g. a stream that does not exist yet). */
  document(folded: FoldedStream<S>): D | null;
  insertOnly?: ReadonlyArray<keyof D>;
  max?: ReadonlyArray<keyof D>;
}): StoreProjection<S> {
  const name = spec.collection.name;
  return {
    source: 'store',
    name: spec.name,
    aggregate: spec.aggregate,
    collections: [spec.collection],
    documents(folded) {
      const document = spec.document(folded);
      return document ? [{ collection: name, document }] : [];
    },
    async write(into, folded) {
      const document = spec.document(folded);
      if (document) await guardedUpsert(into.collection<D>(name), document, { insertOnly: spec.insertOnly, max: spec.max });
    },
    async version(into, id) {
      const collection = into.collection<D>(name);
      // What this process last wrote or read of it, when known (exact in process: every write goes through
      // guardedUpsert); else read.
      const known = rememberedVersion(collection, id);
      if (known !== undefined) return known;
      const doc = await collection.findOne({ _id: id } as never, { projection: { version: 1 } });
      return doc?.version ?? 0;
    },
  };
}
