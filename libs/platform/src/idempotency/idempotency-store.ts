/**
 * Makes a retried POST return the first result instead of doing the work twice (`Idempotency-Key` header).
 * A key is reserved before the work (unique _id, single-document atomicity: no transactions needed), completed
 * with the response after it, and released if the work failed before storing anything, so the client may retry.
 * The reservation names the process holding it: one held by a dead process (ProcessInstances) is taken over at
 * once and resolved from the event store, with the intents the dead attempt recorded before its appends
 * (keyed-request.ts); without a live-process registry, after `abandonAfterMs`. Keys are scoped to the
 * caller and expire by a periodic sweep (no TTL index: FerretDB v1 has none). Every access on the request path
 * is an insert or by exact `_id` (FerretDB v1 scans the collection for any other filter): a conditional write
 * reads the key by `_id`, decides, and writes by `_id` (a compare-and-set on MongoDB; see @tracker/mongo by-id).
 */
import { createHash } from 'node:crypto';
import type { Collection, Connection } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { deleteIf, isDuplicateKey, updateById, updateIf } from '@tracker/mongo';
import type { ProcessInstances } from './instances';
import type { AppendIntent } from './keyed-request';

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
  /** The process running the request (ProcessInstances id). */
  holder?: string;
  /** Appends the request was about to make, recorded before each. */
  intents?: AppendIntent[];
  /** The id of the resource the request creates (newResourceId), drawn at the first reservation. */
  resourceId?: string;
}

export type IdempotencyOutcome =
  | { kind: 'new'; resourceId: string }
  /** The earlier attempt's process died before completing: run again, resolving its intents from the store. */
  | { kind: 'recover'; intents: AppendIntent[]; resourceId: string }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export class IdempotencyStore {
  private readonly collection: Collection<IdempotencyDoc>;
  /** Keys this process is running a request for now. */
  private readonly inFlight = new Set<string>();

  constructor(
    connection: Connection,
    collectionName = 'idempotency_keys',
    private readonly abandonAfterMs = 60_000,
    private readonly instances?: ProcessInstances,
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
    const holder = this.instances?.id;
    const resourceId = uuidv7();
    try {
      await this.collection.insertOne({ _id, requestHash, state: 'pending', createdAt: now, resourceId, ...(holder && { holder }) });
      this.inFlight.add(_id);
      return { kind: 'new', resourceId };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await this.collection.findOne({ _id });
    if (!existing) return this.begin(scope, key, requestHash, now); // released meanwhile: try again
    if (existing.requestHash !== requestHash) return { kind: 'mismatch' };
    if (existing.state === 'done' && existing.response) return { kind: 'replay', response: existing.response };
    if (!(await this.abandoned(existing, now))) return { kind: 'in-progress' };
    // Taken over only if still as read: of two retries racing for it, one recovers, the other is in progress.
    const taken = await updateIf(
      this.collection,
      _id,
      (doc) => doc.state === 'pending' && doc.holder === existing.holder && doc.createdAt.getTime() === existing.createdAt.getTime(),
      (doc) => ({ state: doc.state, holder: doc.holder, createdAt: doc.createdAt }),
      { $set: { createdAt: now, ...(holder && { holder }) } },
    );
    if (!taken) return { kind: 'in-progress' };
    this.inFlight.add(_id);
    return { kind: 'recover', intents: existing.intents ?? [], resourceId: existing.resourceId ?? uuidv7() };
  }

  /** A pending reservation nobody is working on: its process is dead, or it is this one and the request ended. */
  private async abandoned(doc: IdempotencyDoc, now: Date): Promise<boolean> {
    if (this.instances && doc.holder) {
      if (doc.holder === this.instances.id) return !this.inFlight.has(doc._id);
      return !(await this.instances.isAlive(doc.holder));
    }
    return now.getTime() - doc.createdAt.getTime() > this.abandonAfterMs;
  }

  /** Records, before an append, the stream and version it will take (found again by a retry after a crash). */
  async recordIntent(scope: string, key: string, intent: AppendIntent): Promise<void> {
    await updateById(this.collection, `${scope}:${key}`, { $push: { intents: intent } });
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    try {
      await updateById(this.collection, `${scope}:${key}`, { $set: { state: 'done', response }, $unset: { intents: '' } });
    } finally {
      this.inFlight.delete(`${scope}:${key}`);
    }
  }

  /** The work failed before storing anything: forget the key so that a retry runs it again. */
  async release(scope: string, key: string): Promise<void> {
    try {
      await deleteIf(this.collection, `${scope}:${key}`, (doc) => doc.state === 'pending', (doc) => ({ state: doc.state }));
    } finally {
      this.inFlight.delete(`${scope}:${key}`);
    }
  }

  /**
   * The work failed after storing something (a later step failed): the key stays reserved, and this process lets
   * go of it, so the next retry recovers it from the store instead of running the command again.
   */
  abandon(scope: string, key: string): void {
    this.inFlight.delete(`${scope}:${key}`);
  }

  /** Removes keys older than `maxAgeMs`; call periodically. */
  async sweep(maxAgeMs: number, now = new Date()): Promise<number> {
    const result = await this.collection.deleteMany({ createdAt: { $lt: new Date(now.getTime() - maxAgeMs) } });
    return result.deletedCount;
  }
}
