/**
 * Makes a retried POST return the first result instead of doing the work twice (`Idempotency-Key` header).
 * A key is reserved before the work (unique _id, single-document atomicity: no transactions needed), completed
 * with the response after it, and released if the work failed, so the client may retry. Keys are scoped to the
 * caller and expire by a periodic sweep (no TTL index: FerretDB v1 has none). Every access on the request path
 * is an insert or by exact `_id` (FerretDB v1 scans the collection for any other filter): a conditional write
 * reads the key by `_id`, decides, and writes by `_id` (a compare-and-set on MongoDB; see @tracker/mongo by-id).
 */
import { createHash } from 'node:crypto';
import type { Collection, Connection } from 'mongoose';
import { deleteIf, isDuplicateKey, updateById, updateIf } from '@tracker/mongo';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface IdempotencyDoc {
  _id: string;
  requestHash: string;
  state: 'pending' | 'done';
  response?: StoredResponse;
  createdAt: Date;
}

export type IdempotencyOutcome =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export class IdempotencyStore {
  private readonly collection: Collection<IdempotencyDoc>;

  constructor(
    connection: Connection,
    collectionName = 'idempotency_keys',
    private readonly abandonAfterMs = 60_000,
  ) {
    this.collection = connection.collection<IdempotencyDoc>(collectionName);
  }

  async init(): Promise<void> {
    await this.collection.createIndex({ createdAt: 1 });
  }

  static requestHash(method: string, path: string, body: unknown): string {
    return createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`).digest('hex');
  }

  /** Reserves `key` for this request, or says what the earlier request with the same key did. */
  async begin(scope: string, key: string, requestHash: string, now = new Date()): Promise<IdempotencyOutcome> {
    const _id = `${scope}:${key}`;
    try {
      await this.collection.insertOne({ _id, requestHash, state: 'pending', createdAt: now });
      return { kind: 'new' };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await this.collection.findOne({ _id });
    if (!existing) return this.begin(scope, key, requestHash, now); // released meanwhile: try again
    if (existing.requestHash !== requestHash) return { kind: 'mismatch' };
    if (existing.state === 'pending' || !existing.response) {
      // A reservation whose holder died (crash between reserve and complete) is taken over after a while.
      if (now.getTime() - existing.createdAt.getTime() > this.abandonAfterMs) {
        const taken = await updateIf(
          this.collection,
          _id,
          (doc) => doc.state === 'pending' && doc.createdAt.getTime() === existing.createdAt.getTime(),
          (doc) => ({ state: doc.state, createdAt: doc.createdAt }),
          { $set: { createdAt: now } },
        );
        if (taken) return { kind: 'new' };
      }
      return { kind: 'in-progress' };
    }
    return { kind: 'replay', response: existing.response };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await updateById(this.collection, `${scope}:${key}`, { $set: { state: 'done', response } });
  }

  /** The work failed: forget the key so that a retry runs it again. */
  async release(scope: string, key: string): Promise<void> {
    await deleteIf(this.collection, `${scope}:${key}`, (doc) => doc.state === 'pending', (doc) => ({ state: doc.state }));
  }

  /** Removes keys older than `maxAgeMs`; call periodically. */
  async sweep(maxAgeMs: number, now = new Date()): Promise<number> {
    const result = await this.collection.deleteMany({ createdAt: { $lt: new Date(now.getTime() - maxAgeMs) } });
    return result.deletedCount;
  }
}
