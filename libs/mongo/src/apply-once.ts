/**
 * Version-guarded projection updates: the half of exactly-once-in-effect that the dedup store cannot give.
 * Recording "processed" and applying the effect are two writes (no transactions), so a crash between them
 * replays the effect; a guarded update makes the replay a no-op.
 *
 * The document keeps the last applied stream version (or position) in a guard field; a write applies only if
 * that is lower than the event's. Every database access is by exact `_id` (by-id.ts): the document is read by
 * `_id`, the guard decided in process (`applyOnceDecision`, `guardedUpsertDecision`), then either a new document
 * is inserted (a duplicate key = someone created it meanwhile: read again and decide again) or the existing one
 * is written by `_id`. Within a process the read and the write run under the document's key lock, so concurrent
 * writes of one document are serialized whatever the connection pool size. On MongoDB the write is also a
 * compare-and-set on the guard as read (`{_id, version: <read>}`, answered by the `_id` index): a writer in
 * another process that got there first makes it match nothing, and it is decided again, so the document never
 * moves backwards and no event is applied twice. On FerretDB the write filter is `{_id}` alone (any other filter
 * scans the collection there, and FerretDB does not isolate the write anyway, issue 3040): across processes a
 * read model on FerretDB stays correct because each document has one writer at a time, the consumer owning the
 * Kafka partition of its key (plus the unique `_id` for creation), as before.
 *
 * Feed one guard field from one ordered source: a document projected from one stream guards on `streamVersion`;
 * a document fed by several streams uses one guard per stream, e.g. guardField `applied.<streamId>` (stream ids
 * contain no dots). Never guard a multi-stream document on global `position`: events of different streams may
 * reach Kafka slightly out of position order.
 */
import type { mongo } from 'mongoose';
import { readModifyWrite, RETRY, unchanged, valueAt } from './by-id';
import { documentKey } from './key-lock';

export interface ApplyOnceGuard {
  /** Field (or dotted path) holding the last applied version. Default `lastVersion`. */
  field?: string;
  /** The event's stream version (or position). */
  value: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDoc = any;

/** What a guarded write does with the document as read. `update` names the guard value read (undefined: none). */
export type GuardDecision = { kind: 'create' } | { kind: 'update'; read: number | undefined } | { kind: 'skip' };

/**
 * applyOnce's guard: no document → create it; no guard value yet → update; a lower guard value → update; an
 * equal or higher one (or something not a number, which MongoDB's `$lt` never matched either) → skip.
 */
export function applyOnceDecision(doc: unknown, field: string, value: number): GuardDecision {
  if (doc === null || doc === undefined) return { kind: 'create' };
  const stored = valueAt(doc, field);
  if (stored === undefined) return { kind: 'update', read: undefined };
  if (typeof stored === 'number' && stored < value) return { kind: 'update', read: stored };
  return { kind: 'skip' };
}

/** guardedUpsert's guard: no document → create; a stored `version` lower than the new one → update; else skip. */
export function guardedUpsertDecision(doc: { version?: unknown } | null | undefined, version: number): GuardDecision {
  if (doc === null || doc === undefined) return { kind: 'create' };
  if (typeof doc.version === 'number' && doc.version < version) return { kind: 'update', read: doc.version };
  return { kind: 'skip' };
}

function setAt(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = doc;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (next === null || typeof next !== 'object') at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The document an upsert of `update` would insert when nothing matched `{_id: id}`: what a missing document
 * becomes under each update operator. Operators that change nothing on a missing field (`$unset`, `$pull`,
 * `$pop`, `$rename`...) add nothing.
 */
export function documentFromUpdate(id: unknown, update: Record<string, unknown>): Record<string, unknown> {
  const doc: Record<string, unknown> = { _id: id };
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith('$')) throw new TypeError(`applyOnce: ${op} is not an update operator`);
    for (const [path, value] of Object.entries((fields ?? {}) as Record<string, unknown>)) {
      switch (op) {
        case '$set':
        case '$setOnInsert':
        case '$inc':
        case '$max':
        case '$min':
          setAt(doc, path, value);
          break;
        case '$mul':
          setAt(doc, path, 0);
          break;
        case '$currentDate':
          setAt(doc, path, new Date());
          break;
        case '$push':
        case '$addToSet': {
          const each = value !== null && typeof value === 'object' && '$each' in value ? [...((value as { $each: unknown[] }).$each ?? [])] : [value];
          if (op === '$push' && value !== null && typeof value === 'object' && Object.keys(value).some((k) => k.startsWith('$') && k !== '$each')) {
            throw new TypeError(`applyOnce: ${op} modifiers other than $each are not supported on a new document`);
          }
          setAt(doc, path, op === '$addToSet' ? each.filter((v, i) => each.findIndex((w) => same(v, w)) === i) : each);
          break;
        }
        case '$unset':
        case '$pull':
        case '$pullAll':
        case '$pop':
        case '$rename':
          break;
        default:
          throw new TypeError(`applyOnce: update operator ${op} is not supported`);
      }
    }
  }
  return doc;
}

/**
 * Applies `update` to document `_id` unless an event at `guard.value` or later was applied. True if applied.
 * `upsert: false`: a missing document stays missing (false).
 */
export async function applyOnce(
  collection: mongo.Collection<AnyDoc>,
  id: unknown,
  guard: ApplyOnceGuard,
  update: mongo.UpdateFilter<AnyDoc>,
  options: { upsert?: boolean } = {},
): Promise<boolean> {
  const field = guard.field ?? 'lastVersion';
  if (!Number.isFinite(guard.value)) throw new RangeError('applyOnce: guard value must be a number');
  const set = { ...((update.$set as Record<string, unknown> | undefined) ?? {}), [field]: guard.value };
  const { $setOnInsert: _onInsert, ...onUpdate } = { ...update, $set: set } as Record<string, unknown>;
  return readModifyWrite(collection, id, async (doc, filter) => {
    const decision = applyOnceDecision(doc, field, guard.value);
    if (decision.kind === 'skip') return false;
    if (decision.kind === 'create') {
      if (options.upsert === false) return false;
      await collection.insertOne(documentFromUpdate(id, { ...update, $set: set }));
      return true;
    }
    const result = await collection.updateOne(filter(unchanged(field, decision.read)), onUpdate);
    return result.matchedCount > 0 ? true : RETRY;
  });
}

/**
 * applyOnce for several guarded entries of one document in one write (e.g. an agreement's list of milestones,
 * each entry guarded by its own stream's version): each `$set` goes in only if its guard lets it (as applyOnce
 * decides); one read and one write by `_id` for all of them, a compare-and-set on every guard read (MongoDB).
 * Returns the entries applied (by index).
 */
export async function applyOnceEach(
  collection: mongo.Collection<AnyDoc>,
  id: unknown,
  entries: ReadonlyArray<{ guard: Required<ApplyOnceGuard>; $set: Record<string, unknown> }>,
): Promise<number[]> {
  for (const e of entries) if (!Number.isFinite(e.guard.value)) throw new RangeError('applyOnceEach: guard value must be a number');
  return readModifyWrite(collection, id, async (doc, filter) => {
    const set: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    const applied: number[] = [];
    entries.forEach((e, i) => {
      const decision = applyOnceDecision(doc, e.guard.field, e.guard.value);
      // Two entries of one guard: the later (higher) one wins, as two applyOnce calls in a row would.
      const already = set[e.guard.field];
      if (decision.kind === 'skip' || (typeof already === 'number' && already >= e.guard.value)) return;
      Object.assign(set, e.$set, { [e.guard.field]: e.guard.value });
      if (decision.kind === 'update') Object.assign(expected, unchanged(e.guard.field, decision.read));
      applied.push(i);
    });
    if (applied.length === 0) return [];
    if (!doc) {
      await collection.insertOne(documentFromUpdate(id, { $set: set }));
      return applied;
    }
    const result = await collection.updateOne(filter(expected), { $set: set });
    return result.matchedCount > 0 ? applied : RETRY;
  });
}

/**
 * Writes a read model's whole document for one stream at `doc.version` unless the stored one is as new or newer.
 * `insertOnly` fields are written when the document is created and kept after (e.g. when a milestone was
 * planned); `max` fields only ever grow. True if written. Read by `_id`, then an insert or a write by `_id`
 * (compare-and-set on the version read, on MongoDB), as applyOnce.
 */
export function guardedUpsert<D extends { _id: string; version: number }>(
  collection: mongo.Collection<D>,
  doc: D,
  /** unset: fields the new version may have dropped; removed when `doc` lacks them (a `$set` alone keeps them). */
  options: { insertOnly?: ReadonlyArray<keyof D>; max?: ReadonlyArray<keyof D>; unset?: ReadonlyArray<keyof D> } = {},
): Promise<boolean> {
  const set: Record<string, unknown> = {};
  const max: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === '_id' || options.insertOnly?.includes(key as keyof D)) continue;
    if (options.max?.includes(key as keyof D)) max[key] = value;
    else set[key] = value;
  }
  const unset = Object.fromEntries((options.unset ?? []).filter((k) => doc[k] === undefined).map((k) => [k, '']));
  const update = { $set: set, ...(Object.keys(max).length > 0 && { $max: max }), ...(Object.keys(unset).length > 0 && { $unset: unset }) };
  const key = documentKey(collection, doc._id);
  // Only to let a newer version through without a read: a skip is always decided on the document as read (it
  // may have been deleted behind the process's back, and must then be written again).
  const known = () => {
    const version = writtenVersions.get(key);
    return version === undefined || version >= doc.version ? undefined : { version };
  };
  return readModifyWrite(
    collection as mongo.Collection<AnyDoc>,
    doc._id,
    async (stored, filter) => {
      const decision = guardedUpsertDecision(stored, doc.version);
      if (decision.kind === 'skip') {
        if (typeof stored?.version === 'number') rememberVersion(key, stored.version);
        return false;
      }
      if (decision.kind === 'create') {
        await collection.insertOne(doc as mongo.OptionalUnlessRequiredId<D>);
        rememberVersion(key, doc.version);
        return true;
      }
      const result = await collection.updateOne(filter({ version: decision.read }), update as mongo.UpdateFilter<D>);
      if (result.matchedCount === 0) {
        writtenVersions.delete(key);
        return RETRY;
      }
      rememberVersion(key, doc.version);
      return true;
    },
    known,
  );
}

/**
 * The version this process last read or wrote of each read-model document guardedUpsert writes, so the next
 * write of it needs no read (a view written after every command would otherwise be read first each time).
 * Exact within the process (every write of the version goes through guardedUpsert, under the document's lock);
 * another instance's write makes the compare-and-set miss on MongoDB (then it is read), and on FerretDB a
 * document has one writer at a time (see above). Bounded, oldest dropped first.
 */
const writtenVersions = new Map<string, number>();
const MAX_REMEMBERED_VERSIONS = 50_000;

function rememberVersion(key: string, version: number): void {
  writtenVersions.delete(key);
  writtenVersions.set(key, version);
  if (writtenVersions.size > MAX_REMEMBERED_VERSIONS) writtenVersions.delete(writtenVersions.keys().next().value as string);
}

/** The version guardedUpsert last saw of a document in this process (undefined: unknown, read it). */
export function rememberedVersion(collection: object, id: unknown): number | undefined {
  return writtenVersions.get(documentKey(collection, id));
}
