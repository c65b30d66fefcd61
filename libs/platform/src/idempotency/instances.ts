/**
 * The running processes of a service, so that one can tell a live holder of an Idempotency-Key from a dead one:
 * each process has an id, writes `aliveAt` into its document every `beatMs`, and deletes it when it stops. A
 * holder whose document is missing or older than `deadAfterMs` is dead (SIGKILL, crash, lost host): its pending
 * requests are resolved by reading the store at once, not after a timeout. Every access is by `_id`.
 */
import type { Collection, Connection } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { updateById } from '@tracker/mongo';

interface InstanceDoc {
  _id: string;
  aliveAt: Date;
  startedAt: Date;
  pid: number;
}

export interface ProcessInstancesOptions {
  collectionName?: string;
  beatMs?: number;
  deadAfterMs?: number;
  now?: () => Date;
}

export class ProcessInstances {
  /** This process. */
  readonly id = uuidv7();
  private readonly collection: Collection<InstanceDoc>;
  private readonly beatMs: number;
  private readonly deadAfterMs: number;
  private readonly now: () => Date;
  private timer?: NodeJS.Timeout;

  constructor(connection: Connection, options: ProcessInstancesOptions = {}) {
    this.collection = connection.collection<InstanceDoc>(options.collectionName ?? 'service_instances');
    this.beatMs = options.beatMs ?? 2000;
    this.deadAfterMs = options.deadAfterMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    const now = this.now();
    await updateById(this.collection, this.id, { $set: { aliveAt: now, startedAt: now, pid: process.pid } }, { upsert: true });
    this.timer = setInterval(() => {
      // A missed beat (the database away) is harmless: the next one catches up; others wait deadAfterMs.
      updateById(this.collection, this.id, { $set: { aliveAt: this.now() } }, { upsert: true }).catch(() => undefined);
    }, this.beatMs);
    this.timer.unref();
  }

  /** Nest calls this on shutdown: a process that stops cleanly is known to be gone at once. */
  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.collection.deleteOne({ _id: this.id }).catch(() => undefined);
  }

  /** Forgets processes silent for `maxAgeMs` (killed ones leave their document); call periodically. */
  async sweep(maxAgeMs: number, now = this.now()): Promise<number> {
    const result = await this.collection.deleteMany({ aliveAt: { $lt: new Date(now.getTime() - maxAgeMs) } });
    return result.deletedCount;
  }

  /** True for this process, and for another whose last beat is recent. */
  async isAlive(id: string | undefined): Promise<boolean> {
    if (!id) return false;
    if (id === this.id) return true;
    const doc = await this.collection.findOne({ _id: id });
    return !!doc && this.now().getTime() - doc.aliveAt.getTime() < this.deadAfterMs;
  }
}
