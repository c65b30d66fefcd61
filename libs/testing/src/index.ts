/**
 * Helpers of every test in the repository (test code only: a lint rule keeps production code from importing
 * it): waiting for a condition, unique names, a clock tests move, events as other services publish them, a
 * registration body, a whole service in-process, and the access matrix of the services' routes.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import { v7 as uuidv7 } from 'uuid';
import type { EventEnvelope } from '@tracker/contracts';

/** Polls until `check` returns a truthy value without throwing, or the deadline passes (then rethrows). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false && result !== undefined && result !== null) return result;
      lastError = new Error(`condition still ${String(result)} after ${timeoutMs} ms`);
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A name no other test (file) uses: databases, topics, consumer groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function mongoUrl(): string {
  const url = process.env.MONGO_URL;
  if (!url) throw new Error('MONGO_URL is not set (run jest with the lib config: its globalSetup sets it)');
  return url;
}

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set (run jest with the lib config: its globalSetup sets it)');
  return brokers.split(',');
}

/** A connected producer on the test brokers (quiet: errors only), for tests that publish other services' events. */
export async function testProducer(clientId = 'test'): Promise<Producer> {
  const producer = new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.ERROR }).producer();
  await producer.connect();
  return producer;
}

/** A database of the suite's own on the test server, dropped after it: call in `describe`, use `db()` in tests. */
export function useTestDatabase(prefix: string): () => Connection {
  let connection: Connection | undefined;
  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName(prefix) }).asPromise();
  });
  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });
  return () => {
    if (!connection) throw new Error('useTestDatabase: the database is opened in beforeAll');
    return connection;
  };
}

/** Read-model collections of a test's own (a CollectionSource): each call, a fresh name prefix in `connection`. */
export function scratchCollections(connection: Connection) {
  const prefix = uniqueName('s');
  return {
    collection: <T extends mongoose.mongo.Document>(name: string) => connection.collection<T>(`${prefix}_${name}`),
    define: async () => undefined,
  };
}

export { TestClock, type Duration } from './clock';
export { recordQueries, isByKey, type SentQuery } from './queries';
export { runTool, type ToolRun } from './tools';
export { startTcpProxy, throughProxy, hostOf, type TcpProxy } from './tcp-proxy';

/**
 * Events as another service would publish them, for consumer tests: stream versions counted per stream, times
 * from `now`. The hash is a placeholder (consumers do not check chains).
 */
export class ForeignEvents {
  private readonly versions = new Map<string, number>();
  constructor(private readonly now: () => Date) {}

  next(
    streamId: string,
    agreementId: string,
    type: string,
    data: unknown,
    overrides: Partial<EventEnvelope> = {},
  ): EventEnvelope {
    const version = (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, version);
    const at = this.now().toISOString();
    return {
      eventId: uuidv7(),
      type,
      schemaVersion: 1,
      streamId,
      streamVersion: version,
      position: version,
      agreementId,
      occurredAt: at,
      recordedAt: at,
      actor: { id: 'dev-monitor', role: 'monitor' },
      correlationId: uuidv7(),
      causationId: null,
      data,
      hash: 'f'.repeat(64),
      prevHash: null,
      ...overrides,
    };
  }
}

/** Sends an envelope as the outbox relay does: keyed by agreement id, the envelope as JSON. */
export async function publishEvent(
  producer: Producer,
  topic: string,
  envelope: EventEnvelope,
): Promise<EventEnvelope> {
  await producer.send({ topic, messages: [{ key: envelope.agreementId, value: JSON.stringify(envelope) }] });
  return envelope;
}

/**
 * A registration body of the Türkiye–Uzbekistan memorandum on critical minerals (signed in Ankara on 29 January
 * 2026), for tests that need a valid agreement: give each one its own reference, and override what the test is
 * about (title, dates, commodities…).
 */
export function trUzMemorandum(reference: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    reference,
    title: 'Memorandum of Understanding on critical minerals',
    kind: 'mou',
    parties: [
      { country: 'TR', name: 'Republic of Türkiye' },
      { country: 'UZ', name: 'Republic of Uzbekistan' },
    ],
    signedOn: '2026-01-29',
    datePrecision: 'day',
    ...overrides,
  };
}

/**
 * The data of an `agreement.registered` event as the agreements service publishes it (signed 29 January 2026), for
 * tests of the services that read `agreements.events`.
 */
export function agreementRegistration(reference: string, title = `MoU ${reference}`): Record<string, unknown> {
  return {
    reference,
    title,
    kind: 'mou',
    parties: [],
    signatories: [],
    signedOn: '2026-01-29',
    datePrecision: 'day',
    sectors: [],
    commodities: [],
    objectives: [],
    targets: [],
    sources: [],
  };
}

export { startService, testConfig, type RunningService } from './service-harness';
export {
  accessCases,
  authorizationOf,
  CALLERS,
  controllerRoutes,
  expectProblem,
  OK,
  openApiOperations,
  openApiOperationsWithoutBearer,
  routeKey,
  routerRoutes,
  describeRouteCoverage,
  PUBLIC_CONTROLLER_ROUTES,
  PLATFORM_ROUTES,
  PLATFORM_ROUTE_REQUESTS,
  send,
  WRONG_KEY,
  type AccessRequest,
  type AccessRow,
  type CoverageSpec,
  type PreparedRequest,
  type RequestFactory,
  type Caller,
  type HttpMethod,
  type Outcome,
  type RouteKey,
} from './access-matrix';
export { exampleRequestFindings, openApiFindings, OpenApiSchemas, responseFindings, schemasOf, type ObservedResponse } from './openapi-contract';
