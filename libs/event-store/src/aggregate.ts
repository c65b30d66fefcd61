/**
 * Runs a pure decider (Emmett style) against the store: load the stream (from a snapshot if there is one), decide,
 * append at the loaded version. A writer that appended in between makes the append fail with ConcurrencyError
 * (HTTP 409), never a lost update. Domain errors thrown by `decide` propagate unchanged.
 */
import type { Actor, DecidedEvent, Decider, EventEnvelope } from '@tracker/contracts';
import { ConcurrencyError } from './errors';
import type { EventStore } from './event-store';
import type { SnapshotStore } from './snapshot-store';

export interface SnapshotPolicy {
  store: SnapshotStore;
  /** Take a snapshot each time the stream's version crosses a multiple of `every`. */
  every: number;
  /** Version of the state's shape; snapshots of another version are ignored. */
  schemaVersion: number;
  /** A failed snapshot never fails the command; it is reported here. */
  onError?: (err: unknown) => void;
}

export interface LoadOptions {
  snapshots?: SnapshotPolicy;
}

/**
 * Folded states of recently handled streams, per process (LRU), so that a command need not read its stream again
 * (on FerretDB a stream read scans the collection). Safe when stale: the append at the cached version hits the
 * unique index if another instance wrote in between, and handleCommand then reloads and decides again. Deciders
 * must not mutate states (evolve returns a new one), as Emmett's deciders don't.
 */
export class AggregateCache<State> {
  private readonly entries = new Map<string, LoadedAggregate<State>>();
  constructor(private readonly maxEntries = 10_000) {}

  get(streamId: string): LoadedAggregate<State> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: LoadedAggregate<State>): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}

export interface LoadedAggregate<State> {
  state: State;
  /** 0 = the stream does not exist. */
  version: number;
  /** The snapshot version used, if any. */
  snapshotVersion?: number;
}

export interface HandleCommandOptions<State, Event> extends LoadOptions {
  /** If given, the command is refused with ConcurrencyError unless the stream is at this version (If-Match). */
  expectedVersion?: number;
  /** Kafka key of the new events; a function when it is only known from the state or the decided events. */
  agreementId: string | ((context: { state: State; events: readonly Event[]; streamId: string }) => string);
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
  /** Reuse (and keep) folded states between commands of this process. */
  cache?: AggregateCache<State>;
  /**
   * Called once the command is decided, just before its events are appended at `version` (the first new stream
   * version): what a crash-safe caller records first, so that after a crash it can tell by that key whether the
   * append happened (an Idempotency-Key's intent). If it throws, nothing is appended.
   */
  beforeAppend?: (next: { streamId: string; version: number }) => Promise<void>;
}

export interface HandleCommandResult<State> {
  newEvents: EventEnvelope[];
  state: State;
  version: number;
}

/** Folds a stream (snapshot + later events) into the decider's state. */
export async function loadAggregate<State, Command, Event extends DecidedEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamId: string,
  options: LoadOptions = {},
): Promise<LoadedAggregate<State>> {
  let state = decider.initialState();
  let version = 0;
  let snapshotVersion: number | undefined;
  const policy = options.snapshots;
  if (policy) {
    const snapshot = await policy.store.load<State>(streamId);
    if (snapshot && snapshot.schemaVersion === policy.schemaVersion) {
      state = snapshot.state;
      version = snapshot.version;
      snapshotVersion = snapshot.version;
    }
  }
  const events = await store.readStream(streamId, { from: version + 1 });
  for (const event of events) {
    state = decider.evolve(state, event as unknown as Event);
    version = event.streamVersion;
  }
  // A long read is taken once: the next load (another instance, a restart) starts from here.
  if (policy && policy.every > 0 && events.length >= policy.every) {
    await saveSnapshot(policy, { streamId, version, state });
  }
  return { state, version, snapshotVersion };
}

async function saveSnapshot<State>(policy: SnapshotPolicy, snapshot: { streamId: string; version: number; state: State }): Promise<void> {
  try {
    await policy.store.save({ ...snapshot, schemaVersion: policy.schemaVersion });
  } catch (err) {
    policy.onError?.(err);
  }
}

export async function handleCommand<State, Command, Event extends DecidedEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamId: string,
  command: Command,
  options: HandleCommandOptions<State, Event>,
): Promise<HandleCommandResult<State>> {
  const { cache, expectedVersion } = options;
  let cached = cache?.get(streamId);
  if (cached && expectedVersion !== undefined && cached.version !== expectedVersion) cached = undefined;
  try {
    return await decideAndAppend(store, decider, streamId, command, options, cached);
  } catch (err) {
    cache?.delete(streamId);
    // The cached state was behind another instance's write: decide again on the stored stream.
    if (cached && err instanceof ConcurrencyError) return decideAndAppend(store, decider, streamId, command, options, undefined);
    throw err;
  }
}

async function decideAndAppend<State, Command, Event extends DecidedEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  streamId: string,
  command: Command,
  options: HandleCommandOptions<State, Event>,
  cached: LoadedAggregate<State> | undefined,
): Promise<HandleCommandResult<State>> {
  const loaded = cached ?? (await loadAggregate(store, decider, streamId, options));
  if (options.expectedVersion !== undefined && options.expectedVersion !== loaded.version) {
    throw new ConcurrencyError(streamId, options.expectedVersion, loaded.version);
  }
  const decided = decider.decide(command, loaded.state);
  if (decided.length === 0) {
    options.cache?.set(streamId, { state: loaded.state, version: loaded.version });
    return { newEvents: [], state: loaded.state, version: loaded.version };
  }

  const agreementId =
    typeof options.agreementId === 'function'
      ? options.agreementId({ state: loaded.state, events: decided, streamId })
      : options.agreementId;
  await options.beforeAppend?.({ streamId, version: loaded.version + 1 });
  const newEvents = await store.append(streamId, decided, {
    expectedVersion: loaded.version,
    agreementId,
    actor: options.actor,
    correlationId: options.correlationId,
    causationId: options.causationId ?? null,
  });

  let state = loaded.state;
  for (const event of newEvents) state = decider.evolve(state, store.upcasters.upcast(event) as unknown as Event);
  const version = newEvents[newEvents.length - 1].streamVersion;
  options.cache?.set(streamId, { state, version });

  const policy = options.snapshots;
  if (policy && policy.every > 0 && Math.floor(version / policy.every) > Math.floor(loaded.version / policy.every)) {
    await saveSnapshot(policy, { streamId, version, state });
  }
  return { newEvents, state, version };
}
