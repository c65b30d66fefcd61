/**
 * The OpenAPI of what every event-sourced service answers the same way: an event as stored (the envelope) and a
 * page of one stream's events (`GET /<resource>/{id}/events`, Aggregates.history).
 */
import { ApiProperty } from '@nestjs/swagger';
import type { Actor, EventEnvelope } from '@tracker/contracts';
import { ROLES } from '@tracker/platform';

const UUID_EXAMPLE = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70';

export class EventActor implements Actor {
  @ApiProperty({ example: 'dev-monitor', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'the API key’s name, or the service itself' })
  id: string;

  @ApiProperty({ enum: [...ROLES, 'system'], description: 'the role it acted in' })
  role: Actor['role'];
}

/** The envelope every stored and published event carries (libs/contracts/src/envelope.ts). */
export class StoredEvent implements EventEnvelope {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE, description: 'UUID v7' })
  eventId: string;

  @ApiProperty({ example: 'milestone.rescheduled' })
  type: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  schemaVersion: number;

  @ApiProperty({ example: `milestone-${UUID_EXAMPLE}` })
  streamId: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 3 })
  streamVersion: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 42, description: 'position in the service’s whole log' })
  position: number;

  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE })
  agreementId: string;

  @ApiProperty({ format: 'date-time', description: 'business time: when it happened in the world' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time', description: 'record time: when the tracker recorded it' })
  recordedAt: string;

  @ApiProperty({ type: EventActor })
  actor: EventActor;

  @ApiProperty({ example: UUID_EXAMPLE })
  correlationId: string;

  @ApiProperty({ type: String, nullable: true, description: 'the event or request that caused this one' })
  causationId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the facts, as the event type’s schema version has them' })
  data: Record<string, unknown>;

  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the previous hash and this event' })
  hash: string;

  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{64}$', description: 'the previous event’s hash in the stream; null for the first' })
  prevHash: string | null;
}

/** A page of one stream's events, by stream version. */
export class EventHistory {
  @ApiProperty({ type: [StoredEvent] })
  items: StoredEvent[];

  @ApiProperty({ type: 'integer', minimum: 1, description: 'the stream’s current version' })
  streamVersion: number;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 1, description: 'send it as ?from= for the next page; null on the last page' })
  nextFrom: number | null;
}
