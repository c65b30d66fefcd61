/**
 * What the command path knows of the request it runs in, so that a request with an Idempotency-Key has the same
 * effect however often it is retried and wherever a process died along the way (ADR 0011):
 * - a new resource's id comes from the key's record (a UUID v7 drawn when the key was first reserved, so ids
 *   still sort by creation), so a retry finds the stream the first attempt created instead of creating another;
 * - before each append, the stream and version it will take are recorded in the key's record (an intent), so a
 *   retry after a crash can tell by one read whether the append happened;
 * - a retry that finds its effect already stored answers with it (`Idempotent-Replayed: true`).
 * Also, for every request: which events it stored, so that a failure after the append is not reported as a
 * failure of the command.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** The stream and version an append of a keyed request takes, and the request's correlation id. */
export interface AppendIntent {
  streamId: string;
  version: number;
  correlationId: string;
}

export interface KeyedRequest {
  scope: string;
  key: string;
  /** The id of the resource the request creates, kept in the key's record: the same on every attempt. */
  resourceId: string;
  /** Intents recorded by an earlier attempt of this key whose process died: its appends may have happened. */
  recovering: readonly AppendIntent[];
  /** Ids derived from the key in this request. */
  readonly derived: Set<string>;
  /** Set when the command found its effect already stored: the answer is a replay. */
  replayed: boolean;
  /** Records an intent in the key's record before the append. */
  recordIntent(intent: AppendIntent): Promise<void>;
}

interface RequestEffects {
  keyed?: KeyedRequest;
  stored: Array<{ streamId: string; version: number }>;
}

const storage = new AsyncLocalStorage<RequestEffects>();

/** Namespace of the ids of further resources one keyed request creates (UUID v5 of its resourceId). */
const KEYED_ID_NAMESPACE = '0d5f5b0e-8a5e-4f55-9a43-7c1c3f6f2a11';

export const requestEffects = {
  /** Runs a request's handling with its effects tracked (the HTTP middleware). */
  run<T>(fn: () => T): T {
    return storage.run({ stored: [] }, fn);
  },
  /** Runs `fn` as the handling of a request with an Idempotency-Key (inside the request's context if any). */
  withKey<T>(keyed: KeyedRequest, fn: () => T): T {
    const current = storage.getStore();
    if (!current) return storage.run({ keyed, stored: [] }, fn);
    current.keyed = keyed;
    return fn();
  },
  keyed(): KeyedRequest | undefined {
    return storage.getStore()?.keyed;
  },
  /** The event store appended `version` of `streamId` for this request. */
  stored(streamId: string, version: number): void {
    storage.getStore()?.stored.push({ streamId, version });
  },
  /** What this request stored so far. */
  storedSoFar(): ReadonlyArray<{ streamId: string; version: number }> {
    return storage.getStore()?.stored ?? [];
  },
};

/**
 * The id of a resource a command creates: with an Idempotency-Key, the one kept in the key's record (the same on
 * every retry; a second resource of the same request gets one derived from it and `kind`), else a new UUID v7.
 */
export function newResourceId(kind: string): string {
  const keyed = requestEffects.keyed();
  if (!keyed) return uuidv7();
  const id = keyed.derived.size === 0 ? keyed.resourceId : uuidv5(`${kind}\n${keyed.resourceId}`, KEYED_ID_NAMESPACE);
  keyed.derived.add(id);
  return id;
}

/** True when `id` was derived from this request's Idempotency-Key: a stream by that id is this request's effect. */
export function derivedFromKey(id: string): boolean {
  return requestEffects.keyed()?.derived.has(id) ?? false;
}

/** The command found its effect stored by an earlier attempt: the answer is a replay. */
export function markReplayed(): void {
  const keyed = requestEffects.keyed();
  if (keyed) keyed.replayed = true;
}
