/**
 * Idempotency keys and processed-event records are swept after their retention (FerretDB has no TTL indexes):
 * a retried POST within a day returns the first answer; after the sweep, the same key is a new request.
 */
import type { Connection } from 'mongoose';
import { Housekeeping } from '@tracker/platform';
import { MONGO_CONNECTION } from '@tracker/service-runtime';
import { eventually, startService, testConfig, uniqueName, type RunningService, trUzMemorandum } from '@tracker/testing';
import { AgreementsApp } from './service';
import { AgreementsConfig } from './config';

const HOUR = 3_600_000;

describe('sweeping idempotency keys and processed-event records', () => {
  let svc: RunningService;
  let db: Connection;
  const body = trUzMemorandum('SWEEP-1', { signedOn: null, datePrecision: 'unknown' });
  const register = () => svc.as('monitor').post('/agreements').set('Idempotency-Key', 'sweep-key-1').send(body);

  beforeAll(async () => {
    svc = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('swp')}.` })));
    db = svc.app.get<Connection>(MONGO_CONNECTION);
  });
  afterAll(async () => svc?.close());

  it('keeps both while they are young and deletes them after their retention', async () => {
    const first = await register().expect(201);
    expect((await register().expect(201)).body.id).toBe(first.body.id); // replayed from the key
    // The service's own event comes back from Kafka and is recorded as processed.
    await eventually(async () => (await db.collection('processed_events').countDocuments({})) > 0);
    const runtime = svc.app.get(Housekeeping);

    expect(await runtime.sweep(new Date(Date.now() + HOUR))).toEqual({ idempotencyKeys: 0, processedEvents: 0, processInstances: 0 });
    const processed = await db.collection('processed_events').countDocuments({});
    const swept = await runtime.sweep(new Date(Date.now() + 31 * 24 * HOUR));
    // A month on, this process's own beat looks as old as a dead one's (it writes it again at the next beat).
    expect(swept).toEqual({ idempotencyKeys: 1, processedEvents: processed, processInstances: 1 });
    expect(await db.collection('processed_events').countDocuments({})).toBe(0);
    // The key is gone: the same request is new again, and the reference is taken.
    const again = await register().expect(409);
    expect(again.body.detail).toMatch(/SWEEP-1/);
  });
});
