import type { EventEnvelope } from '@tracker/contracts';
import { CloudEventHeaders, decodeMessage, encodeEnvelope, envelopeProblems, headersToStrings } from './codec';

const envelope: EventEnvelope = {
  eventId: '0190a5b2-7c1e-7000-8000-000000000001',
  type: 'milestone.rescheduled',
  schemaVersion: 2,
  streamId: 'milestone-m1',
  streamVersion: 3,
  position: 42,
  agreementId: 'a1',
  occurredAt: '2026-02-04T09:00:00.000Z',
  recordedAt: '2026-02-04T09:00:01.000Z',
  actor: { id: 'key-1', role: 'monitor' },
  correlationId: 'corr-1',
  causationId: 'req-9',
  data: { newDueDate: '2027-01-31', slipDays: 92 },
  hash: 'a'.repeat(64),
  prevHash: 'b'.repeat(64),
};

const asConsumed = (m: { value: string | null; headers?: Record<string, string> }) => ({
  value: m.value === null ? null : Buffer.from(m.value),
  headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
});

describe('message encoding (CloudEvents Kafka binding, binary mode)', () => {
  it('keys by agreement id and sets the ce_* headers', () => {
    const m = encodeEnvelope(envelope, 'milestones');
    expect(m.key).toBe('a1');
    expect(m.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: envelope.eventId,
      ce_type: 'milestone.rescheduled',
      ce_source: 'milestones',
      ce_time: '2026-02-04T09:00:01.000Z',
      ce_subject: 'milestone-m1',
      ce_schemaversion: '2',
      ce_correlationid: 'corr-1',
      ce_causationid: 'req-9',
      ce_partitionkey: 'a1',
      'content-type': 'application/json',
    });
    // Extension attribute names are lower-case alphanumerics (CloudEvents naming rule).
    for (const name of Object.keys(m.headers).filter((h) => h.startsWith('ce_'))) expect(name.slice(3)).toMatch(/^[a-z0-9]+$/);
  });

  it('leaves out ce_causationid when there is no causation', () => {
    expect(encodeEnvelope({ ...envelope, causationId: null }, 's').headers).not.toHaveProperty(CloudEventHeaders.causationid);
  });

  it('round-trips an envelope exactly', () => {
    const decoded = decodeMessage(asConsumed(encodeEnvelope(envelope, 'milestones')));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.envelope).toEqual(envelope);
      expect(decoded.correlationId).toBe('corr-1');
      expect(decoded.headers.ce_type).toBe('milestone.rescheduled');
    }
  });

  it('takes the correlation id from the header, else from the envelope', () => {
    const m = encodeEnvelope(envelope, 's');
    const fromHeader = decodeMessage(asConsumed({ value: m.value, headers: { ...m.headers, ce_correlationid: 'other' } }));
    expect(fromHeader.ok && fromHeader.correlationId).toBe('other');
    const fromBody = decodeMessage(asConsumed({ value: m.value }));
    expect(fromBody.ok && fromBody.correlationId).toBe('corr-1');
  });

  const without = (field: keyof EventEnvelope) => {
    const copy: Record<string, unknown> = { ...envelope };
    delete copy[field];
    return JSON.stringify(copy);
  };
  it.each<[string, string | null, RegExp]>([
    ['an empty message', null, /empty/],
    ['invalid JSON', '{"eventId":', /invalid JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['a missing eventId', without('eventId'), /eventId/],
    ['a missing agreementId', without('agreementId'), /agreementId/],
    ['a missing data', without('data'), /data/],
    ['a bad streamVersion', JSON.stringify({ ...envelope, streamVersion: 0 }), /streamVersion/],
    ['a bad recordedAt', JSON.stringify({ ...envelope, recordedAt: 'yesterday' }), /recordedAt/],
    ['a bad actor', JSON.stringify({ ...envelope, actor: 'me' }), /actor/],
  ])('refuses %s', (_name, value, error) => {
    const decoded = decodeMessage(asConsumed({ value }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(error);
  });

  it('accepts a missing optional causationId/prevHash as null', () => {
    const decoded = decodeMessage(asConsumed({ value: without('causationId') }));
    expect(decoded.ok && decoded.envelope.causationId).toBeNull();
    expect(envelopeProblems(envelope)).toEqual([]);
  });

  it('reads header values whatever their representation', () => {
    expect(headersToStrings({ a: Buffer.from('x'), b: 'y', c: [Buffer.from('z'), 'w'], d: undefined })).toEqual({ a: 'x', b: 'y', c: 'z' });
  });
});
