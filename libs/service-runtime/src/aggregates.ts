/**
 * Runs the service's deciders against its event store and keeps their views current: `execute` loads the
 * stream (or a cached state), decides, appends at the loaded version, then writes every store projection of
 * that aggregate from the new state. Reads that every aggregate offers the same way (as-of, event history)
 * are here too.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, type DecidedEvent, type EventEnvelope } from '@tracker/contracts';
import {
  AggregateCache,
  ConcurrencyError,
  eventsAt,
  handleCommand,
  isCorrection,
  knownBy,
  loadAggregate,
  type EventStore,
  type HandleCommandResult,
  type SnapshotPolicy,
  type SnapshotStore,
  type TwoClocks,
} from '@tracker/event-store';
import { derivedFromKey, markReplayed, requestEffects, type KeyedRequest } from '@tracker/platform';
import type { AggregateDefinition, ExecuteOptions } from './aggregate';
import { latestOccurredAt, type FoldedStream, type StoreProjection } from './projections';
import { ReadModels } from './read-models';
import { EVENT_STORE, SERVICE } from './tokens';
import type { ResolvedService } from './service-definition';

/** A stream's state is kept as a snapshot every this many events (and after a longer read without one). */
const SNAPSHOT_EVERY = 50;

/** Snapshot shape version: the definition's stateVersion and a fingerprint of its evolve (a changed fold). */
function snapshotVersionOf(aggregate: AggregateDefinition): number {
  const digest = createHash('sha256').update(aggregate.decider.evolve.toString()).digest();
  return (aggregate.stateVersion ?? 1) * 1_000_000 + (digest.readUInt32BE(0) % 1_000_000);
}

/** A command's events are stored but its views could not be written: they catch up from the store. */
export class StoredButNotShownError extends Error {
  override readonly name = 'StoredButNotShownError';
  constructor(
    readonly streamId: string,
    readonly version: number,
    readonly views: readonly string[],
  ) {
    super(`${streamId}@${version} stored; views ${views.join(', ')} not yet written`);
  }
}

@Injectable()
export class Aggregates {
  private readonly logger = new Logger('Aggregates');
  /** Folded states of recent streams per aggregate: a command on a known stream needs no stream read. */
  private readonly caches = new Map<AggregateDefinition, AggregateCache<unknown>>();
  private readonly policies = new Map<AggregateDefinition, SnapshotPolicy>();
  private snapshotStore?: SnapshotStore;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SERVICE) private readonly service: ResolvedService,
    private readonly readModels: ReadModels,
  ) {}

  private cacheOf<S>(aggregate: AggregateDefinition<S>): AggregateCache<S> {
    let cache = this.caches.get(aggregate);
    if (!cache) this.caches.set(aggregate, (cache = new AggregateCache<unknown>()));
    return cache as AggregateCache<S>;
  }

  private snapshotsOf(aggregate: AggregateDefinition): SnapshotPolicy {
    let policy = this.policies.get(aggregate);
    if (!policy) {
      this.snapshotStore ??= this.store.snapshots();
      policy = {
        store: this.snapshotStore,
        every: SNAPSHOT_EVERY,
        schemaVersion: snapshotVersionOf(aggregate),
        onError: (err) => this.logger.warn(`snapshot of a ${aggregate.name} not saved: ${(err as Error).message}`),
      };
      this.policies.set(aggregate, policy);
    }
    return policy;
  }

  private viewsOf<S>(aggregate: AggregateDefinition<S>): StoreProjection<S>[] {
    return this.service.projections.filter((p): p is StoreProjection<S> => p.source === 'store' && p.aggregate === aggregate);
  }

  /** The state of aggregate `id` as this process last saw it (from its cache; undefined: not cached). */
  cachedState<S>(aggregate: AggregateDefinition<S>, id: string): S | undefined {
    return this.cacheOf(aggregate).get(aggregate.streamId(id))?.state;
  }

  /** Decides `command` on aggregate `id` and appends what it decided; its views are written before this returns. */
  async execute<S, C, E extends DecidedEvent>(
    aggregate: AggregateDefinition<S, C, E>,
    id: string,
    command: C,
    options: ExecuteOptions<S>,
  ): Promise<HandleCommandResult<S>> {
    const { expectedVersion } = options;
    const streamId = aggregate.streamId(id);
    const keyed = requestEffects.keyed();
    // A retry of a keyed request whose first attempt may have appended before its process died: if it did, that
    // is this command's effect (answered as a replay), not a reason to append again.
    const earlier = keyed && (await this.storedByEarlierAttempt(aggregate, id, keyed));
    if (earlier) return earlier;
    const cache = this.cacheOf(aggregate);
    if (options.assume) cache.set(streamId, options.assume);
    const result = await handleCommand(this.store, aggregate.decider, streamId, command, {
      ...(expectedVersion !== undefined && { expectedVersion }),
      agreementId: ({ state, events }) => aggregate.agreementId({ id, state, events }),
      actor: options.actor,
      correlationId: options.correlationId,
      causationId: options.causationId ?? null,
      cache,
      snapshots: this.snapshotsOf(aggregate),
      ...(keyed && { beforeAppend: ({ version }) => keyed.recordIntent({ streamId, version, correlationId: options.correlationId }) }),
    }).catch(async (err: unknown) => {
      // A version expected of a stream that does not exist: the thing is unknown, not stale.
      if (err instanceof ConcurrencyError && err.actualVersion === 0 && expectedVersion) throw this.notFound(aggregate, id);
      // Creating a stream whose id this request's Idempotency-Key derived: an earlier attempt of it created it.
      if (err instanceof ConcurrencyError && expectedVersion === 0 && derivedFromKey(id)) return this.replayed(aggregate, id);
      throw err;
    });
    const { newEvents } = result;
    if (newEvents.length > 0) {
      requestEffects.stored(streamId, result.version);
      const folded: FoldedStream<S> = {
        streamId,
        state: result.state,
        version: result.version,
        first: newEvents[0],
        last: newEvents.at(-1)!,
        latestOccurredAt: latestOccurredAt(newEvents),
      };
      const failed: string[] = [];
      for (const view of this.viewsOf(aggregate)) {
        try {
          await view.write(this.readModels, folded);
        } catch (err) {
          // The view is brought up to the stream when the event comes back from the topic (ServiceRuntime.project).
          this.logger.warn(`view ${view.name} of ${streamId}@${result.version} not written (${(err as Error).message}); healed from the store`);
          failed.push(view.name);
        }
      }
      // The command succeeded (its events are stored), but its answer, read from the views, would be wrong: the
      // platform answers 202 "stored" for a request that stored something and then failed (problem.filter.ts).
      if (failed.length > 0) throw new StoredButNotShownError(streamId, result.version, failed);
    }
    return result;
  }

  /** The stored state of aggregate `id` as the answer to a retried request (views brought up to it first). */
  private async replayed<S>(aggregate: AggregateDefinition<S>, id: string): Promise<HandleCommandResult<S>> {
    const streamId = aggregate.streamId(id);
    const loaded = await loadAggregate(this.store, aggregate.decider, streamId, { snapshots: this.snapshotsOf(aggregate) });
    await this.refresh(aggregate, id, loaded.version);
    markReplayed();
    return { newEvents: [], state: loaded.state, version: loaded.version };
  }

  /** The earlier attempt's append to this stream, if its intent is recorded and the event is stored. */
  private async storedByEarlierAttempt<S>(aggregate: AggregateDefinition<S>, id: string, keyed: KeyedRequest): Promise<HandleCommandResult<S> | undefined> {
    const streamId = aggregate.streamId(id);
    for (const intent of keyed.recovering) {
      if (intent.streamId !== streamId) continue;
      const [event] = await this.store.readStream(streamId, { from: intent.version, limit: 1 });
      if (event?.streamVersion === intent.version && event.correlationId === intent.correlationId) return this.replayed(aggregate, id);
    }
    return undefined;
  }

  /**
   * Brings the views of aggregate `id` up to its stored stream when they hold less than `atLeastVersion` (after
   * a crash between append and write, when the service's own event returns, or before answering 404).
   */
  async refresh<S>(aggregate: AggregateDefinition<S>, id: string, atLeastVersion: number, views = this.viewsOf(aggregate)): Promise<void> {
    const behind: StoreProjection<S>[] = [];
    for (const view of views) if ((await view.version(this.readModels, id)) < atLeastVersion) behind.push(view);
    if (behind.length === 0) return;
    const events = await this.store.readStream(aggregate.streamId(id));
    if (events.length === 0) return;
    const state = events.reduce((s, e) => aggregate.decider.evolve(s, e as never), aggregate.decider.initialState());
    const folded: FoldedStream<S> = {
      streamId: aggregate.streamId(id),
      state,
      version: events.at(-1)!.streamVersion,
      first: events[0],
      last: events.at(-1)!,
      latestOccurredAt: latestOccurredAt(events),
    };
    for (const view of behind) await view.write(this.readModels, folded);
  }

  /**
   * The aggregate's state at business time `validAt` as recorded by `knownAt` (either or both; ADR 0008): the
   * stream's events known then, those that had happened by validAt, folded in business-time order with the
   * corrections known then applied. 404 when it did not exist then, saying which clock ruled it out.
   */
  async at<S extends { exists: boolean }>(
    aggregate: AggregateDefinition<S>,
    id: string,
    clocks: TwoClocks,
    /** In the 404: what its first event means in record time ("registered") and in business time ("signed"). */
    what: { recorded: string; happened: string },
  ): Promise<{ state: S & { exists: true }; version: number; validAt: string | null; knownAt: string | null }> {
    const events = await this.store.readStream(aggregate.streamId(id));
    if (events.length === 0) throw this.notFound(aggregate, id);
    const folded = eventsAt(events, clocks);
    const state = folded.reduce((s, e) => aggregate.decider.evolve(s, e as never), aggregate.decider.initialState());
    if (!state.exists) {
      const known = clocks.knownAt && knownBy(events, clocks.knownAt).length === 0;
      throw new DomainError(
        'not-found',
        known
          ? `${aggregate.name} ${id} was not yet ${what.recorded} at ${clocks.knownAt!.toISOString()} (knownAt: the time it was recorded)`
          : `${aggregate.name} ${id} was not yet ${what.happened} at ${clocks.validAt!.toISOString()} (validAt: the time it happened)`,
      );
    }
    return {
      state: state as S & { exists: true },
      version: folded.reduce((v, e) => Math.max(v, e.streamVersion), 0),
      validAt: clocks.validAt?.toISOString() ?? null,
      knownAt: clocks.knownAt?.toISOString() ?? null,
    };
  }

  /**
   * An event of the aggregate by id, as read (upcast): with the types of the events after it, and the corrections
   * of it recorded so far (in order), for a correction to decide on what the event says now.
   */
  async event(
    aggregate: AggregateDefinition,
    id: string,
    eventId: string,
    /** How the event's data names a corrected field (default: as the correction names it). */
    fieldOf: (type: string, field: string) => string = (_, field) => field,
  ): Promise<{ event: EventEnvelope; laterOfType: ReadonlySet<string>; now: { data: Record<string, unknown>; occurredAt: string } } | null> {
    const events = await this.store.readStream(aggregate.streamId(id));
    const index = events.findIndex((e) => e.eventId === eventId);
    if (index < 0) return null;
    const event = events[index];
    const later = events.slice(index + 1);
    // What the event says now: its data and business time with the corrections recorded so far applied.
    let now = { data: event.data as Record<string, unknown>, occurredAt: event.occurredAt };
    for (const c of later) {
      if (!isCorrection(c) || (c.data as { correctsEventId: string }).correctsEventId !== eventId) continue;
      const { changes, occurredAt } = c.data as { changes: Record<string, unknown>; occurredAt?: string };
      const named = Object.fromEntries(Object.entries(changes).map(([field, value]) => [fieldOf(event.type, field), value]));
      now = { data: { ...now.data, ...named }, occurredAt: occurredAt ?? now.occurredAt };
    }
    return { event, laterOfType: new Set(later.filter((e) => !isCorrection(e)).map((e) => e.type)), now };
  }

  /** A page of the aggregate's events from stream version `from` (auditors' history). */
  async history(aggregate: AggregateDefinition, id: string, from: number, limit: number): Promise<{ items: EventEnvelope[]; streamVersion: number; nextFrom: number | null }> {
    const streamId = aggregate.streamId(id);
    const version = await this.store.streamVersion(streamId);
    if (version === 0) throw this.notFound(aggregate, id);
    const items = await this.store.readStream(streamId, { from, limit });
    const last = items.at(-1)?.streamVersion ?? from - 1;
    return { items, streamVersion: version, nextFrom: last < version ? last + 1 : null };
  }

  notFound(aggregate: AggregateDefinition, id: string): DomainError {
    return new DomainError('not-found', `${aggregate.name} ${id} not found`);
  }
}
