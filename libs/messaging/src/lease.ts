/**
 * A time-bound lease in one document ({_id, owner, expiresAt}): at most one owner at a time, taken over when it
 * expires. Acquire and renew are the same atomic findOneAndUpdate, whose filter matches only a lease that is
 * mine or expired; if it matches nothing, the upsert tries to insert the same _id and the duplicate key error
 * says that someone else holds it. Works on MongoDB and FerretDB (no transactions, no TTL index needed).
 *
 * A lease is not a fence: an owner paused longer than the lease may still act for a moment after losing it. The
 * outbox relay tolerates that (it may only cause duplicate sends, never reordering; see docs/adr/0003).
 * Expiry compares instances' clocks: keep them NTP-synchronized, and ttlMs well above the clock skew.
 */
import type { Connection, mongo } from 'mongoose';
import { isDuplicateKey, withDocumentLock } from '@tracker/mongo';

export interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
  renewedAt: Date;
}

export interface LeaseOptions {
  /** Lease document id, e.g. `outbox:agreements.events`. */
  name: string;
  /** Unique per instance. */
  owner: string;
  ttlMs: number;
  /** Default `leases`. */
  collection?: string;
  now?: () => Date;
}

export class Lease {
  readonly name: string;
  readonly owner: string;
  private readonly ttlMs: number;
  private readonly collectionName: string;
  private readonly now: () => Date;
  private heldUntil = 0;

  constructor(
    private readonly connection: Connection,
    options: LeaseOptions,
  ) {
    this.name = options.name;
    this.owner = options.owner;
    this.ttlMs = options.ttlMs;
    this.collectionName = options.collection ?? 'leases';
    this.now = options.now ?? (() => new Date());
  }

  private get collection(): mongo.Collection<LeaseDoc> {
    return this.connection.collection<LeaseDoc>(this.collectionName);
  }

  /** Whether this instance believes it holds the lease (by its own clock). */
  get held(): boolean {
    return this.heldUntil > this.now().getTime();
  }

  /** Acquires or renews the lease. True if this instance holds it now. */
  async acquire(): Promise<boolean> {
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    try {
      // One conditional update: atomic on MongoDB across processes. Under the document's lock because FerretDB
      // does not isolate it between connections (leases are a handful of documents: its scan costs nothing).
      const doc = await withDocumentLock(this.collection, this.name, () =>
        this.collection.findOneAndUpdate(
          { _id: this.name, $or: [{ owner: this.owner }, { expiresAt: { $lte: now } }] },
          { $set: { owner: this.owner, expiresAt, renewedAt: now } },
          { upsert: true, returnDocument: 'after' },
        ),
      );
      const mine = doc?.owner === this.owner;
      this.heldUntil = mine ? expiresAt.getTime() : 0;
      return mine;
    } catch (err) {
      this.heldUntil = 0;
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Gives the lease up (if this instance holds it) so another can take it at once. */
  async release(): Promise<void> {
    this.heldUntil = 0;
    await withDocumentLock(this.collection, this.name, () =>
      this.collection.updateOne({ _id: this.name, owner: this.owner }, { $set: { expiresAt: new Date(0) } }),
    );
  }

  /** The current holder, if the lease is held by anyone. */
  async holder(): Promise<{ owner: string; expiresAt: Date } | null> {
    const doc = await this.collection.findOne({ _id: this.name });
    if (!doc || doc.expiresAt.getTime() <= this.now().getTime()) return null;
    return { owner: doc.owner, expiresAt: doc.expiresAt };
  }
}
