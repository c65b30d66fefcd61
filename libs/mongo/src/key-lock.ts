/**
 * One writer at a time per document within this process: every read-modify-write of one document (read by
 * `_id`, decide in process, write by `_id`) runs under the document's key, so two handlers, a command and a
 * consumer, or a scheduler and a consumer of the same process never interleave their reads and writes. This is
 * what makes a connection pool larger than one safe within a process on FerretDB, whose updates are not
 * isolated between connections (FerretDB issue 3040). Across processes the write itself must be conditional
 * (MongoDB) or the document must have one writer (see `conditionalFilter`).
 *
 * Re-entrant: code already holding a key (in the same async context) runs at once instead of waiting for itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { mongo } from 'mongoose';

const tails = new Map<string, Promise<void>>();
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** Runs `work` when no other work under `key` runs in this process, in arrival order. */
export async function withKeyLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(key)) return work();
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => done);
  tails.set(key, tail);
  await previous;
  try {
    return await held.run(new Set([...(mine ?? []), key]), work);
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/** Keys waited on or held right now (for tests: an idle process holds none). */
export function lockedKeys(): number {
  return tails.size;
}

// Either the driver's collection or mongoose's wrapper of it (`connection.collection(name)`).
interface CollectionLike {
  collectionName: string;
  dbName?: string;
  conn?: { name?: string };
}

/** `<database>.<collection>`, whichever kind of collection object it is. */
export function namespaceOf(collection: mongo.Collection<never> | object): string {
  const c = collection as unknown as CollectionLike;
  return `${c.dbName ?? c.conn?.name ?? '?'}.${c.collectionName}`;
}

/** The key of document `id` of `collection`. */
export function documentKey(collection: object, id: unknown): string {
  const kind = typeof id === 'string' ? 's' : 'o';
  return `${namespaceOf(collection)}#${kind}:${String(id)}`;
}

/** Runs a read-modify-write of document `id` under its key (see above). */
export function withDocumentLock<T>(collection: object, id: unknown, work: () => Promise<T>): Promise<T> {
  return withKeyLock(documentKey(collection, id), work);
}
