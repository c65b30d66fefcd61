/**
 * Reactors: what a service does because an event happened, with side effects (derive an agreement's status,
 * raise an alert, queue a webhook). They run live only, never in a replay, so a rebuild never notifies anyone
 * twice. A reactor that reads a read model runs after the projection that writes it, in that projection's
 * consumer (same order, same commit); one that reads nothing of ours has a consumer group of its own.
 */
import type { Type } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import type { ConsumerContext } from '@tracker/messaging';
import type { Projected } from './projections';

/** A provider of the service (resolved from its module) that reacts to one consumed event. Must be idempotent. */
export interface EventReactor {
  react(event: EventEnvelope, ctx: ConsumerContext): Promise<void>;
  /**
   * The effect of `react` on each of `events` in turn, after the projection's applyMany folded them all: what the
   * read model held after each event is in `projected` (the projection's answer), since reading it now gives only
   * the state after the last. Without it, the projection's consumer handles events one at a time.
   */
  reactMany?(events: readonly EventEnvelope[], ctx: ConsumerContext, projected: Projected): Promise<void>;
}

export type ReactorDefinition =
  | { /** The projection (by name) whose consumer runs this reactor, after the projection applied the event. */ after: string; handler: Type<EventReactor> }
  | { /** Consumer group `<service>.<name>`. */ name: string; topics: readonly string[]; handler: Type<EventReactor> };
