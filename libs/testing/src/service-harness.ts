/**
 * Runs a whole service in-process against the real Kafka and MongoDB of the test run (KAFKA_BROKERS, MONGO_URL),
 * with its own database and topic prefix so that test files running side by side never see each other's data.
 * Test-only (@tracker/testing).
 */
import 'reflect-metadata'; // before the platform: its config classes carry decorator metadata
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createHttpApp, DEV_KEYS, loadConfig } from '@tracker/platform';
import { uniqueName } from './index';

/** A config for tests: the run's Kafka and MongoDB, a fresh database, quiet logs. */
export function testConfig<T extends object>(ConfigClass: new () => T, overrides: Record<string, string> = {}): T {
  const { KAFKA_BROKERS, MONGO_URL } = process.env;
  if (!KAFKA_BROKERS || !MONGO_URL) throw new Error('KAFKA_BROKERS and MONGO_URL are not set: run through `npm test` or jest with the integration globalSetup');
  return loadConfig(ConfigClass, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS,
    MONGO_URL,
    MONGO_DB: uniqueName('t'),
    ...overrides,
  });
}

export interface RunningService {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  /** Supertest with a development key of this role. */
  as(role: keyof typeof DEV_KEYS): { get(url: string): request.Test; post(url: string): request.Test };
  close(): Promise<void>;
}

export async function startService(module: DynamicModule): Promise<RunningService> {
  const app = await createHttpApp(module);
  await app.init();
  const http = request(app.getHttpServer());
  return {
    app,
    http,
    as: (role) => ({
      get: (url) => http.get(url).set('Authorization', `Bearer ${DEV_KEYS[role]}`),
      post: (url) => http.post(url).set('Authorization', `Bearer ${DEV_KEYS[role]}`),
    }),
    close: () => app.close(),
  };
}
