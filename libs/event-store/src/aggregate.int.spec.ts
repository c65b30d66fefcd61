import mongoose, { type Connection } from 'mongoose';
import { DomainError, type Decider } from '@tracker/contracts';
import { AggregateCache, handleCommand, loadAggregate } from './aggregate';
import { ConcurrencyError } from './errors';
import { EventStore } from './event-store';
import { SnapshotStore } from './snapshot-store';
import { mongoUrl, uniqueName } from '@tracker/testing';

type State = { open: boolean; total: number; adds: number };
type Command = { kind: 'open' } | { kind: 'add'; by: number } | { kind: 'noop' };
type Event = { type: 'tally.opened'; schemaVersion: 1; data: Record<string, never> } | { type: 'tally.added'; schemaVersion: 1; data: { by: number } };

const tally: Decider<State, Command, Event> = {
  initialState: () => ({ open: false, total: 0, adds: 0 }),
  decide(command, state) {
    if (command.kind === 'open') {
      if (state.open) throw new DomainError('conflict', 'already open');
      return [{ type: 'tally.opened', schemaVersion: 1, data: {} }];
    }
    if (!state.open) throw new DomainError('not-found', 'no tally');
    if (command.kind === 'noop') return [];
    return [{ type: 'tally.added', schemaVersion: 1, data: { by: command.by } }];
  },
  evolve(state, event) {
    if (event.type === 'tally.opened') return { ...state, open: true };
    return { ...state, total: state.total + event.data.by, adds: state.adds + 1 };
  },
};

const opts = { agreementId: 'agr-1', actor: { id: 'key-1', role: 'monitor' as const }, correlationId: 'corr' };

describe('handleCommand (integration)', () => {
  let conn: Connection;
  let store: EventStore;
  let snapshots: SnapshotStore;

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('es_agg') }).asPromise();
    store = new EventStore(conn);
    snapshots = new SnapshotStore(conn);
    await store.init();
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('loads, decides, appends at the loaded version and returns the new state', async () => {
    const opened = await handleCommand(store, tally, 'tally-1', { kind: 'open' }, opts);
    expect(opened).toMatchObject({ version: 1, state: { open: true, total: 0 } });
    expect(opened.newEvents).toHaveLength(1);
    const added = await handleCommand(store, tally, 'tally-1', { kind: 'add', by: 5 }, { ...opts, expectedVersion: 1, causationId: 'req-2' });
    expect(added).toMatchObject({ version: 2, state: { total: 5 } });
    expect(added.newEvents[0]).toMatchObject({ streamVersion: 2, causationId: 'req-2', agreementId: 'agr-1' });
    const nothing = await handleCommand(store, tally, 'tally-1', { kind: 'noop' }, opts);
    expect(nothing).toEqual({ newEvents: [], version: 2, state: { open: true, total: 5, adds: 1 } });
  });

  it('refuses a stale expected version before deciding', async () => {
    const decide = jest.spyOn(tally, 'decide');
    await expect(handleCommand(store, tally, 'tally-1', { kind: 'add', by: 1 }, { ...opts, expectedVersion: 1 })).rejects.toMatchObject({
      name: 'ConcurrencyError',
      expectedVersion: 1,
      actualVersion: 2,
    });
    expect(decide).not.toHaveBeenCalled();
    decide.mockRestore();
  });

  it('propagates domain errors unchanged and appends nothing', async () => {
    const err = await handleCommand(store, tally, 'tally-1', { kind: 'open' }, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'conflict' });
    await expect(handleCommand(store, tally, 'tally-none', { kind: 'add', by: 1 }, opts)).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.streamVersion('tally-1')).toBe(2);
  });

  it('lets exactly one of two racing commands through; the other gets a ConcurrencyError (never a lost update)', async () => {
    await handleCommand(store, tally, 'tally-race', { kind: 'open' }, opts);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => handleCommand(store, tally, 'tally-race', { kind: 'add', by: i + 1 }, opts)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const conflicts = results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError).length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok + conflicts).toBe(10);
    const { state, version } = await loadAggregate(store, tally, 'tally-race');
    expect(version).toBe(1 + ok);
    expect(state.adds).toBe(ok);
  });

  it('takes agreementId from the state or decided events when given a function', async () => {
    const r = await handleCommand(store, tally, 'tally-fn', { kind: 'open' }, {
      ...opts,
      agreementId: ({ streamId, events }) => `${streamId}:${events.length}`,
    });
    expect(r.newEvents[0].agreementId).toBe('tally-fn:1');
  });

  describe('snapshots', () => {
    const policy = () => ({ store: snapshots, every: 3, schemaVersion: 1 });

    it('snapshots every N events and loads snapshot + later events', async () => {
      const streamId = 'tally-snap';
      await handleCommand(store, tally, streamId, { kind: 'open' }, { ...opts, snapshots: policy() });
      for (let i = 1; i <= 6; i++) await handleCommand(store, tally, streamId, { kind: 'add', by: i }, { ...opts, snapshots: policy() });
      const snapshot = await snapshots.load<State>(streamId);
      expect(snapshot).toMatchObject({ version: 6, schemaVersion: 1, state: { open: true, total: 15, adds: 5 } });

      const loaded = await loadAggregate(store, tally, streamId, { snapshots: policy() });
      expect(loaded).toEqual({ state: { open: true, total: 21, adds: 6 }, version: 7, snapshotVersion: 6 });

      // Proof that the snapshot is what is loaded: doctor it, and the state follows it.
      await conn.collection('snapshots').updateOne({ _id: streamId as never }, { $set: { 'state.total': 1000 } });
      expect((await loadAggregate(store, tally, streamId, { snapshots: policy() })).state.total).toBe(1006);
      // A snapshot of another state shape is ignored: rebuilt from the events.
      expect(await loadAggregate(store, tally, streamId, { snapshots: { ...policy(), schemaVersion: 2 } })).toEqual({
        state: { open: true, total: 21, adds: 6 },
        version: 7,
        snapshotVersion: undefined,
      });
      // A command on top of the snapshot appends at the right version.
      const r = await handleCommand(store, tally, streamId, { kind: 'add', by: 1 }, { ...opts, expectedVersion: 7, snapshots: policy() });
      expect(r.version).toBe(8);
    });

    it('takes a snapshot of a long stream read without one, so the next load reads only what follows it', async () => {
      const streamId = 'tally-long';
      // Written without snapshots (e.g. before they were used, or by a seed).
      await handleCommand(store, tally, streamId, { kind: 'open' }, opts);
      for (let i = 1; i <= 7; i++) await handleCommand(store, tally, streamId, { kind: 'add', by: i }, opts);
      expect(await snapshots.load(streamId)).toBeNull();
      expect(await loadAggregate(store, tally, streamId, { snapshots: policy() })).toMatchObject({ version: 8, snapshotVersion: undefined });
      expect(await snapshots.load(streamId)).toMatchObject({ version: 8, state: { total: 28, adds: 7 } });
      const reads = jest.spyOn(store, 'readStream');
      expect(await loadAggregate(store, tally, streamId, { snapshots: policy() })).toEqual({ state: { open: true, total: 28, adds: 7 }, version: 8, snapshotVersion: 8 });
      expect(reads.mock.calls).toEqual([[streamId, { from: 9 }]]);
      reads.mockRestore();
    });

    it('never replaces a snapshot with an older one', async () => {
      expect(await snapshots.save({ streamId: 'snap-x', version: 5, state: { a: 1 }, schemaVersion: 1 })).toBe(true);
      expect(await snapshots.save({ streamId: 'snap-x', version: 3, state: { a: 0 }, schemaVersion: 1 })).toBe(false);
      expect(await snapshots.save({ streamId: 'snap-x', version: 5, state: { a: 0 }, schemaVersion: 1 })).toBe(false);
      expect(await snapshots.load('snap-x')).toMatchObject({ version: 5, state: { a: 1 } });
      expect(await snapshots.save({ streamId: 'snap-x', version: 6, state: { a: 2 }, schemaVersion: 1 })).toBe(true);
      expect(await snapshots.load('snap-x')).toMatchObject({ version: 6, state: { a: 2 } });
    });

    it('does not fail a command when the snapshot cannot be written', async () => {
      const errors: unknown[] = [];
      const failing = { ...policy(), every: 1, onError: (e: unknown) => errors.push(e) };
      const save = jest.spyOn(snapshots, 'save').mockRejectedValueOnce(new Error('disk full'));
      const r = await handleCommand(store, tally, 'tally-snapfail', { kind: 'open' }, { ...opts, snapshots: failing });
      save.mockRestore();
      expect(r.version).toBe(1);
      expect(errors).toHaveLength(1);
    });
  });

  describe('with an aggregate cache', () => {
    it('decides on the cached state without reading the stream again', async () => {
      const cache = new AggregateCache<State>();
      const reads = jest.spyOn(store, 'readStream');
      await handleCommand(store, tally, 'cached-1', { kind: 'open' }, { ...opts, expectedVersion: 0, cache });
      await handleCommand(store, tally, 'cached-1', { kind: 'add', by: 2 }, { ...opts, expectedVersion: 1, cache });
      const third = await handleCommand(store, tally, 'cached-1', { kind: 'add', by: 3 }, { ...opts, expectedVersion: 2, cache });
      expect(reads.mock.calls.filter(([id]) => id === 'cached-1')).toHaveLength(1); // the first command only
      reads.mockRestore();
      expect(third).toMatchObject({ version: 3, state: { total: 5, adds: 2 } });
      expect((await loadAggregate(store, tally, 'cached-1')).state).toEqual(third.state);
    });

    it('notices another instance’s write: decides again on the stored stream, or refuses a stale If-Match', async () => {
      const a = new AggregateCache<State>();
      const b = new AggregateCache<State>();
      const other = new EventStore(conn, { collection: store.collectionName });
      await handleCommand(store, tally, 'cached-2', { kind: 'open' }, { ...opts, cache: a });
      await handleCommand(other, tally, 'cached-2', { kind: 'add', by: 10 }, { ...opts, expectedVersion: 1, cache: b });
      // a still holds version 1: without If-Match, the command is decided again on version 2.
      const redone = await handleCommand(store, tally, 'cached-2', { kind: 'add', by: 1 }, { ...opts, cache: a });
      expect(redone).toMatchObject({ version: 3, state: { total: 11, adds: 2 } });
      // b still holds version 2; its client expects 2, but the stream is at 3: 409, nothing appended.
      await expect(
        handleCommand(other, tally, 'cached-2', { kind: 'add', by: 100 }, { ...opts, expectedVersion: 2, cache: b }),
      ).rejects.toMatchObject({ name: 'ConcurrencyError', actualVersion: 3 });
      expect(await store.streamVersion('cached-2')).toBe(3);
    });

    it('refuses to open a stream that exists, from an instance that never saw it', async () => {
      await handleCommand(store, tally, 'cached-3', { kind: 'open' }, { ...opts, expectedVersion: 0 });
      const fresh = new EventStore(conn, { collection: store.collectionName }); // no cached head
      await expect(handleCommand(fresh, tally, 'cached-3', { kind: 'open' }, { ...opts, expectedVersion: 0, cache: new AggregateCache() })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
    });
  });
});
