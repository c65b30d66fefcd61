/** An auditor exports the log with its manifest and can re-verify it from the export alone. */
import mongoose, { type Connection } from 'mongoose';
import type { EventEnvelope } from '@tracker/contracts';
import { EventAudit, verifyExport } from './audit';
import { EventStore } from './event-store';
import { computeEventHash } from './hash';
import { mongoUrl, uniqueName } from '@tracker/testing';

const ctx = (agreementId: string) => ({ expectedVersion: 'any' as const, agreementId, actor: { id: 'audit-test', role: 'monitor' as const }, correlationId: 'c' });
const ev = (n: number) => ({ type: 'test.happened', schemaVersion: 1, data: { n } });

describe('export and verification from the export alone (integration)', () => {
  let conn: Connection;
  let store: EventStore;
  let audit: EventAudit;
  let lines: string[];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('es_audit') }).asPromise();
    store = new EventStore(conn);
    await store.init();
    audit = new EventAudit(store);
    // Interleaved streams of two agreements.
    for (let round = 0; round < 3; round++) {
      await store.append('agr-a', [ev(round)], ctx('a'));
      await store.append('ms-a1', [ev(round), ev(round + 10)], ctx('a'));
      await store.append('ms-b1', [ev(round)], ctx('b'));
    }
    lines = [];
    for await (const line of audit.exportLog({ service: 'test', batchSize: 4 })) lines.push(line.trimEnd());
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('writes every event once in position order, then a manifest with counts and the last hash of each stream', async () => {
    expect(lines).toHaveLength(13);
    const events = lines.slice(0, 12).map((l) => JSON.parse(l) as EventEnvelope);
    expect(events.map((e) => e.position)).toEqual([...events.map((e) => e.position)].sort((a, b) => a - b));
    const { manifest } = JSON.parse(lines[12]);
    const last = (await store.readStream('ms-a1')).at(-1)!;
    expect(manifest).toMatchObject({ service: 'test', agreementId: null, events: 12 });
    expect(manifest.streams['ms-a1']).toEqual({ events: 6, lastVersion: 6, lastHash: last.hash });
    expect(Object.keys(manifest.streams)).toEqual(['agr-a', 'ms-a1', 'ms-b1']);
  });

  it('verifies an untouched export from the export alone', async () => {
    const report = await verifyExport(lines);
    expect(report).toMatchObject({ streamsChecked: 3, eventsChecked: 12, broken: [], manifestMismatches: [], unreadableLines: [] });
  });

  it('exports one agreement only', async () => {
    const only: string[] = [];
    for await (const line of audit.exportLog({ service: 'test', agreementId: 'b' })) only.push(line);
    const report = await verifyExport(only);
    expect(report).toMatchObject({ streamsChecked: 1, eventsChecked: 3, broken: [], manifestMismatches: [] });
    expect(report.manifest?.agreementId).toBe('b');
  });

  it('finds an altered line, a removed line and lines in the wrong order, naming the event', async () => {
    const events = lines.slice(0, 12).map((l) => JSON.parse(l) as EventEnvelope);
    const target = events.findIndex((e) => e.streamId === 'ms-a1' && e.streamVersion === 3);

    const altered = [...lines];
    altered[target] = JSON.stringify({ ...events[target], data: { n: 99 } });
    expect((await verifyExport(altered)).broken).toEqual([
      { streamId: 'ms-a1', streamVersion: 3, eventId: events[target].eventId, reason: 'hash-mismatch' },
    ]);

    const removed = lines.filter((_, i) => i !== target);
    const afterRemoved = await verifyExport(removed);
    expect(afterRemoved.broken).toEqual([
      { streamId: 'ms-a1', streamVersion: 4, eventId: events[target + 1].eventId, reason: 'version-gap' },
    ]);
    expect(afterRemoved.manifestMismatches.join('\n')).toMatch(/12 events, the export holds 11/);

    const swapped = [...lines];
    [swapped[target], swapped[target + 1]] = [swapped[target + 1], swapped[target]];
    expect((await verifyExport(swapped)).broken[0]).toMatchObject({ streamId: 'ms-a1', streamVersion: 4 });
  });

  it('notices a rewritten chain tail that is internally consistent, through the manifest', async () => {
    // Forge the last event of agr-a and recompute its hash: the chain alone cannot tell, the manifest can.
    const events = lines.slice(0, 12).map((l) => JSON.parse(l) as EventEnvelope);
    const i = events.map((e) => e.streamId).lastIndexOf('agr-a');
    const forged = { ...events[i], data: { n: 'forged' } };
    const rewritten = [...lines];
    rewritten[i] = JSON.stringify({ ...forged, hash: computeEventHash(forged) });
    const report = await verifyExport(rewritten);
    expect(report.broken).toEqual([]);
    expect(report.manifestMismatches).toEqual([expect.stringMatching(/^stream agr-a: manifest says 3 events up to v3/)]);
  });

  it('reports unreadable lines and a missing manifest', async () => {
    const report = await verifyExport([...lines.slice(0, 12), 'not json', '{"neither": true}']);
    expect(report.unreadableLines).toEqual([13, 14]);
    expect(report.manifestMismatches).toEqual(['the export has no manifest line']);
  });
});
