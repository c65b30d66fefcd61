import type { EventEnvelope } from '@tracker/contracts';
import { canonicalJson, computeEventHash, hashedPart, sha256Hex } from './hash';
import { fromStored, toStored } from './stored-event';

const base: Omit<EventEnvelope, 'hash'> = {
  eventId: '0190a5b2-7c1e-7000-8000-000000000001',
  type: 'agreement.registered',
  schemaVersion: 1,
  streamId: 'agreement-1',
  streamVersion: 1,
  position: 7,
  agreementId: '1',
  occurredAt: '2026-01-29T10:00:00.000Z',
  recordedAt: '2026-01-29T10:00:01.000Z',
  actor: { id: 'key-1', role: 'monitor' },
  correlationId: 'corr-1',
  causationId: null,
  data: { title: 'Critical minerals MoU', parties: [{ country: 'TR' }, { country: 'UZ' }], n: 1.5 },
  prevHash: null,
};

/** The same object with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('canonical JSON (RFC 8785)', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ a: [3, 1, { d: 1, c: 2 }] }, '{"a":[3,1,{"c":2,"d":1}]}'],
    [{ n: 1e21, m: 0.1, z: -0 }, '{"m":0.1,"n":1e+21,"z":0}'],
    [{ s: 'ü\u2028"' }, '{"s":"ü\u2028\\""}'],
    [{ u: undefined, x: null }, '{"x":null}'],
  ])('%j → %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('rejects values JSON cannot represent', () => {
    expect(() => canonicalJson(NaN)).toThrow();
    expect(() => canonicalJson(undefined)).toThrow();
  });
});

describe('event hash', () => {
  it('is SHA-256 hex of prevHash + canonical JSON of the envelope without hash', () => {
    expect(computeEventHash(base)).toBe(sha256Hex(canonicalJson(base)));
    const next = { ...base, streamVersion: 2, prevHash: 'abc' };
    expect(computeEventHash(next)).toBe(sha256Hex('abc' + canonicalJson(next)));
    expect(computeEventHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order', () => {
    expect(computeEventHash(reverseKeys(base) as typeof base)).toBe(computeEventHash(base));
  });

  it('ignores storage-only fields (hash, publishedAt, _id, __v)', () => {
    const withExtras = { ...base, hash: 'x', publishedAt: new Date(), _id: 'y', __v: 0 } as typeof base;
    expect(computeEventHash(withExtras)).toBe(computeEventHash(base));
    expect(Object.keys(hashedPart(withExtras))).not.toContain('publishedAt');
  });

  it.each([
    ['data', { data: { title: 'Critical minerals MoU!' } }],
    ['streamVersion', { streamVersion: 2 }],
    ['position', { position: 8 }],
    ['recordedAt', { recordedAt: '2026-01-29T10:00:01.001Z' }],
    ['actor', { actor: { id: 'key-2', role: 'monitor' } }],
    ['prevHash', { prevHash: 'f'.repeat(64) }],
  ])('changes when %s changes', (_field, change) => {
    expect(computeEventHash({ ...base, ...change } as typeof base)).not.toBe(computeEventHash(base));
  });

  it('is recomputable from the stored document (dates round-trip through BSON dates)', () => {
    const envelope: EventEnvelope = { ...base, hash: computeEventHash(base) };
    const stored = toStored(envelope);
    expect(stored.occurredAt).toBeInstanceOf(Date);
    const back = fromStored(reverseKeys(stored) as never);
    expect(back).toEqual(envelope);
    expect(computeEventHash(back)).toBe(envelope.hash);
  });
});
