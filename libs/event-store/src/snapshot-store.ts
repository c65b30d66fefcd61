/**
 * Optional snapshots of aggregate state, one document per stream (`_id` = stream id). A snapshot is a cache: it
 * can be deleted at any time and the state is rebuilt from the events. `schemaVersion` is the version of the
 * state's shape; a snapshot of another shape is ignored (bump it when evolve or an upcaster changes).
 */
import type { Connection, mongo } from 'mongoose';
import { toPlainJson } from './stored-event';
import { isDuplicateKey } from '@tracker/mongo';

export interface Snapshot<S = unknown> {
  streamId: string;
  /** The stream version the state includes. */
  version: number;
  state: S;
  schemaVersion: number;
  takenAt: Date;
}

interface SnapshotDoc {
  _id: string;
  version: number;
  state: unknown;
  schemaVersion: number;
  takenAt: Date;
}

export interface SnapshotStoreOptions {
  /** Default `snapshots`. */
  collection?: string;
  now?: () => Date;
}

export class SnapshotStore {
  readonly collectionName: string;
  private readonly now: () => Date;

  constructor(
    readonly connection: Connection,
    options: SnapshotStoreOptions = {},
  ) {
    this.collectionName = options.collection ?? 'snapshots';
    this.now = options.now ?? (() => new Date());
  }

  private get collection(): mongo.Collection<SnapshotDoc> {
    return this.connection.collection<SnapshotDoc>(this.collectionName);
  }

  async load<S>(streamId: string): Promise<Snapshot<S> | null> {
    const doc = await this.collection.findOne({ _id: streamId });
    if (!doc) return null;
    return {
      streamId,
      version: doc.version,
      state: doc.state as S,
      schemaVersion: doc.schemaVersion,
      takenAt: doc.takenAt,
    };
  }

  /**
   * Saves a snapshot unless a newer (or equal) one is stored already. The state is stored as plain JSON (dates
   * become ISO strings; keys must not contain "." or start with "$"). Returns whether it was written. By `_id`
   * only (a conditional filter would scan on FerretDB): two racing saves may leave the older of two snapshots,
   * which is still a true state at its version, so a snapshot stays a safe cache.
   */
  async save<S>(snapshot: { streamId: string; version: number; state: S; schemaVersion: number }): Promise<boolean> {
    const state = toPlainJson(snapshot.state, `snapshot state of ${snapshot.streamId}`);
    const stored = await this.collection.findOne({ _id: snapshot.streamId }, { projection: { version: 1, schemaVersion: 1 } });
    if (stored && stored.version >= snapshot.version && stored.schemaVersion === snapshot.schemaVersion) return false;
    const doc = { version: snapshot.version, state, schemaVersion: snapshot.schemaVersion, takenAt: this.now() };
    try {
      if (stored) await this.collection.replaceOne({ _id: snapshot.streamId }, doc);
      else await this.collection.insertOne({ _id: snapshot.streamId, ...doc });
      return true;
    } catch (err) {
      // Another writer created it meanwhile: theirs is as good.
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async delete(streamId: string): Promise<void> {
    await this.collection.deleteOne({ _id: streamId });
  }
}
