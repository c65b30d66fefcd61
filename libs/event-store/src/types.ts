import type { Actor, EventEnvelope, NewEvent } from '@tracker/contracts';

/**
 * - a number: the stream must be exactly at this version (0 = must not exist);
 * - `'none'`: the stream must not exist yet;
 * - `'any'`: append after whatever is there (retried on a race; if a race splits a multi-event append, the rest
 *   follows the other writer's events, still in order).
 */
export type ExpectedVersion = number | 'none' | 'any';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** Kafka key of the published events: everything about one agreement stays in order on one partition. */
  agreementId: string;
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
}

export interface ReadStreamOptions {
  /**
   * First version to read, inclusive. Forward: default 1. Backward: default the stream's last version, reading
   * down from there.
   */
  from?: number;
  /** Last version to read, inclusive. Forward: default the end. Backward: default 1. */
  to?: number;
  direction?: 'forward' | 'backward';
  limit?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with position > fromPosition. Default 0 (everything). */
  fromPosition?: number;
  types?: readonly string[];
  agreementId?: string;
  /** Stop after this many events. */
  limit?: number;
  /** Events fetched per database round trip (memory bound). Default 500. */
  batchSize?: number;
}

/** Which stored (never upcast) events to read, for the audit (./audit.ts). */
export interface ReadStoredOptions {
  /**
   * `position` (default): global position order, as readAll, resumed after the last position read if the server
   * drops the cursor. `stream`: by stream id, then version (the order in which hash chains are checked).
   */
  order?: 'position' | 'stream';
  streamId?: string;
  agreementId?: string;
  /** Events fetched per database round trip (memory bound). Default 500. */
  batchSize?: number;
}

export interface BrokenEvent {
  streamId: string;
  streamVersion: number;
  eventId: string;
  reason: 'hash-mismatch' | 'version-gap' | 'prev-hash-mismatch';
}

export interface VerifyReport {
  streamsChecked: number;
  eventsChecked: number;
  /** The first broken event of each broken stream, in stream id order. */
  broken: BrokenEvent[];
}

export type AppendListener = (events: readonly EventEnvelope[]) => void;

export type { EventEnvelope, NewEvent };
