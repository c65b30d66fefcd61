/**
 * Once a command's event is appended the command has succeeded: when a later step fails (here the view write,
 * as when the database goes away just after the append), the answer is 202 "stored", not a 500; the view is
 * healed from the store when the event comes back from Kafka; and a retry with the same Idempotency-Key answers
 * with the stored milestone instead of planning a second one.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { MongoNetworkError } from 'mongodb';
import type { Connection } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@tracker/contracts';
import { MONGO_CONNECTION, ReadModels } from '@tracker/service-runtime';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, uniqueName, type RunningService } from '@tracker/testing';
import { MilestonesConfig } from '../config';
import { MilestonesApp } from '../service';

const WRITES = new Set(['insertOne', 'insertMany', 'updateOne', 'replaceOne', 'findOneAndUpdate', 'bulkWrite']);

describe('a failure after the append (HTTP + Kafka)', () => {
  const clock = new TestClock('2026-02-01T09:00:00Z');
  const prefix = `${uniqueName('honest')}.`;
  const agreementId = uuidv7();
  let svc: RunningService;
  let producer: Producer;
  /** While set, writes to the milestone views fail as if the database had gone away. */
  let viewsDown = false;

  beforeAll(async () => {
    svc = await startService(MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }));
    const readModels = svc.app.get(ReadModels);
    const collection = readModels.collection.bind(readModels);
    jest.spyOn(readModels, 'collection').mockImplementation(((name: string) => {
      const real = collection(name);
      if (name !== 'milestone_views') return real;
      return new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof prop !== 'string' || !WRITES.has(prop) || typeof value !== 'function') return value;
          return (...args: unknown[]) => (viewsDown ? Promise.reject(new MongoNetworkError('connection reset')) : value.apply(target, args));
        },
      });
    }) as typeof readModels.collection);
    producer = new Kafka({ clientId: 'honest-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.ERROR }).producer();
    await producer.connect();
    const events = new ForeignEvents(() => clock.now());
    const registered = events.next(`agreement-${agreementId}`, agreementId, 'agreement.registered', { agreementId, ...agreementRegistration('TR-UZ-HONEST') });
    await publishEvent(producer, `${prefix}${Topics.agreements}`, registered);
    await eventually(async () => (await svc.as('monitor').post('/milestones').send(survey('Probe'))).status === 201, { timeoutMs: 30_000, intervalMs: 200 });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  const survey = (title: string) => ({ agreementId, type: 'geological_survey', title, dueDate: '2026-12-31' });

  it('answers 202 stored, heals the view from the store, and a keyed retry answers with the same milestone', async () => {
    const title = 'Joint geological survey of the Almalyk copper deposits';
    const key = `plan-${uuidv7()}`;
    viewsDown = true;
    const first = await svc.as('monitor').post('/milestones').set('Idempotency-Key', key).send(survey(title));
    viewsDown = false;
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'stored', stored: [{ version: 1 }] });
    const streamId: string = first.body.stored[0].streamId;
    const id = streamId.replace(/^milestone-/, '');

    // Healed: the event came back from the topic and the view was brought up to the stored stream.
    const view = await eventually(async () => {
      const res = await svc.as('monitor').get(`/milestones/${id}`);
      return res.status === 200 && res.body;
    });
    expect(view).toMatchObject({ id, title, version: 1 });

    const retry = await svc.as('monitor').post('/milestones').set('Idempotency-Key', key).send(survey(title));
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ id, title, version: 1 });

    const connection = svc.app.get<Connection>(MONGO_CONNECTION);
    const planned = await connection.collection('events').find({ type: 'milestone.planned', 'data.title': title }).toArray();
    expect(planned).toHaveLength(1);
  });

  it('without a key, the same: 202 stored, never a 500', async () => {
    viewsDown = true;
    const res = await svc.as('monitor').post('/milestones').send(survey('Pilot processing plant feasibility study'));
    viewsDown = false;
    expect(res.status).toBe(202);
    expect(res.body.detail).toMatch(/stored/);
  });
});
