/**
 * The hash chain: each event's hash = SHA-256 (hex) of its predecessor's hash (or '' for the first event) followed
 * by the RFC 8785 canonical JSON of the envelope without `hash`. Canonicalization fixes key order and number
 * formatting, so the hash is recomputable from the stored document whatever order its keys come back in.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EventEnvelope } from '@tracker/contracts';

/** Exactly the envelope fields covered by the hash (everything but `hash`); storage-only fields never are. */
export const HASHED_FIELDS = [
  'eventId',
  'type',
  'schemaVersion',
  'streamId',
  'streamVersion',
  'position',
  'agreementId',
  'occurredAt',
  'recordedAt',
  'actor',
  'correlationId',
  'causationId',
  'data',
  'prevHash',
] as const satisfies readonly (keyof EventEnvelope)[];

export type HashedEnvelope = Pick<EventEnvelope, (typeof HASHED_FIELDS)[number]>;

/** RFC 8785 canonical JSON. Throws for values JSON cannot represent (NaN, Infinity, a bare undefined). */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('value has no JSON representation');
  return json;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hashed part of an envelope (extra properties such as `hash`, `publishedAt`, `_id` are left out). */
export function hashedPart(envelope: HashedEnvelope): HashedEnvelope {
  const out: Record<string, unknown> = {};
  for (const field of HASHED_FIELDS) out[field] = envelope[field];
  return out as unknown as HashedEnvelope;
}

export function computeEventHash(envelope: HashedEnvelope): string {
  return sha256Hex((envelope.prevHash ?? '') + canonicalJson(hashedPart(envelope)));
}
