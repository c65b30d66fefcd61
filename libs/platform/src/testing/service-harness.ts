/**
 * Runs a whole service in-process against the real Kafka and MongoDB of the test run (KAFKA_BROKERS, MONGO_URL),
 * with its own database and topic prefix so that test files running side by side never see each other's data.
 * Test-only: imported as `@tracker/platform/testing`, never from `@tracker/platform`.
 */
import { randomBytes } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DEV_KEYS } from '../auth/api-keys';
import { loadConfig } from '../config/load-config';
import { createHttpApp } from '../http/bootstrap';

export function uniqueTestName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A config for tests: the run's Kafka and MongoDB, a fresh database, quiet logs. */
export function testConfig<T extends object>(ConfigClass: new () => T, overrides: Record<string, string> = {}): T {
  const { KAFKA_BROKERS, MONGO_URL } = process.env;
  if (!KAFKA_BROKERS || !MONGO_URL) throw new Error('KAFKA_BROKERS and MONGO_URL are not set: run through `npm test` or jest with the integration globalSetup');
  return loadConfig(ConfigClass, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS,
    MONGO_URL,
    MONGO_DB: uniqueTestName('t'),
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

/** Polls until `check` stops throwing or returns truthy: tests wait for a condition, never a guessed delay. */
export async function eventually<T>(check: () => Promise<T> | T, { timeoutMs = 20000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await check();
      if (result !== false && result !== undefined && result !== null) return result;
      if (Date.now() > deadline) throw new Error(`condition still ${String(result)} after ${timeoutMs} ms`);
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
