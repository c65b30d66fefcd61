/**
 * Replay (issue 8): after a realistic run of the three services (thousands of events: plans, progress, slips,
 * outcomes, concurrency conflicts, alerts raised by events and by the deadline scan, webhooks delivered, and
 * every topic holding redelivered copies of events), each service's replay rebuilds read models equal to the
 * live ones, document for document, while queries keep answering; the alerts replay sends nothing; writes made
 * during a replay are kept; only an admin replays, one at a time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { EventStore } from '@tracker/event-store';
import { Topics } from '@tracker/contracts';
import { EVENT_STORE, ServiceRuntime, MONGO_CONNECTION, ReadModels, type ReplayStatus } from '@tracker/service-runtime';
import { encodeEnvelope } from '@tracker/messaging';
import { TestClock, eventually, runTool, startService, testConfig, uniqueName, type RunningService, trUzMemorandum } from '@tracker/testing';
import { asyncApiErrors, asyncApiFindings, readChannelMessages } from '../support/asyncapi';
import type { Connection } from 'mongoose';
// The run needs the services' own modules in this process (one TestClock for all three).
/* eslint-disable @nx/enforce-module-boundaries */
import { AgreementsApp } from '../../services/agreements/src/service';
import { AgreementsConfig } from '../../services/agreements/src/config';
import { MilestonesApp } from '../../services/milestones/src/service';
import { MilestonesConfig } from '../../services/milestones/src/config';
import { AlertsApp } from '../../services/alerts/src/service';
import { AlertsConfig } from '../../services/alerts/src/config';
import { DeadlineScheduler } from '../../services/alerts/src/alerts/deadline-scheduler';
import { DeliveriesService } from '../../services/alerts/src/deliveries/deliveries.service';
/* eslint-enable @nx/enforce-module-boundaries */

jest.setTimeout(600_000);

const AGREEMENTS = 10;
const MILESTONES_PER_AGREEMENT = 8;

/** Runs `work` over `items`, `n` at a time. */
async function pool<T>(items: readonly T[], n: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

describe('replaying the read models (e2e)', () => {
  const clock = new TestClock('2026-02-02T09:00:00Z');
  const prefix = `${uniqueName('replay')}.`;
  const services: Record<'agreements' | 'milestones' | 'alerts', RunningService> = {} as never;
  let server: Server;
  const webhooks: string[] = [];
  let producer: Producer;
  let kafka: Kafka;
  const milestoneIds: string[] = [];
  const versions = new Map<string, number>();
  let conflicts = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        webhooks.push(String(req.headers['x-tracker-delivery']));
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // One test client sends far more than a monitor would: no rate limit here.
    const common = { KAFKA_TOPIC_PREFIX: prefix, READ_MODEL_REFRESH_MS: '200', RATE_LIMIT_PER_MINUTE: '1000000' };
    services.agreements = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, common), { clock }));
    services.milestones = await startService(MilestonesApp.forRoot(testConfig(MilestonesConfig, common), { clock }));
    services.alerts = await startService(
      AlertsApp.forRoot(
        testConfig(AlertsConfig, { ...common, OUTBOUND_ALLOW: '127.0.0.1/32', ALERT_SCAN_INTERVAL_MS: '0', DELIVERY_INTERVAL_MS: '0', ALERT_APPROACH_WINDOWS_DAYS: '30,7' }),
        { clock },
      ),
    );
    kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'replay-e2e', logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.all(Object.values(services).map((s) => s?.close()));
    await new Promise((resolve) => server?.close(resolve));
  });

  const store = (s: RunningService) => s.app.get<EventStore>(EVENT_STORE);
  const readModels = (s: RunningService) => s.app.get(ReadModels);

  /** Every event published and every consumer of every service at the end of its topics. */
  async function settled(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          for (const [name, s] of Object.entries(services)) {
            const topic = prefix + Topics[name as keyof typeof Topics];
            if (await store(s).outbox.oldest(topic)) throw new Error(`${name}: outbox not drained`);
            for (const consumer of s.app.get(ServiceRuntime).consumers) {
              const behind = (await consumer.fetchLag(admin)).filter((l) => l.lag > 0);
              if (behind.length) throw new Error(`${consumer.groupId} behind: ${JSON.stringify(behind)}`);
            }
          }
          return true;
        },
        { timeoutMs: 180_000, intervalMs: 250 },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Every read model of a service, documents in _id order. */
  async function snapshot(s: RunningService): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const name of readModels(s).names()) out[name] = await readModels(s).collection(name).find({}).sort({ _id: 1 }).toArray();
    return out;
  }

  async function command(milestoneId: string, action: string, body: object): Promise<void> {
    const res = await services.milestones
      .as('monitor')
      .post(`/milestones/${milestoneId}/${action}`)
      .set('If-Match', `"${versions.get(milestoneId)}"`)
      .send(body);
    if (res.status !== 200) throw new Error(`${action} on ${milestoneId}: ${res.status} ${JSON.stringify(res.body)}`);
    versions.set(milestoneId, res.body.version);
  }

  async function replay(s: RunningService, whileRunning?: () => Promise<void>): Promise<ReplayStatus> {
    const started = await s.as('admin').post('/admin/replays').expect(202);
    expect(started.headers.location).toBe(`/admin/replays/${started.body.id}`);
    let status: ReplayStatus = started.body;
    while (status.status === 'running') {
      await whileRunning?.();
      // Poll as a client would: a tight loop would compete with the replay for the service's one connection.
      await new Promise((r) => setTimeout(r, 250));
      status = (await s.as('admin').get(`/admin/replays/${status.id}`).expect(200)).body;
    }
    return status;
  }

  it('runs a realistic history: thousands of events with slips, conflicts, alerts and redeliveries', async () => {
    await services.alerts
      .as('stakeholder')
      .post('/subscriptions')
      .send({ filters: { partyCountries: ['UZ'] }, channel: { type: 'webhook', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret: 'replay-webhook-secret-01' } })
      .expect(201);

    const agreementIds: string[] = [];
    for (let i = 0; i < AGREEMENTS; i++) {
      const res = await services.agreements
        .as('monitor')
        .post('/agreements')
        .send(
          trUzMemorandum(`RPL-${prefix.slice(7, 15)}-${i}`, {
            title: `Critical minerals cooperation memorandum ${i}`,
            commodities: ['copper', 'tungsten'],
          }),
        )
        .expect(201);
      agreementIds.push(res.body.id);
    }
    await pool(agreementIds, 4, async (agreementId, i) => {
      for (let k = 0; k < MILESTONES_PER_AGREEMENT; k++) {
        const res = await eventually(async () => {
          const r = await services.milestones
            .as('monitor')
            .post('/milestones')
            .send({ agreementId, type: 'geological_survey', title: `Survey ${i}.${k}`, dueDate: `2026-0${3 + (k % 4)}-1${k % 9}` });
          if (r.status !== 201) throw new Error(`planning answered ${r.status}`);
          return r;
        });
        milestoneIds.push(res.body.id);
        versions.set(res.body.id, res.body.version);
      }
    });

    await pool(milestoneIds, 4, async (id, i) => {
      await command(id, 'start', {});
      await command(id, 'progress', { percent: 10 });
      // Two monitors report at once on the same version: one wins, the other gets 409 and nothing changes.
      const version = versions.get(id);
      const race = await Promise.all(
        [20, 25].map((percent) => services.milestones.as('monitor').post(`/milestones/${id}/progress`).set('If-Match', `"${version}"`).send({ percent })),
      );
      expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
      conflicts++;
      versions.set(id, Math.max(...race.map((r) => (r.status === 200 ? r.body.version : 0))));
      await command(id, 'reschedule', { newDueDate: '2026-07-15', reason: 'Permits delayed' });
      await command(id, 'progress', { percent: 40 });
      await command(id, 'reschedule', { newDueDate: '2026-08-20', reason: 'Equipment late' });
      await command(id, 'progress', { percent: 70 });
      if (i % 4 === 0) await command(id, 'met', { metOn: '2026-02-02', evidence: [{ url: 'https://example.org/report', title: 'Report' }] });
      else if (i % 4 === 1) await command(id, 'cancel', { reason: 'Merged into another survey' });
    });
    expect(conflicts).toBeGreaterThan(0);

    // The deadline scan at two dates: approaching (30 and 7 days) and missed alerts for the open milestones.
    await settled();
    const scheduler = services.alerts.app.get(DeadlineScheduler);
    for (const at of ['2026-07-25T09:00:00Z', '2026-08-15T09:00:00Z', '2026-08-25T09:00:00Z']) {
      clock.set(at);
      await scheduler.runOnce();
    }

    // Redeliveries: a copy of every tenth event of each store goes to its topic again, as its relay sends it.
    for (const [name, s] of Object.entries(services)) {
      let n = 0;
      for await (const event of store(s).readAll()) {
        if (n++ % 10 === 0) await producer.send({ topic: prefix + Topics[name as keyof typeof Topics], messages: [encodeEnvelope(event, name)] });
      }
    }
    await settled();
    const deliveries = services.alerts.app.get(DeliveriesService);
    await eventually(async () => (await deliveries.runOnce()).delivered === 0 && webhooks.length > 0, { timeoutMs: 60_000, intervalMs: 100 });

    let events = 0;
    for (const s of Object.values(services)) events += await store(s).collection.countDocuments({});
    expect(events).toBeGreaterThan(1000);
  });

  it('rebuilds every read model of each service equal to the live one, answering queries meanwhile', async () => {
    const agreementsList = (await services.agreements.as('monitor').get('/agreements?limit=100').expect(200)).body.items.length;
    const queries: Record<string, () => Promise<void>> = {
      agreements: async () => {
        const res = await services.agreements.as('monitor').get('/agreements?limit=100').expect(200);
        expect(res.body.items).toHaveLength(agreementsList);
      },
      milestones: async () => {
        const res = await services.milestones.as('monitor').get(`/milestones/${milestoneIds[0]}`).expect(200);
        expect(res.body.version).toBe(versions.get(milestoneIds[0]));
      },
      alerts: async () => {
        const res = await services.alerts.as('auditor').get('/alerts?limit=5').expect(200);
        expect(res.body.items).toHaveLength(5);
      },
    };
    const sentBefore = [...webhooks];
    for (const [name, s] of Object.entries(services)) {
      const before = await snapshot(s);
      const physicalBefore = Object.keys(before).map((n) => readModels(s).physicalName(n));
      let answered = 0;
      const status = await replay(s, async () => {
        await queries[name]();
        answered++;
      });
      expect({ name, status: status.status, error: status.error }).toEqual({ name, status: 'succeeded', error: null });
      expect(answered).toBeGreaterThan(0);
      expect(status.eventsDone).toBeGreaterThan(0);
      expect(status.documents).toEqual(Object.fromEntries(Object.entries(before).map(([n, docs]) => [n, docs.length])));

      const after = await snapshot(s);
      for (const n of Object.keys(before)) {
        expect(readModels(s).physicalName(n)).not.toBe(physicalBefore[Object.keys(before).indexOf(n)]);
        expect({ [n]: after[n] }).toEqual({ [n]: before[n] });
      }
      // The old collections are gone.
      const db = s.app.get<Connection>(MONGO_CONNECTION).db!;
      const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      expect(physicalBefore.filter((p) => existing.includes(p))).toEqual([]);
    }

    // Nothing was sent again: the dispatcher and the scan find nothing new to do.
    await services.alerts.app.get(DeadlineScheduler).runOnce();
    await services.alerts.app.get(DeliveriesService).runOnce();
    expect(webhooks).toEqual(sentBefore);
    expect(new Set(webhooks).size).toBe(webhooks.length);
  });

  it('keeps what is written while a replay runs, and runs one replay at a time', async () => {
    const s = services.milestones;
    const first = await s.as('admin').post('/admin/replays').expect(202);
    const second = await s.as('admin').post('/admin/replays').expect(409);
    expect(second.body.runningReplayId).toBe(first.body.id);

    const changed = milestoneIds.filter((_, i) => i % 4 === 2).slice(0, 6);
    for (const id of changed) await command(id, 'progress', { percent: 90 });
    let status: ReplayStatus = first.body;
    while (status.status === 'running') {
      await new Promise((r) => setTimeout(r, 250));
      status = (await s.as('admin').get(`/admin/replays/${status.id}`).expect(200)).body;
    }
    expect(status.status).toBe('succeeded');
    for (const id of changed) {
      const res = await s.as('monitor').get(`/milestones/${id}`).expect(200);
      expect({ id, version: res.body.version }).toEqual({ id, version: versions.get(id) });
    }
    const runs = await s.as('admin').get('/admin/replays').expect(200);
    expect(runs.body.items.map((r: ReplayStatus) => r.id)).toContain(first.body.id);
  });

  it('records a replay whose process died as abandoned, drops what it half built, and lets a new one start', async () => {
    const s = services.milestones;
    const db = s.app.get<Connection>(MONGO_CONNECTION).db!;
    // What a process killed in the middle of a replay leaves: its run record, its lease (expired, not renewed since),
    // and a collection of its generation half filled.
    const deadId = '0dead0ff-7a3e-4c1b-9a55-2f0c8e1d4b6a';
    const halfBuilt = `milestone_views__r20260202090000_${deadId.slice(0, 8)}`;
    await db.collection(halfBuilt).insertOne({ _id: 'half' as never });
    const deadRun = (id: string) => ({
      _id: id,
      id,
      service: 'milestones',
      requestedBy: 'dev-admin',
      status: 'running',
      phase: 'writing',
      startedAt: '2026-02-02T09:00:00.000Z',
      finishedAt: null,
      eventsTotal: 100,
      eventsDone: 40,
      eventsPerSecond: 10,
      secondsLeft: 6,
      documents: {},
      phaseSeconds: {},
      warnings: [],
      error: null,
    });
    await db.collection('replays').insertOne(deadRun(deadId) as never);
    await db.collection('replay_leases').updateOne({ _id: 'milestones' as never }, { $set: { owner: deadId, expiresAt: new Date(Date.now() - 1_000), renewedAt: new Date(Date.now() - 61_000) } }, { upsert: true });
    const liveBefore = readModels(s).physicalName('milestone_views');

    const seen = (await s.as('admin').get(`/admin/replays/${deadId}`).expect(200)).body as ReplayStatus;
    expect(seen).toMatchObject({ status: 'failed', error: expect.stringContaining('abandoned in phase writing') });
    expect(seen.finishedAt).not.toBeNull();
    const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(existing).not.toContain(halfBuilt);
    expect(existing).toContain(liveBefore);
    const listed = (await s.as('admin').get('/admin/replays').expect(200)).body.items as ReplayStatus[];
    expect(listed.find((r) => r.id === deadId)?.status).toBe('failed');

    // Another service's run in the same database is none of this service's business (a shared MONGO_DB).
    const otherId = '0a1e0000-7a3e-4c1b-9a55-2f0c8e1d4b6a';
    await db.collection('replays').insertOne({ ...deadRun(otherId), service: 'alerts' } as never);
    expect((await s.as('admin').get(`/admin/replays/${otherId}`).expect(200)).body.status).toBe('running');
    expect(((await s.as('admin').get('/admin/replays').expect(200)).body.items as ReplayStatus[]).map((r) => r.id)).not.toContain(otherId);
    await db.collection('replays').deleteOne({ _id: otherId as never });

    // A second dead run, found by the next replay taking over its expired lease (nobody asked for its status).
    const secondId = '0dead0ee-7a3e-4c1b-9a55-2f0c8e1d4b6a';
    const secondHalf = `milestone_views__r20260202090000_${secondId.slice(0, 8)}`;
    await db.collection(secondHalf).insertOne({ _id: 'half' as never });
    await db.collection('replays').insertOne(deadRun(secondId) as never);
    await db.collection('replay_leases').updateOne({ _id: 'milestones' as never }, { $set: { owner: secondId, expiresAt: new Date(Date.now() - 1_000), renewedAt: new Date(Date.now() - 61_000) } }, { upsert: true });
    const status = await replay(s);
    expect(status.status).toBe('succeeded');
    expect((await db.collection('replays').findOne({ _id: secondId as never }))?.status).toBe('failed');
    expect((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name)).not.toContain(secondHalf);
  });

  it('lets only an admin replay', async () => {
    for (const role of ['monitor', 'stakeholder', 'auditor'] as const) {
      await services.agreements.as(role).post('/admin/replays').expect(403);
      await services.agreements.as(role).get('/admin/replays').expect(403);
    }
  });

  it('npm run replay: shows progress and ends with the documents per read model; refuses a key that is not admin', async () => {
    const server = services.milestones.app.getHttpServer();
    if (!server.listening) await services.milestones.app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = (key: string) => runTool('tools/replay/replay.ts', ['milestones', '--url', url, '--api-key', key]);

    const ok = await run('dev-admin');
    expect({ code: ok.code, stderr: ok.stderr }).toMatchObject({ code: 0 });
    expect(ok.stderr).toMatch(/\[milestones\] replay [0-9a-f-]{36} started/);
    expect(ok.stderr).toMatch(/\[milestones\] done: [\d,]+ events in [\d.]+ s/);
    const views = await readModels(services.milestones).collection('milestone_views').countDocuments({});
    expect(ok.stdout).toContain(`| milestone_views | ${views.toLocaleString('en-US')} |`);

    const refused = await run('dev-auditor');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/403 .*replays need an admin key/);
  });

  it('published only messages that the services’ AsyncAPI documents describe, redeliveries included (issue 21)', async () => {
    const documents = await Promise.all(Object.values(services).map(async (s) => (await s.http.get('/asyncapi.json').expect(200)).body as object));
    for (const document of documents) expect(await asyncApiErrors(document)).toEqual([]);
    const messages = await readChannelMessages(kafka, documents[0], { groupPrefix: prefix, timeoutMs: 120_000 });
    expect(messages.length).toBeGreaterThan(1000);
    for (const document of documents) expect(asyncApiFindings(document, messages)).toEqual([]);
  });
});
