/** Readiness against the real dependencies (Kafka and MongoDB/FerretDB from the test infrastructure). */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { kafkaReadiness, mongoReadiness } from '../index';
import { createTestApp, type TestApp } from '../test/test-app';

const MONGO = Symbol('MONGO');
const KAFKA = Symbol('KAFKA');

/** Stands in for a service's runtime module: a global module providing its connections. */
@Global()
@Module({})
class ConnectionsModule {
  static forRoot(connection: Connection, kafka: Kafka): DynamicModule {
    return {
      module: ConnectionsModule,
      providers: [
        { provide: MONGO, useValue: connection },
        { provide: KAFKA, useValue: kafka },
      ],
      exports: [MONGO, KAFKA],
    };
  }
}

describe('readiness with MongoDB and Kafka', () => {
  let connection: Connection;
  let t: TestApp;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(process.env.MONGO_URL ?? '', {
        dbName: 'platform_readiness_test',
        serverSelectionTimeoutMS: 5000,
      })
      .asPromise();
    const kafka = new Kafka({
      clientId: 'platform-readiness-test',
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      logLevel: logLevel.NOTHING,
    });
    t = await createTestApp({
      imports: [ConnectionsModule.forRoot(connection, kafka)],
      readiness: {
        inject: [MONGO, KAFKA],
        useFactory: (db: Connection, k: Kafka) => [mongoReadiness(db), kafkaReadiness(k.admin())],
      },
    });
  });
  afterAll(async () => {
    await t?.close(); // also disconnects the readiness check's Kafka admin
    await connection?.close().catch(() => undefined);
  });

  it('is ready when both answer, not ready once MongoDB is gone', async () => {
    const ready = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details.mongodb).toEqual({ status: 'up' });
    expect(ready.body.details.kafka.status).toBe('up');
    expect(ready.body.details.kafka.brokers).toBeGreaterThanOrEqual(1);

    await connection.close();
    const down = await request(t.app.getHttpServer()).get('/health/ready').expect(503);
    expect(down.body.checks.mongodb).toMatchObject({
      status: 'down',
      message: expect.stringContaining('not connected'),
    });
    expect(down.body.checks.kafka.status).toBe('up');
  });
});
