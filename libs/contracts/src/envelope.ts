/**
 * The envelope every stored and published event carries. Services share events only in this shape,
 * routed by the explicit string `type` and its `schemaVersion`, never by class name.
 */
export type Role = 'monitor' | 'stakeholder' | 'auditor' | 'admin';

/** Who caused an event: an API key's identity and the role it acted in, or the system itself. */
export interface Actor {
  id: string;
  role: Role | 'system';
}

export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** UUID v7: unique, and sortable by creation time. */
  eventId: string;
  /** Dotted, lower-case, past tense: `milestone.rescheduled`. */
  type: TType;
  /** Version of `data`'s schema for this type; older versions are upcast on read, never rewritten. */
  schemaVersion: number;
  /** The aggregate's stream, e.g. `agreement-<uuid>`. */
  streamId: string;
  /** 1 for the first event of a stream, then +1 without gaps. */
  streamVersion: number;
  /** Position in the owning service's whole log, ascending with append order. */
  position: number;
  /** The agreement this fact is about: Kafka message key, so one agreement stays in order on one partition. */
  agreementId: string;
  /** Business time: when it happened in the world (ISO 8601). */
  occurredAt: string;
  /** System time: when we recorded it (ISO 8601). */
  recordedAt: string;
  actor: Actor;
  correlationId: string;
  /** The event or request that caused this one, if any. */
  causationId: string | null;
  data: TData;
  /** SHA-256 (hex) of the previous event's hash in the stream and this event's canonical JSON. */
  hash: string;
  /** The previous event's hash in the stream, null for the first. */
  prevHash: string | null;
}

/** What a decider produces: an event before the store gives it identity, position and hash. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  schemaVersion: number;
  data: TData;
  /** Defaults to the time of recording. */
  occurredAt?: string;
}
