/**
 * The event document in MongoDB and its conversion to and from the envelope. One event = one document whose `_id`
 * is its place in its stream (`<streamId>.<version>`, see eventKey): inserting it claims that version, and reading
 * a stream is a walk of exact `_id` lookups, the one query every database answers from an index (docs/adr/0010).
 * Times are stored as BSON dates and converted back to the ISO strings (millisecond precision) the hash was
 * computed over, so the hash is recomputable from the stored document exactly.
 */
import type { Actor, EventEnvelope, NewEvent } from '@tracker/contracts';
import { InvalidEventError } from './errors';

export interface StoredEvent {
  /** `<streamId>.<streamVersion>` (eventKey). Stream ids contain no dots, so the key is unambiguous. */
  _id: string;
  /** The event id (UUID v7). Events stored before ADR 0010 had it as `_id` (init migrates them). */
  eventId: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  streamVersion: number;
  position: number;
  agreementId: string;
  occurredAt: Date;
  recordedAt: Date;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  data: unknown;
  hash: string;
  prevHash: string | null;
}

/** The `_id` of a stream's event at a version. */
export const eventKey = (streamId: string, streamVersion: number): string => `${streamId}.${streamVersion}`;

/**
 * The global log: one small document per allocated position (`_id` = the position as a string, the form FerretDB
 * looks up by index), written before the event itself, naming the stream version that position was given to. The
 * outbox relay reads positions through it by key; an entry whose event is missing, or holds another position,
 * is a position that was never used (docs/adr/0010).
 */
export interface LogEntry {
  _id: string;
  streamId: string;
  streamVersion: number;
  eventId: string;
  /** When the position was handed out (the append's record time). */
  at: Date;
}

export const logKey = (position: number): string => String(position);

export function toStored(envelope: EventEnvelope): StoredEvent {
  return {
    _id: eventKey(envelope.streamId, envelope.streamVersion),
    eventId: envelope.eventId,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    streamId: envelope.streamId,
    streamVersion: envelope.streamVersion,
    position: envelope.position,
    agreementId: envelope.agreementId,
    occurredAt: new Date(envelope.occurredAt),
    recordedAt: new Date(envelope.recordedAt),
    actor: envelope.actor,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    data: envelope.data,
    hash: envelope.hash,
    prevHash: envelope.prevHash,
  };
}

function iso(value: unknown): string {
  // Dates come back as Date; tolerate strings written by other tools.
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

/** The envelope exactly as stored (no upcasting). */
export function fromStored(doc: StoredEvent): EventEnvelope {
  return {
    eventId: doc.eventId ?? doc._id,
    type: doc.type,
    schemaVersion: doc.schemaVersion,
    streamId: doc.streamId,
    streamVersion: doc.streamVersion,
    position: doc.position,
    agreementId: doc.agreementId,
    occurredAt: iso(doc.occurredAt),
    recordedAt: iso(doc.recordedAt),
    actor: { id: doc.actor?.id, role: doc.actor?.role },
    correlationId: doc.correlationId,
    causationId: doc.causationId ?? null,
    data: doc.data,
    hash: doc.hash,
    prevHash: doc.prevHash ?? null,
  };
}

const STREAM_ID = /^[^\s.$][^\s.]{0,255}$/;

/** Stream ids become parts of Kafka subjects and projection field paths: no dots, no spaces, no leading `$`. */
export function assertValidStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
    throw new InvalidEventError(`invalid stream id ${JSON.stringify(streamId)} (1-256 chars, no dots, spaces or leading $)`);
  }
}

function assertStorableKeys(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorableKeys(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('.') || k.startsWith('$') || k.includes('\0')) {
        throw new InvalidEventError(`${path}: key ${JSON.stringify(k)} cannot be stored (no ".", "$" prefix or NUL)`);
      }
      assertStorableKeys(v, `${path}.${k}`);
    }
  }
}

/**
 * Makes a value plain JSON (drops undefined properties, turns dates into ISO strings, rejects NaN/Infinity) and
 * checks that every key can be stored in MongoDB and FerretDB alike. What is stored, hashed and returned is this
 * normalized value, so all three agree.
 */
export function toPlainJson<T>(value: T, what: string): T {
  if (value === undefined) throw new InvalidEventError(`${what} is undefined`);
  let json: string;
  try {
    json = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new InvalidEventError(`${what} contains ${v}`);
      if (typeof v === 'bigint') throw new InvalidEventError(`${what} contains a bigint`);
      return v;
    });
  } catch (err) {
    if (err instanceof InvalidEventError) throw err;
    throw new InvalidEventError(`${what} is not JSON-serializable: ${(err as Error).message}`);
  }
  const plain = JSON.parse(json) as T;
  assertStorableKeys(plain, what);
  return plain;
}

export function normalizeIsoTime(value: string | undefined, fallback: Date, what: string): string {
  if (value === undefined || value === null) return fallback.toISOString();
  const d = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(d.getTime())) {
    throw new InvalidEventError(`${what} must be an ISO 8601 date-time, got ${JSON.stringify(value)}`);
  }
  return d.toISOString();
}

export function assertValidNewEvent(event: NewEvent, index: number): void {
  if (!event || typeof event !== 'object') throw new InvalidEventError(`event ${index} is not an object`);
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new InvalidEventError(`event ${index}: type must be a non-empty string`);
  }
  if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
    throw new InvalidEventError(`event ${index} (${event.type}): schemaVersion must be an integer >= 1`);
  }
}
