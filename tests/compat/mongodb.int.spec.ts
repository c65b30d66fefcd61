/**
 * Every database feature the project relies on, exercised with mongoose against whatever MONGO_URL points at:
 * FerretDB v1 locally, MongoDB through testcontainers or in production. If a feature is missing from this list,
 * the code must not use it (see docs/adr/0002-local-infrastructure.md).
 */
import mongoose, { Connection, Schema } from 'mongoose';
import { isFerretDb } from '@tracker/mongo';
import { testEnv, uniqueName } from '../support';

interface EventDoc {
  streamId: string;
  version: number;
  type: string;
  agreementId: string;
  publishedAt: Date | null;
  data: Record<string, unknown>;
}

describe('MongoDB compatibility (mongoose against MONGO_URL)', () => {
  let conn: Connection;
  const dbName = uniqueName('compat');

  const eventSchema = new Schema<EventDoc>(
    {
      streamId: String,
      version: Number,
      type: String,
      agreementId: String,
      publishedAt: { type: Date, default: null },
      data: Schema.Types.Mixed,
    },
    { versionKey: false },
  );
  eventSchema.index({ streamId: 1, version: 1 }, { unique: true });

  beforeAll(async () => {
    conn = await mongoose.createConnection(testEnv().mongoUrl, { dbName, autoIndex: false }).asPromise();
    await conn.model('Event', eventSchema).createIndexes();
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const Event = () => conn.model<EventDoc>('Event');

  it('answers ping and reports a wire version the driver accepts', async () => {
    const ping = await conn.db!.admin().command({ ping: 1 });
    expect(ping.ok).toBe(1);
    const hello = await conn.db!.admin().command({ hello: 1 });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(8);
  });

  it('enforces a compound unique index with a duplicate-key error (code 11000)', async () => {
    await Event().create({ streamId: 's-1', version: 1, type: 't', agreementId: 'a-1', data: {} });
    await Event().create({ streamId: 's-2', version: 1, type: 't', agreementId: 'a-1', data: {} });
    await expect(
      Event().create({ streamId: 's-1', version: 1, type: 't', agreementId: 'a-1', data: {} }),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await Event().countDocuments({ streamId: 's-1' })).toBe(1);
  });

  it('lets exactly one of many concurrent inserts on the same key win', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        Event().create({ streamId: 'race', version: 1, type: 't', agreementId: 'a', data: { i } }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(rejected).toHaveLength(19);
    expect(rejected.every((r) => r.reason.code === 11000)).toBe(true);
  });

  it('allocates counters with findOneAndUpdate and $inc: exact one at a time, atomic concurrently only on MongoDB', async () => {
    // What the event store relies on: one increment in flight per process (its group commit), each answered with
    // the value after it. Concurrent increments from several connections are atomic on MongoDB; FerretDB v1 does
    // not isolate them (issue 3040) and may hand out a number twice, which the store's log entry `_id` refuses.
    const counters = conn.collection<{ _id: string; seq: number }>('counters');
    await counters.insertOne({ _id: 'events', seq: 0 });
    const serial: number[] = [];
    for (let i = 0; i < 10; i++) {
      serial.push((await counters.findOneAndUpdate({ _id: 'events' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }))!.seq);
    }
    expect(serial).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const ferret = await isFerretDb(counters);
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        counters.findOneAndUpdate({ _id: 'events' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }),
      ),
    );
    const seqs = results.map((r) => r!.seq).sort((a, b) => a - b);
    const final = (await counters.findOne({ _id: 'events' }))!.seq;
    if (ferret) {
      // Lost updates: numbers handed out twice, the counter even set back below a number already handed out.
      expect(seqs.every((n) => n > 10 && n <= 35)).toBe(true);
      expect(final).toBeGreaterThan(10);
      expect(final).toBeLessThanOrEqual(35);
    } else {
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 11));
      expect(final).toBe(35);
    }
  });

  it('lets racing upserts of a missing document fail with 11000 at worst, and a retry then succeeds', async () => {
    // MongoDB retries such upserts itself; FerretDB v1 reports the duplicate key. Code that upserts under
    // concurrency (updateById, the lease) retries on 11000, and this is the behaviour it relies on. That the
    // increments themselves add up holds on MongoDB only (see the counter test above).
    const counters = conn.collection<{ _id: string; seq: number }>('counters');
    const inc = () => counters.findOneAndUpdate({ _id: 'racy' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        inc().catch((err: { code?: number }) => {
          if (err.code !== 11000) throw err;
          return inc();
        }),
      ),
    );
    expect(results.every((r) => r !== null && r.seq >= 1)).toBe(true);
    expect(await counters.countDocuments({ _id: 'racy' })).toBe(1);
    if (!(await isFerretDb(counters))) expect(results.map((r) => r!.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('supports $setOnInsert with upsert and a conditional update that matches nothing', async () => {
    const leases = conn.collection<{ _id: string; owner: string; expiresAt: Date }>('leases');
    const now = new Date();
    await leases.findOneAndUpdate(
      { _id: 'outbox' },
      { $setOnInsert: { owner: 'a', expiresAt: new Date(now.getTime() + 10000) } },
      { upsert: true },
    );
    const stolen = await leases.updateOne({ _id: 'outbox', expiresAt: { $lt: now } }, { $set: { owner: 'b' } });
    expect(stolen.matchedCount).toBe(0);
    expect((await leases.findOne({ _id: 'outbox' }))!.owner).toBe('a');
  });

  it('inserts in bulk (insertMany ordered, bulkWrite) and reads back with sorted cursors', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => ({
      streamId: `bulk-${i % 7}`,
      version: Math.floor(i / 7) + 1,
      type: i % 2 ? 'milestone.planned' : 'milestone.rescheduled',
      agreementId: `agr-${i % 3}`,
      publishedAt: null,
      data: { i },
    }));
    await Event().insertMany(docs, { ordered: true });
    await Event().bulkWrite<EventDoc>([
      { updateMany: { filter: { streamId: 'bulk-0' }, update: { $set: { publishedAt: new Date() } } } },
      {
        insertOne: {
          document: { streamId: 'bulk-x', version: 1, type: 't', agreementId: 'a', publishedAt: null, data: {} },
        },
      },
    ]);

    const seen: number[] = [];
    const cursor = Event().find({ streamId: 'bulk-3' }).sort({ version: 1 }).batchSize(5).lean().cursor();
    for await (const doc of cursor) seen.push(doc.version);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.length).toBe(docs.filter((d) => d.streamId === 'bulk-3').length);

    const descending = await Event().find({ streamId: 'bulk-3' }).sort({ version: -1 }).limit(3).lean();
    expect(descending.map((d) => d.version)).toEqual([seen.at(-1), seen.at(-2), seen.at(-3)]);
    expect(await Event().countDocuments({ streamId: 'bulk-0', publishedAt: { $ne: null } })).toBe(43);
  });

  it('runs the aggregation stages the read models use ($match, $group, $sort, $project, $skip, $limit, $count, $unwind)', async () => {
    const perType = await Event().aggregate<{ _id: string; n: number }>([
      { $match: { streamId: /^bulk-\d$/ } },
      { $group: { _id: '$type', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(perType).toEqual([
      { _id: 'milestone.planned', n: 150 },
      { _id: 'milestone.rescheduled', n: 150 },
    ]);

    const paged = await Event().aggregate([
      { $match: { agreementId: 'agr-1' } },
      { $sort: { streamId: 1, version: 1 } },
      { $skip: 10 },
      { $limit: 5 },
      { $project: { _id: 0, streamId: 1, version: 1 } },
    ]);
    expect(paged).toHaveLength(5);
    expect(Object.keys(paged[0]).sort()).toEqual(['streamId', 'version']);

    const [{ total }] = await Event().aggregate([{ $match: { agreementId: 'agr-2' } }, { $count: 'total' }]);
    expect(total).toBe(100);

    const tags = conn.collection('tags');
    await tags.insertMany([
      { agreementId: 'x', commodities: ['lithium', 'copper'] },
      { agreementId: 'y', commodities: ['copper'] },
    ]);
    const byCommodity = await tags
      .aggregate([{ $unwind: '$commodities' }, { $group: { _id: '$commodities', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(byCommodity).toEqual([
      { _id: 'copper', n: 2 },
      { _id: 'lithium', n: 1 },
    ]);
  });

  it('filters with $in, $gt/$lt on dates, and regular expressions (text search in titles)', async () => {
    const items = conn.collection('items');
    await items.insertMany([
      { title: 'Memorandum on critical minerals', due: new Date('2026-06-30'), status: 'scheduled' },
      { title: 'Framework agreement on mining', due: new Date('2027-01-31'), status: 'met' },
      { title: 'Joint declaration', due: new Date('2026-12-31'), status: 'notMet' },
    ]);
    const due2026 = await items
      .find({ due: { $gte: new Date('2026-01-01'), $lt: new Date('2027-01-01') }, status: { $in: ['scheduled', 'notMet'] } })
      .sort({ due: 1 })
      .toArray();
    expect(due2026.map((d) => d.status)).toEqual(['scheduled', 'notMet']);
    const found = await items.find({ title: { $regex: 'MINING', $options: 'i' } }).toArray();
    expect(found.map((d) => d.title)).toEqual(['Framework agreement on mining']);
  });
});
