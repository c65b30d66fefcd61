/** Draining on SIGTERM, on a real HTTP server: readiness 503 at once, requests still served for the grace period. */
import type { NestApplicationContext } from '@nestjs/core';
import { createTestApp, type TestApp } from '../test/test-app';
import { instancesFrom } from '../http/instances';

const GRACE_MS = 600;

describe('draining (SIGTERM)', () => {
  let t: TestApp;
  let url: string;

  beforeEach(async () => {
    t = await createTestApp({ env: { SHUTDOWN_GRACE_MS: String(GRACE_MS) } });
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  });
  afterEach(async () => {
    await t.close().catch(() => undefined);
  });

  it('answers readiness 503 `draining` at once, keeps serving with Connection: close for the grace period, then closes', async () => {
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const started = Date.now();
    // What enableShutdownHooks' SIGTERM listener runs (a real signal would end the test worker: Nest re-raises it).
    const closing = (t.app as unknown as NestApplicationContext).close('SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));

    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    const body = (await ready.json()) as { detail: string; draining?: boolean };
    expect(body.draining).toBe(true);
    expect(body.detail).toMatch(/draining/);

    // Still serving: a new request during the grace period gets its answer.
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.headers.get('connection')).toBe('close');
    expect(Date.now() - started).toBeLessThan(GRACE_MS);

    await closing;
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_MS - 20);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('closes at once when closed from code (no signal: nobody routes to it)', async () => {
    const started = Date.now();
    await t.app.close();
    expect(Date.now() - started).toBeLessThan(GRACE_MS);
  });
});

describe('INSTANCES', () => {
  it('is 1 when unset, the number when an integer 1..16, else a message', () => {
    expect(instancesFrom({})).toBe(1);
    expect(instancesFrom({ INSTANCES: '2' })).toBe(2);
    expect(instancesFrom({ INSTANCES: '0' })).toMatch(/between 1 and 16/);
    expect(instancesFrom({ INSTANCES: 'two' })).toMatch(/between 1 and 16/);
    expect(instancesFrom({ INSTANCES: '17' })).toMatch(/between 1 and 16/);
  });
});
