/**
 * Kafka message format of an event: value = the envelope as JSON (exactly as stored, so its hash can be checked),
 * key = agreement id (one agreement, one partition, in order), headers per the CloudEvents Kafka protocol binding
 * (binary content mode attributes as `ce_*` headers; extension attribute names are lower-case alphanumerics).
 */
import { EventHeaderNames, type EventEnvelope } from '@tracker/contracts';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** The header names, declared with the AsyncAPI document that describes them (libs/contracts). */
export const CloudEventHeaders = EventHeaderNames;

export function encodeEnvelope(envelope: EventEnvelope, source: string): Message & { key: string; value: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    [CloudEventHeaders.specversion]: '1.0',
    [CloudEventHeaders.id]: envelope.eventId,
    [CloudEventHeaders.type]: envelope.type,
    [CloudEventHeaders.source]: source,
    [CloudEventHeaders.time]: envelope.recordedAt,
    [CloudEventHeaders.subject]: envelope.streamId,
    [CloudEventHeaders.schemaversion]: String(envelope.schemaVersion),
    [CloudEventHeaders.correlationid]: envelope.correlationId,
    [CloudEventHeaders.partitionkey]: envelope.agreementId,
    [CloudEventHeaders.contentType]: 'application/json',
  };
  if (envelope.causationId) headers[CloudEventHeaders.causationid] = envelope.causationId;
  return { key: envelope.agreementId, value: JSON.stringify(envelope), headers };
}

/** Header values as strings (the first value of a repeated header). */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && value !== null) out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isPositiveInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const isIsoTime = (v: unknown) => isString(v) && !Number.isNaN(Date.parse(v));

/** What is wrong with a decoded value as an envelope ([] = nothing). */
export function envelopeProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['not a JSON object'];
  const e = value as Record<string, unknown>;
  const problems: string[] = [];
  const need = (ok: boolean, field: string, what: string) => {
    if (!ok) problems.push(`${field}: ${what}`);
  };
  need(isNonEmptyString(e.eventId), 'eventId', 'required string');
  need(isNonEmptyString(e.type), 'type', 'required string');
  need(isPositiveInt(e.schemaVersion), 'schemaVersion', 'required integer >= 1');
  need(isNonEmptyString(e.streamId), 'streamId', 'required string');
  need(isPositiveInt(e.streamVersion), 'streamVersion', 'required integer >= 1');
  need(Number.isInteger(e.position) && (e.position as number) >= 0, 'position', 'required integer >= 0');
  need(isNonEmptyString(e.agreementId), 'agreementId', 'required string');
  need(isIsoTime(e.occurredAt), 'occurredAt', 'required ISO 8601 time');
  need(isIsoTime(e.recordedAt), 'recordedAt', 'required ISO 8601 time');
  const actor = e.actor as Record<string, unknown> | undefined;
  need(!!actor && typeof actor === 'object' && isString(actor.id) && isString(actor.role), 'actor', 'required {id, role}');
  need(isNonEmptyString(e.correlationId), 'correlationId', 'required string');
  need(e.causationId === null || e.causationId === undefined || isString(e.causationId), 'causationId', 'string or null');
  need('data' in e && e.data !== undefined, 'data', 'required');
  need(isString(e.hash), 'hash', 'required string');
  need(e.prevHash === null || e.prevHash === undefined || isString(e.prevHash), 'prevHash', 'string or null');
  return problems;
}

export type DecodeResult =
  | { ok: true; envelope: EventEnvelope; correlationId: string; headers: Record<string, string> }
  | { ok: false; error: string; headers: Record<string, string> };

/** Decodes and validates a consumed message. Never throws: a message that cannot be an event is `ok: false`. */
export function decodeMessage(message: Pick<KafkaMessage, 'value' | 'headers'>): DecodeResult {
  const headers = headersToStrings(message.headers);
  if (message.value === null || message.value === undefined || message.value.length === 0) {
    return { ok: false, error: 'empty message value', headers };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}`, headers };
  }
  const problems = envelopeProblems(parsed);
  if (problems.length > 0) return { ok: false, error: `invalid event envelope: ${problems.join('; ')}`, headers };
  const envelope = parsed as EventEnvelope;
  envelope.causationId = envelope.causationId ?? null;
  envelope.prevHash = envelope.prevHash ?? null;
  const correlationId = headers[CloudEventHeaders.correlationid] || envelope.correlationId;
  return { ok: true, envelope, correlationId, headers };
}
