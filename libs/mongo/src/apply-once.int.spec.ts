/** guardedUpsert on the real database: the write of a read model's document for one stream. */
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { guardedUpsert } from './apply-once';

// Not @tracker/testing: it builds on platform, which builds on this library (a cycle).
const uniqueName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

interface ViewDoc {
  _id: string;
  version: number;
  title: string;
  plannedAt: string;
  lastActivityAt: string;
}

describe('guardedUpsert', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await mongoose.createConnection(process.env.MONGO_URL!, { dbName: uniqueName('mongo') }).asPromise();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('writes newer versions only, keeps insert-only fields and lets max fields only grow', async () => {
    const views = connection.collection<ViewDoc>(uniqueName('views'));
    const doc = (version: number, title: string, plannedAt: string, lastActivityAt: string): ViewDoc => ({ _id: 'm-1', version, title, plannedAt, lastActivityAt });
    const write = (d: ViewDoc) => guardedUpsert(views, d, { insertOnly: ['plannedAt'], max: ['lastActivityAt'] });

    expect(await write(doc(1, 'planned', '2026-01-01', '2026-01-01'))).toBe(true);
    expect(await write(doc(3, 'met', '2026-03-01', '2026-02-01'))).toBe(true);
    // An older or equal version (a redelivery, a slower writer) changes nothing.
    expect(await write(doc(2, 'started', '2026-02-01', '2026-09-01'))).toBe(false);
    expect(await write(doc(3, 'met again', '2026-03-01', '2026-09-01'))).toBe(false);
    expect(await views.findOne({ _id: 'm-1' })).toEqual({ _id: 'm-1', version: 3, title: 'met', plannedAt: '2026-01-01', lastActivityAt: '2026-02-01' });
  });
});
