/**
 * Runs the service's deciders against its event store and keeps their views current: `execute` loads the
 * stream (or a cached state), decides, appends at the loaded version, then writes every store projection of
 * that aggregate from the new state. Reads that every aggregate offers the same way (as-of, event history)
 * are here too.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type DecidedEvent, type EventEnvelope } from '@tracker/contracts';
import { AggregateCache, ConcurrencyError, handleCommand, type EventStore, type HandleCommandResult } from '@tracker/event-store';
import type { AggregateDefinition, ExecuteOptions } from './aggregate';
import type { FoldedStream, StoreProjection } from './projections';
import { ReadModels } from './read-models';
import { EVENT_STORE, SERVICE } from './tokens';
import type { ResolvedService } from './service-definition';

@Injectable()
export class Aggregates {
  /** Folded states of recent streams per aggregate: a command on a known stream needs no stream read. */
  private readonly caches = new Map<AggregateDefinition, AggregateCache<unknown>>();

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

  private viewsOf<S>(aggregate: AggregateDefinition<S>): StoreProjection<S>[] {
    return this.service.projections.filter((p): p is StoreProjection<S> => p.source === 'store' && p.aggregate === aggregate);
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
    const cache = this.cacheOf(aggregate);
    if (options.assume) cache.set(streamId, options.assume);
    const result = await handleCommand(this.store, aggregate.decider, streamId, command, {
      ...(expectedVersion !== undefined && { expectedVersion }),
      agreementId: ({ state, events }) => aggregate.agreementId({ id, state, events }),
      actor: options.actor,
      correlationId: options.correlationId,
      causationId: options.causationId ?? null,
      cache,
    }).catch((err: unknown) => {
      // A version expected of a stream that does not exist: the thing is unknown, not stale.
      if (err instanceof ConcurrencyError && err.actualVersion === 0 && expectedVersion) throw this.notFound(aggregate, id);
      throw err;
    });
    const { newEvents } = result;
    if (newEvents.length > 0) {
      const folded: FoldedStream<S> = { streamId, state: result.state, version: result.version, first: newEvents[0], last: newEvents.at(-1)! };
      for (const view of this.viewsOf(aggregate)) await view.write(this.readModels, folded);
    }
    return result;
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
    const folded: FoldedStream<S> = { streamId: aggregate.streamId(id), state, version: events.at(-1)!.streamVersion, first: events[0], last: events.at(-1)! };
    for (const view of behind) await view.write(this.readModels, folded);
  }

  /** The aggregate's state as recorded at `at`; 404 when it did not exist then (saying whether it exists now). */
  async asOf<S extends { exists: boolean }>(aggregate: AggregateDefinition<S>, id: string, at: Date, notYet: string): Promise<{ state: S & { exists: true }; version: number }> {
    const streamId = aggregate.streamId(id);
    const { state, version } = await this.store.stateAsOf<S>(streamId, at, (s, e) => aggregate.decider.evolve(s, e as never), aggregate.decider.initialState());
    if (!state.exists) {
      const exists = (await this.store.streamVersion(streamId)) > 0;
      throw exists ? new DomainError('not-found', `${aggregate.name} ${id} was not yet ${notYet} at ${at.toISOString()}`) : this.notFound(aggregate, id);
    }
    return { state: state as S & { exists: true }, version };
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
