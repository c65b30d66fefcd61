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
import { isDuplicateKey, unlessDuplicate } from './duplicate-key';

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
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Writes a read model's whole document for one stream at `doc.version` unless the stored one is as new or newer
 * (`{_id, version: {$lt}}` upsert; a newer document makes the insert collide on _id). `insertOnly` fields are
 * written when the document is created and kept after (e.g. when a milestone was planned); `max` fields only
 * ever grow. True if written.
 */
export function guardedUpsert<D extends { _id: string; version: number }>(
  collection: mongo.Collection<D>,
  doc: D,
  options: { insertOnly?: ReadonlyArray<keyof D>; max?: ReadonlyArray<keyof D> } = {},
): Promise<boolean> {
  const set: Record<string, unknown> = {};
  const setOnInsert: Record<string, unknown> = {};
  const max: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === '_id') continue;
    if (options.insertOnly?.includes(key as keyof D)) setOnInsert[key] = value;
    else if (options.max?.includes(key as keyof D)) max[key] = value;
    else set[key] = value;
  }
  const update = {
    $set: set,
    ...(Object.keys(setOnInsert).length > 0 && { $setOnInsert: setOnInsert }),
    ...(Object.keys(max).length > 0 && { $max: max }),
  };
  return unlessDuplicate(() =>
    collection.updateOne({ _id: doc._id, version: { $lt: doc.version } } as mongo.Filter<D>, update as mongo.UpdateFilter<D>, { upsert: true }),
  );
}
