/**
 * The DLQ routes every service gets (issue 18), on a small service declared here and run on the real Kafka and
 * MongoDB: a projection refuses an event (dead-lettered), the route lists it, the fix is deployed, the re-drive
 * route publishes it back once and the projection applies it; a second re-drive publishes nothing. Only an admin
 * may, and only on the DLQ twins of the service's own topics. `npm run dlq` (tools/dlq) prints the same.
 */
import type { AddressInfo } from 'node:net';
import { Controller } from '@nestjs/common';
import { logLevel, Kafka, type Producer } from 'kafkajs';
import { PermanentError, topicSize } from '@tracker/messaging';
import { expectProblem, eventually, ForeignEvents, kafkaBrokers, publishEvent, runTool, startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { EventSourcedServiceConfig } from './config';
import type { TopicProjection } from './projections';
import { defineService } from './service.module';

const applied: string[] = [];
let fixed = false;

/** Agreements as this service knows them: it refuses those it cannot yet read (until "fixed"). */
const directory: TopicProjection = {
  source: 'topics',
  name: 'directory',
  collections: [{ name: 'directory' }],
  topics: ['pacts.events'],
  apply: async (_, event) => {
    if (!fixed && event.type === 'pact.amended') throw new PermanentError('unknown kind of amendment');
    applied.push(event.type);
  },
};

@Controller()
class NoRoutes {}

const Clauses = defineService({
  name: 'clauses',
  topic: 'clauses.events',
  api: { title: 'Clauses', description: 'a service of the DLQ test', version: '1' },
  aggregates: [],
  projections: [directory],
  controllers: [NoRoutes],
});

describe('DLQ routes (integration)', () => {
  const prefix = `${uniqueName('dlqroutes')}.`;
  const consumed = `${prefix}pacts.events`;
  const kafka = new Kafka({ clientId: 'dlq-routes-test', brokers: kafkaBrokers(), logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  let producer: Producer;
  let svc: RunningService;

  beforeAll(async () => {
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
    svc = await startService(Clauses.forRoot(testConfig(EventSourcedServiceConfig, { KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '1' })));
  });

  afterAll(async () => {
    await svc?.close();
    await producer.disconnect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  it('lists the service’s DLQ topics with their counts', async () => {
    const res = await svc.as('admin').get('/admin/dlq').expect(200);
    expect(res.body).toEqual({
      service: 'clauses',
      topics: [
        { topic: `${prefix}clauses.events.dlq`, originalTopic: `${prefix}clauses.events`, messages: 0, redriven: 0, pending: 0 },
        { topic: `${consumed}.dlq`, originalTopic: consumed, messages: 0, redriven: 0, pending: 0 },
      ],
    });
  });

  it('404 for a topic that is not one of its DLQs, with or without the prefix', async () => {
    for (const topic of ['agreements.events.dlq', `${prefix}agreements.events.dlq`, 'pacts.events', `${prefix}pacts.events`]) {
      for (const [method, url] of [['get', `/admin/dlq/${topic}`], ['post', `/admin/dlq/${topic}/redrive`]] as const) {
        const res = await svc.as('admin')[method](url);
        expectProblem(res, 404, url);
        expect(res.body.detail).toMatch(/is not a DLQ topic of the clauses service/);
      }
    }
  });

  it('403 for a key that is not the admin’s, naming the role', async () => {
    for (const role of ['monitor', 'auditor'] as const) {
      for (const [method, url] of [['get', '/admin/dlq'], ['get', '/admin/dlq/pacts.events.dlq'], ['post', '/admin/dlq/pacts.events.dlq/redrive']] as const) {
        const res = await svc.as(role)[method](url);
        expectProblem(res, 403, url);
        expect(res.body.detail).toMatch(/admin/);
      }
    }
  });

  it('400 for a bad limit or consumer group', async () => {
    await svc.as('admin').get('/admin/dlq/pacts.events.dlq?limit=0').expect(400);
    await svc.as('admin').post('/admin/dlq/pacts.events.dlq/redrive?consumerGroup=a%20b').expect(400);
  });

  it('lists a dead letter, re-drives it once after the fix, and nothing the second time', async () => {
    const events = new ForeignEvents(() => new Date('2026-02-04T09:00:00Z'));
    const amended = await publishEvent(producer, consumed, events.next('pact-1', 'pact-1', 'pact.amended', { clause: 7 }));
    await publishEvent(producer, consumed, events.next('pact-1', 'pact-1', 'pact.noted', {}));
    await eventually(() => applied.includes('pact.noted'));

    // without the prefix, as an operator types it
    const listed = await svc.as('admin').get('/admin/dlq/pacts.events.dlq').expect(200);
    expect(listed.body).toEqual({
      topic: `${consumed}.dlq`,
      items: [
        expect.objectContaining({
          partition: 0,
          offset: '0',
          key: 'pact-1',
          eventId: amended.eventId,
          type: 'pact.amended',
          reason: 'permanent',
          error: 'unknown kind of amendment',
          originalTopic: consumed,
          originalOffset: '0',
          consumerGroup: `${prefix}clauses.directory`,
          redrivenAt: null,
        }),
      ],
    });
    const group = await svc.as('admin').get(`/admin/dlq/${consumed}.dlq?consumerGroup=clauses.directory`).expect(200);
    expect(group.body.items).toHaveLength(1);
    expect((await svc.as('admin').get('/admin/dlq/pacts.events.dlq?consumerGroup=clauses.other').expect(200)).body.items).toEqual([]);
    expect((await svc.as('admin').get('/admin/dlq').expect(200)).body.topics[1]).toMatchObject({ messages: 1, redriven: 0, pending: 1 });

    fixed = true;
    const first = await svc.as('admin').post('/admin/dlq/pacts.events.dlq/redrive').expect(200);
    expect(first.body).toEqual({ dlqTopic: `${consumed}.dlq`, total: 1, redriven: 1, published: 1, alreadyRedriven: 0, failed: 0, remaining: 0, failures: [] });
    await eventually(() => applied.includes('pact.amended'));

    const second = await svc.as('admin').post('/admin/dlq/pacts.events.dlq/redrive').expect(200);
    expect(second.body).toMatchObject({ total: 1, redriven: 0, published: 0, alreadyRedriven: 1 });
    expect(await topicSize(admin, consumed)).toBe(3);
    expect((await svc.as('admin').get('/admin/dlq').expect(200)).body.topics[1]).toMatchObject({ messages: 1, redriven: 1, pending: 0 });
    const after = await svc.as('admin').get('/admin/dlq/pacts.events.dlq').expect(200);
    expect(Date.parse(after.body.items[0].redrivenAt)).not.toBeNaN();
    expect(applied.filter((t) => t === 'pact.amended')).toHaveLength(1);
  });

  it('npm run dlq: the table of dead letters, the counts of a re-drive, the topics, exit code 2 for a key that is not admin', async () => {
    const server = svc.app.getHttpServer();
    if (!server.listening) await svc.app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dlq = (...args: string[]) => runTool('tools/dlq/dlq.ts', [...args, '--url', url]);

    const list = await dlq('list', 'pacts.events');
    expect({ code: list.code, stderr: list.stderr }).toMatchObject({ code: 0 });
    expect(list.stderr).toContain(`${consumed}.dlq: 1 dead letter(s)`);
    expect(list.stdout).toMatch(/^\| partition \| offset \| key \| event \|/);
    expect(list.stdout).toMatch(/\| 0 \| 0 \| pact-1 \| [0-9a-f-]{36} \| pact.amended \| permanent \| unknown kind of amendment \|/);

    const redrive = await dlq('redrive', 'pacts.events.dlq', '--api-key', 'dev-admin');
    expect({ code: redrive.code, stderr: redrive.stderr }).toMatchObject({ code: 0 });
    expect(redrive.stdout).toContain(`| ${consumed}.dlq | 1 | 0 | 0 | 1 | 0 | 0 |`);

    const topics = await dlq('list', '--service', 'agreements'); // --url: this service, whatever its name
    expect({ code: topics.code, stderr: topics.stderr }).toMatchObject({ code: 0 });
    expect(topics.stdout).toContain(`| agreements | ${consumed}.dlq | 1 | 1 | 0 |`);

    const refused = await dlq('redrive', 'pacts.events.dlq', '--api-key', 'dev-monitor');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/403 .*dead letters need an admin key/);
  });
});
