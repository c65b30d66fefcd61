/**
 * Auditors verify the hash chains and export the log over HTTP; the export re-verifies offline, and tampering in
 * the database shows up in the next verification, naming the event.
 */
import type request from 'supertest';
import { agreementStreamId } from '@tracker/contracts';
import { eventKey, verifyExport, type EventStore } from '@tracker/event-store';
import { EVENT_STORE } from '@tracker/service-runtime';
import { startService, testConfig, uniqueName, type RunningService, trUzMemorandum } from '@tracker/testing';
import { AgreementsApp } from './service';
import { AgreementsConfig } from './config';


/** Collects an NDJSON body as text (supertest parses only JSON by itself). */
function asText(res: request.Response, done: (err: Error | null, body: string) => void): void {
  res.setEncoding('utf8');
  let text = '';
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => done(null, text));
}

describe('audit over HTTP (agreements service)', () => {
  let svc: RunningService;
  const ids: string[] = [];

  beforeAll(async () => {
    svc = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('aud')}.` })));
    for (const ref of ['AUDIT-1', 'AUDIT-2']) {
      const res = await svc.as('monitor').post('/agreements').send(trUzMemorandum(ref)).expect(201);
      ids.push(res.body.id);
    }
    await svc.as('monitor').post(`/agreements/${ids[0]}/amend`).set('If-Match', '"1"').send({ place: 'Ankara' }).expect(200);
  });
  afterAll(async () => svc?.close());

  it('verifies every chain and reports counts', async () => {
    const res = await svc.as('auditor').get('/audit/verify').expect(200);
    expect(res.body).toMatchObject({ service: 'agreements', ok: true, streamsChecked: 2, eventsChecked: 3, broken: [] });
    const one = await svc.as('auditor').get(`/audit/verify?streamId=${agreementStreamId(ids[0])}`).expect(200);
    expect(one.body).toMatchObject({ streamsChecked: 1, eventsChecked: 2 });
    // The agreement's own id names the same stream (the OpenAPI says an agreement id is what it takes).
    const byId = await svc.as('auditor').get(`/audit/verify?streamId=${ids[0]}`).expect(200);
    expect(byId.body).toMatchObject({ streamsChecked: 1, eventsChecked: 2, ok: true });
  });

  it('answers 404 for a stream that does not exist, rather than "ok" after checking nothing', async () => {
    for (const id of ['01a23353-0000-7000-8000-000000000000', 'agreement-nothing-here']) {
      const res = await svc.as('auditor').get(`/audit/verify?streamId=${id}`).expect(404);
      expect(res.body.detail).toContain(`stores no stream ${id}`);
    }
  });

  it('exports NDJSON with a manifest that re-verifies from the file alone, whole or for one agreement', async () => {
    const res = await svc.as('auditor').get('/audit/export').buffer(true).parse(asText);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = (res.body as string).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const report = await verifyExport(lines);
    expect(report).toMatchObject({ eventsChecked: 3, broken: [], manifestMismatches: [] });
    expect(report.manifest).toMatchObject({ service: 'agreements', events: 3 });

    const only = await svc.as('admin').get(`/audit/export?agreementId=${ids[1]}`).buffer(true).parse(asText);
    const onlyReport = await verifyExport((only.body as string).trimEnd().split('\n'));
    expect(onlyReport).toMatchObject({ streamsChecked: 1, eventsChecked: 1, broken: [], manifestMismatches: [] });
  });

  it('refuses bad queries with 400 naming the field', async () => {
    const bad = await svc.as('auditor').get('/audit/export?agreementId=TR-UZ').expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('agreementId');
    await svc.as('auditor').get('/audit/verify?streamId[$ne]=x').expect(400);
  });

  it('names an event altered directly in the database', async () => {
    const store = svc.app.get<EventStore>(EVENT_STORE);
    const streamId = agreementStreamId(ids[0]);
    const [first] = await store.readStream(streamId);
    await store.collection.updateOne({ _id: eventKey(streamId, 1) }, { $set: { 'data.title': 'A different title' } });
    const res = await svc.as('auditor').get('/audit/verify').expect(200);
    expect(res.body).toMatchObject({ ok: false, broken: [{ streamId, streamVersion: 1, eventId: first.eventId, reason: 'hash-mismatch' }] });
  });
});
