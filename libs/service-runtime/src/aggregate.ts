/**
 * An aggregate as a service declares it: its pure decider and how its streams are named. The runtime runs its
 * commands (`Aggregates.execute`) and keeps the aggregate's views (store projections) current after each one.
 */
import type { Actor, DecidedEvent, Decider, EventEnvelope } from '@tracker/contracts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface AggregateDefinition<State = any, Command = any, Event extends DecidedEvent = any> {
  /** In the users' words, as errors name it: `milestone 0199… not found`. */
  name: string;
  decider: Decider<State, Command, Event>;
  streamId(id: string): string;
  /** The aggregate's id from one of its stored events. */
  idOf(event: EventEnvelope): string;
  /** Whether a stored or consumed event is one of this aggregate's. */
  owns(event: EventEnvelope): boolean;
  /** The Kafka key of new events (the agreement they are about), from the state before and the decided events. */
  agreementId(context: { id: string; state: State; events: readonly Event[] }): string;
  /**
   * Version of the state's shape, for snapshots (a stream's folded state, kept every 50 events so that a long
   * stream loads from there). A snapshot of another version is ignored. The runtime also tells apart snapshots
   * taken by a changed `evolve` (its source is fingerprinted); bump this when a helper `evolve` calls changes what
   * a state holds. Default 1.
   */
  stateVersion?: number;
}

/** Who asks and why: becomes the new events' actor, correlation and causation ids. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
}

export interface ExecuteOptions<State = unknown> extends CommandContext {
  /** The client's If-Match version: refused with 409 unless the stream is at it (404 if the stream does not exist). */
  expectedVersion?: number;
  /**
   * The state the caller believes the stream is in (from a view), to decide without reading the stream; a wrong
   * belief only costs a reload: the append at its version is refused and the command is decided again.
   */
  assume?: { state: State; version: number };
}

/** Declares an aggregate (typed by its decider). */
export function defineAggregate<State, Command, Event extends DecidedEvent>(
  definition: AggregateDefinition<State, Command, Event>,
): AggregateDefinition<State, Command, Event> {
  return definition;
}

/**
 * The Kafka key of an aggregate that belongs to an agreement and names it in its state and its first event's
 * data (`agreementId`): the state's once it exists, else the event that creates it.
 */
export function agreementOfStream<S>(context: { state: S; events: ReadonlyArray<{ data: unknown }> }): string {
  const state = context.state as { exists?: boolean; agreementId?: string };
  return state.exists && state.agreementId ? state.agreementId : (context.events[0].data as { agreementId: string }).agreementId;
}
