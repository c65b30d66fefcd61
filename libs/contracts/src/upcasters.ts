/**
 * How older stored versions of events read as the newest: pure functions of the stored data and envelope,
 * registered by every service's event store (its own events) and consumers (the others'). Stored events are
 * never rewritten: the hash chain covers them as they were written.
 */
import type { EventEnvelope } from './envelope';

export interface EventUpcaster {
  type: string;
  /** The schema version it reads; it produces fromSchemaVersion + 1. */
  fromSchemaVersion: number;
  upcast: (data: unknown, envelope: Readonly<Partial<EventEnvelope>>) => unknown;
}

/** The calendar date an event happened on, from its business time (v1 events kept dates only there). */
const dayOf = (envelope: Readonly<Partial<EventEnvelope>>) => String(envelope.occurredAt ?? envelope.recordedAt ?? '').slice(0, 10);
const withDate = (field: string) => (data: unknown, envelope: Readonly<Partial<EventEnvelope>>) => ({ ...(data as object), [field]: dayOf(envelope) });

export const EventUpcasters: readonly EventUpcaster[] = [
  ...(['agreement.suspended', 'agreement.resumed', 'agreement.terminated', 'agreement.expired'] as const).map((type) => ({
    type,
    fromSchemaVersion: 1,
    upcast: withDate('effectiveOn'),
  })),
  { type: 'milestone.progress-reported', fromSchemaVersion: 1, upcast: withDate('reportedOn') },
  { type: 'milestone.rescheduled', fromSchemaVersion: 1, upcast: withDate('decidedOn') },
  { type: 'milestone.not-met', fromSchemaVersion: 1, upcast: withDate('on') },
  { type: 'milestone.cancelled', fromSchemaVersion: 1, upcast: withDate('on') },
];
