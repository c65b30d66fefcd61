/**
 * Version-guarded projection updates: the half of exactly-once-in-effect that the dedup store cannot give.
 * Recording "processed" and applying the effect are two writes (no transactions), so a crash between them
 * replays the effect; a guarded update makes the replay a no-op.
 *
 * The document keeps the last applied stream version (or position) in `guardField`; the update applies only if
 * that is lower than the event's, atomically in one updateOne. A missing document is created by the upsert; if
 * the document exists with a newer guard, the upsert's insert collides on _id (duplicate key) = already applied.
 *
 * Feed one guard field from one ordered source: a document projected from one stream guards on `streamVersion`;
 * a document fed by several streams uses one guard per stream, e.g. guardField `applied.<streamId>` (stream ids
 * contain no dots). Never guard a multi-stream document on global `position`: events of different streams may
 * reach Kafka slightly out of position order.
 */
import type { mongo } from 'mongoose';

export interface ApplyOnceGuard {
  /** Field (or dotted path) holding the last applied version. Default `lastVersion`. */
  field?: string;
  /** The event's stream version (or position). */
  value: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDoc = any;

/** Applies `update` to document `_id` unless an event at `guard.value` or later was applied. True if applied. */
export async function applyOnce(
  collection: mongo.Collection<AnyDoc>,
  id: unknown,
  guard: ApplyOnceGuard,
  update: mongo.UpdateFilter<AnyDoc>,
): Promise<boolean> {
  const field = guard.field ?? 'lastVersion';
  if (!Number.isFinite(guard.value)) throw new RangeError('applyOnce: guard value must be a number');
  const set = { ...((update.$set as Record<string, unknown> | undefined) ?? {}), [field]: guard.value };
  try {
    const result = await collection.updateOne(
      { _id: id, $or: [{ [field]: { $lt: guard.value } }, { [field]: { $exists: false } }] },
      { ...update, $set: set },
      { upsert: true },
    );
    return result.matchedCount + result.upsertedCount > 0;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    throw err;
  }
}
