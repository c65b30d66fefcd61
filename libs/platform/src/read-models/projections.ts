/**
 * What a service tells the replay about its read models: how each one is built from events. The same code
 * builds it live (the service's handlers) and in a replay, only pointed at other collections.
 */
import type { EventEnvelope } from '@tracker/contracts';
import type { CollectionSource } from './read-models';

/** One stream's events folded in memory, ready to be written as its document(s). */
export interface FoldedStream<S> {
  streamId: string;
  state: S;
  version: number;
  first: EventEnvelope;
  last: EventEnvelope;
}

/** A document for a fresh collection of a replay, by logical collection name. */
export interface ReadModelDocument {
  collection: string;
  document: { _id: string };
}

/**
 * A read model of the service's own event store, one document per stream: the replay folds every stream in
 * memory (one state per stream) and inserts each stream's documents in bulk into the fresh collections. Inserts,
 * not updates: a database without secondary indexes (FerretDB v1) scans the collection for every update, so
 * an update per stream would be quadratic in the number of streams. What the replay reads after its switch goes
 * through `write`, version-guarded, onto the live documents. `documents` must give each `_id` once per collection
 * (one stream, one document).
 */
export interface StoreProjection<S = unknown> {
  source: 'store';
  name: string;
  /** The read models (logical collection names) it writes. */
  collections: readonly string[];
  /** Whether the event belongs to a stream this read model folds. */
  accepts(event: EventEnvelope): boolean;
  initial(): S;
  evolve(state: S, event: EventEnvelope): S;
  /** One stream's documents, whole (for an empty collection); none if the stream makes none. */
  documents(folded: FoldedStream<S>): ReadModelDocument[];
  /** Writes one stream's state, version-guarded: never moves a document backwards. */
  write(into: CollectionSource, folded: FoldedStream<S>): Promise<void>;
}

/**
 * A read model of events from Kafka topics (other services' or the service's own). The replay re-consumes the
 * topics from the beginning under a new consumer group and applies every event in offset order.
 */
export interface TopicProjection {
  source: 'topics';
  name: string;
  collections: readonly string[];
  /** Topic names without the environment's prefix. */
  topics: readonly string[];
  /**
   * Applies one event to `into`. Must be version-guarded (redeliveries happen) and touch nothing but the read
   * model: no new events, no notifications, so a replay never alerts or sends anything twice.
   */
  apply(into: CollectionSource, event: EventEnvelope): Promise<void>;
  /**
   * Applies up to a hundred events of one topic partition at once, in offset order, where the read model can
   * write them together (an insert-only journal: one insert of many). The replay uses it instead of `apply`,
   * after the other projections' `apply` of the same events: so only for a projection that reads no other
   * read model.
   */
  applyMany?(into: CollectionSource, events: readonly EventEnvelope[]): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Projection = StoreProjection<any> | TopicProjection;

/** Token of a service's `Projection[]` (provided by its AppModule). */
export const READ_MODEL_PROJECTIONS = Symbol('READ_MODEL_PROJECTIONS');
