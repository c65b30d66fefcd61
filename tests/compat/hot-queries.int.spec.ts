/**
 * Every query the hot paths send is answered from an index, on whatever MONGO_URL points at (tracker issue 17,
 * docs/adr/0010-flat-cost.md). The paths are run for real (an append, a stream read and the outbox from a fresh
 * instance, start-up, a read-model write, the consumers' dedup, an Idempotency-Key, a snapshot) while every filter
 * they send is recorded; then each is explained:
 * - MongoDB: the winning plan reads an index (IXSCAN, IDHACK, EXPRESS_*), never a COLLSCAN;
 * - FerretDB v1 (SQLite): SQLite's plan SEARCHes an index. This also guards the `_id` fix of
 *   deploy/local/ferretdb/build.sh: stock FerretDB answers `{_id}` with a SCAN.
 */
import mongoose, { type Connection } from 'mongoose';
import { EventStore, handleCommand } from '@tracker/event-store';
import { ProcessedStore } from '@tracker/messaging';
import { applyOnce, guardedUpsert } from '@tracker/mongo';
import { IdempotencyStore } from '@tracker/platform';
import type { Decider } from '@tracker/contracts';
import { recordQueries, type SentQuery } from '@tracker/testing';
import { testEnv, uniqueName } from '../support';

/** Whether an explain output shows an index read (MongoDB's plan tree or SQLite's plan lines). */
function usesIndex(explain: Record<string, unknown>): { indexed: boolean; plan: string } {
  const planner = explain.queryPlanner as Record<string, unknown> | undefined;
  if (planner && Array.isArray(planner.Plan)) {
    const plan = (planner.Plan as string[]).join(' | ');
    return { indexed: /SEARCH .* USING (COVERING )?INDEX/.test(plan) && !/\bSCAN\b/.test(plan), plan };
  }
  const stages: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.stage === 'string') stages.push(n.stage);
    for (const value of Object.values(n)) if (value && typeof value === 'object') walk(value);
  };
  walk(planner?.winningPlan);
  return { indexed: stages.some((s) => /IXSCAN|IDHACK|EXPRESS/.test(s)) && !stages.includes('COLLSCAN'), plan: stages.join(' > ') };
}

type Tally = { exists: boolean; total: number };
const tally: Decider<Tally, { by: number }, { type: 'added'; schemaVersion: 1; data: { by: number } }> = {
  initialState: () => ({ exists: false, total: 0 }),
  decide: (c) => [{ type: 'added', schemaVersion: 1, data: { by: c.by } }],
  evolve: (s, e) => ({ exists: true, total: s.total + e.data.by }),
};

describe('hot queries use an index (MONGO_URL)', () => {
  let conn: Connection;

  beforeAll(async () => {
    conn = await mongoose.createConnection(testEnv().mongoUrl, { dbName: uniqueName('hot'), autoIndex: false }).asPromise();
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('every filter of the command, propagation and start-up paths is an index read', async () => {
    const ctx = { agreementId: 'agr-1', actor: { id: 'k', role: 'monitor' as const }, correlationId: 'c' };
    const writer = new EventStore(conn);
    await writer.init();
    for (let i = 0; i < 20; i++) await writer.append(`s-${i}`, [{ type: 'added', schemaVersion: 1, data: { by: i } }], { ...ctx, expectedVersion: 'none' });
    const processed = new ProcessedStore(conn);
    await processed.init();
    const keys = new IdempotencyStore(conn);
    await keys.init();
    const views = conn.collection<{ _id: string; version: number; total: number }>('views');
    await writer.outbox.markPublished('topic', 5); // its checkpoint exists, as on a running service

    const recorded = recordQueries();
    try {
      // Another instance (nothing cached, nothing in memory) starting and serving commands.
      const store = new EventStore(conn);
      await store.init();
      await handleCommand(store, tally, 's-3', { by: 1 }, { ...ctx, snapshots: { store: store.snapshots(), every: 1, schemaVersion: 1 } });
      await store.append('s-4', [{ type: 'added', schemaVersion: 1, data: { by: 2 } }], { ...ctx, expectedVersion: 'any' });
      await store.readStream('s-5');
      await store.outbox.nextBatch({ relay: 'topic', limit: 100 });
      await store.outbox.oldest('topic');
      await guardedUpsert(views, { _id: 's-3', version: 2, total: 3 });
      await guardedUpsert(views, { _id: 's-3', version: 3, total: 4 });
      await applyOnce(views, 's-9', { field: 'version', value: 1 }, { $set: { total: 9 } });
      await processed.processedAmong('group', ['e-1', 'e-2']);
      await processed.record('group', [{ eventId: 'e-1', topic: 't', partition: 0, offset: '1' }]);
      await processed.has('group', 'e-1');
      const begun = await keys.begin('scope', 'key-1', 'hash');
      expect(begun).toBeDefined();
      await keys.complete('scope', 'key-1', { status: 201, body: {} } as never);
    } finally {
      recorded.stop();
    }

    const distinct = new Map<string, SentQuery>();
    for (const s of recorded.sent) distinct.set(`${s.collection} ${JSON.stringify(s.filter)}`, s);
    expect(distinct.size).toBeGreaterThan(10);
    const notIndexed: string[] = [];
    for (const [label, { collection, filter }] of distinct) {
      const explain = (await conn.db!.collection(collection).find(filter).explain()) as Record<string, unknown>;
      const { indexed, plan } = usesIndex(explain);
      if (!indexed) notIndexed.push(`${label}: ${plan}`);
    }
    expect(notIndexed).toEqual([]);
  });
});
