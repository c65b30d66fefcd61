/**
 * Conditional writes of one document addressed by `_id` alone, the same code on MongoDB and FerretDB.
 *
 * FerretDB v1 (SQLite) answers a filter that is exactly `{_id: <value>}` from its `_id` index and scans the whole
 * collection for any other filter, `{_id, version: {$lt}}` included; and it does not isolate an update from
 * concurrent ones of other connections (FerretDB issue 3040). MongoDB uses its indexes for every filter and
 * applies an update atomically. So a conditional write is done as: read the document by `_id`, decide in
 * process, write by `_id`:
 * - within a process, under the document's key lock (key-lock.ts), so concurrent paths never interleave;
 * - on MongoDB, the write's filter also carries what was read (`{_id, version: <read>}`): a compare-and-set that
 *   the `_id` index answers; a lost race matches nothing, and the document is read and decided again;
 * - on FerretDB, the write's filter is `{_id}` alone: a compare-and-set filter would scan the collection there
 *   and would not be isolated anyway. Across processes, the safety of such a document on FerretDB therefore rests
 *   on it having one writer at a time (a read model is written by the consumer owning the Kafka partition of
 *   its key, as before), and on unique `_id`s for creation (an insert of an existing document is refused).
 */
import type { mongo } from 'mongoose';
import { isDuplicateKey } from './duplicate-key';
import { withDocumentLock } from './key-lock';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDoc = any;

interface ClientHolder {
  db?: { client?: object };
  conn?: { getClient?: () => object };
}

interface CommandClient {
  db(name: string): { command(cmd: Record<string, unknown>): Promise<Record<string, unknown>> };
}

const servers = new WeakMap<object, Promise<boolean>>();

function clientOf(collection: object): object | undefined {
  const c = collection as ClientHolder;
  return c.db?.client ?? c.conn?.getClient?.();
}

/**
 * Whether `collection` lives on FerretDB (its `buildInfo` answers a `ferretdbVersion`), asked once per client
 * (connection pool) and cached. Unknown (no client, the command failed) counts as MongoDB: the compare-and-set
 * filters are correct on FerretDB too, only slower there.
 */
export async function isFerretDb(collection: object): Promise<boolean> {
  const client = clientOf(collection);
  if (!client) return false;
  let answer = servers.get(client);
  if (!answer) {
    answer = (client as CommandClient)
      .db('admin')
      .command({ buildInfo: 1 })
      .then((info) => 'ferretdbVersion' in info);
    servers.set(client, answer);
    answer.catch(() => servers.delete(client));
  }
  return answer.catch(() => false);
}

/** The filter of a write by `_id`: `{_id}` on FerretDB, `{_id, ...expected}` (compare-and-set) on MongoDB. */
export type ByIdFilter = (expected?: Record<string, unknown>) => mongo.Filter<AnyDoc>;

/** Returned by a step whose write lost a race: the document is read and the step run again. */
export const RETRY: unique symbol = Symbol('retry');

const MAX_ATTEMPTS = 50;

/**
 * Runs `step` on document `id` as read now (null: none), under the document's key lock, until it returns
 * something other than RETRY. `step` writes with `filter(expected)`: on MongoDB a compare-and-set on the fields it
 * read, so a concurrent writer elsewhere makes the write match nothing (then return RETRY); an insert refused as a
 * duplicate is retried the same way.
 */
export async function readModifyWrite<R>(
  collection: mongo.Collection<AnyDoc>,
  id: unknown,
  step: (doc: AnyDoc | null, filter: ByIdFilter) => Promise<R | typeof RETRY>,
  /**
   * What the caller already knows of the document (from its own last write), used instead of reading it on the
   * first attempt; a write that then loses its compare-and-set reads it for real.
   */
  known?: () => AnyDoc | undefined,
): Promise<R> {
  const ferret = await isFerretDb(collection);
  const filter: ByIdFilter = (expected) => (ferret || !expected ? { _id: id } : { ...expected, _id: id });
  return withDocumentLock(collection, id, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const remembered = attempt === 0 ? known?.() : undefined;
      const doc = remembered !== undefined ? remembered : await collection.findOne({ _id: id });
      try {
        const result = await step(doc, filter);
        if (result !== RETRY) return result as R;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw new Error(`too many concurrent writers of ${String(id)}: gave up after ${MAX_ATTEMPTS} attempts`);
  });
}

/** The value at a dotted path of a document (undefined when any part is missing). */
export function valueAt(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The compare-and-set condition that `field` still holds `value` as read (absent: still absent). */
export function unchanged(field: string, value: unknown): Record<string, unknown> {
  return { [field]: value === undefined ? { $exists: false } : value };
}

/**
 * Updates document `id` with `update` if `accept(doc)` holds for it as read (a compare-and-set on MongoDB of the
 * fields `expected(doc)` names, with their values as read). False if there is no such document or it was not
 * accepted.
 */
export function updateIf<D extends mongo.Document>(
  collection: mongo.Collection<D>,
  id: unknown,
  accept: (doc: D) => boolean,
  expected: (doc: D) => Record<string, unknown>,
  update: mongo.UpdateFilter<D>,
): Promise<boolean> {
  return readModifyWrite(collection as mongo.Collection<AnyDoc>, id, async (doc: D | null, filter) => {
    if (!doc || !accept(doc)) return false;
    const result = await collection.updateOne(filter(expected(doc)), update);
    return result.matchedCount > 0 ? true : RETRY;
  });
}

/** Deletes document `id` if `accept(doc)` holds for it as read (compare-and-set on MongoDB as in updateIf). */
export function deleteIf<D extends mongo.Document>(
  collection: mongo.Collection<D>,
  id: unknown,
  accept: (doc: D) => boolean,
  expected: (doc: D) => Record<string, unknown>,
): Promise<boolean> {
  return readModifyWrite(collection as mongo.Collection<AnyDoc>, id, async (doc: D | null, filter) => {
    if (!doc || !accept(doc)) return false;
    const result = await collection.deleteOne(filter(expected(doc)));
    return result.deletedCount > 0 ? true : RETRY;
  });
}

/**
 * An update of one document by `_id` alone (`$set`, `$max`, `$addToSet`, `$pull`...) that several paths of the
 * process may make at once: run under the document's key lock, so that on FerretDB (where the server reads,
 * modifies and writes without isolation) none is lost within the process. Atomic on MongoDB anyway.
 */
export function updateById<D extends mongo.Document>(
  collection: mongo.Collection<D>,
  id: unknown,
  update: mongo.UpdateFilter<D>,
  options: { upsert?: boolean } = {},
): Promise<mongo.UpdateResult> {
  return withDocumentLock(collection, id, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await collection.updateOne({ _id: id } as mongo.Filter<D>, update, options);
      } catch (err) {
        // Two upserts of the same new document (another process): it exists now, so the second is an update.
        if (!options.upsert || !isDuplicateKey(err) || attempt >= 2) throw err;
      }
    }
  });
}

/**
 * Adds `value` to the sorted list `field` of document `id` (created if missing), under the document's lock, and
 * returns the list. Sorted and free of duplicates whatever the order of the additions, so that a read model made
 * of such lists is the same live and rebuilt by a replay. For side documents that list ids by a key.
 */
export function addToSortedList(collection: mongo.Collection<AnyDoc>, id: unknown, field: string, value: string): Promise<string[]> {
  return changeSortedList(collection, id, field, (list) => (list.includes(value) ? null : [...list, value]));
}

/** Removes `value` from the sorted list `field` of document `id`; a document whose list is left empty is deleted. */
export function removeFromSortedList(collection: mongo.Collection<AnyDoc>, id: unknown, field: string, value: string): Promise<string[]> {
  return changeSortedList(collection, id, field, (list) => (list.includes(value) ? list.filter((x) => x !== value) : null));
}

function changeSortedList(collection: mongo.Collection<AnyDoc>, id: unknown, field: string, change: (list: string[]) => string[] | null): Promise<string[]> {
  return withDocumentLock(collection, id, async () => {
    const doc = await collection.findOne({ _id: id });
    const list: string[] = Array.isArray(doc?.[field]) ? doc[field] : [];
    const next = change(list);
    if (!next) return list;
    const sorted = [...next].sort();
    if (sorted.length === 0) await collection.deleteOne({ _id: id });
    else await updateById(collection, id, { $set: { [field]: sorted } }, { upsert: true });
    return sorted;
  });
}
