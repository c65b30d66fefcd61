import request from 'supertest';
import { DEV_KEYS } from '../index';
import { createTestApp, type TestApp } from '../test/test-app';

const auth = { Authorization: `Bearer ${DEV_KEYS.monitor}` };
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation ids and logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('echoes a given X-Correlation-Id, hands it to the handler and tags every log line of the request', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/things')
      .set(auth)
      .set('X-Correlation-Id', 'corr-abc-123')
      .send({ title: 'Logged', parties: [{ country: 'TR', name: 'Türkiye' }] })
      .expect(201);
    expect(res.headers['x-correlation-id']).toBe('corr-abc-123');
    expect(res.body.correlationId).toBe('corr-abc-123');
    expect(res.body.contextId).toBe('corr-abc-123');

    const lines = t.logs.filter((l) => l['correlationId'] === 'corr-abc-123');
    expect(lines.map((l) => l['msg'])).toEqual(
      expect.arrayContaining(['creating Logged', 'request completed']),
    );
    const completed = lines.find((l) => l['msg'] === 'request completed') as {
      req: { headers: Record<string, string> };
      res: unknown;
    };
    expect(completed.req.headers['authorization']).toBe('[Redacted]');
    expect(completed.res).toEqual({ statusCode: 201 });
    expect(JSON.stringify(t.logs)).not.toContain(`Bearer ${DEV_KEYS.monitor}`);
  });

  it('generates a UUID v7 when none (or a malformed one) is given', async () => {
    const res = await request(t.app.getHttpServer()).get('/public').expect(200);
    expect(res.headers['x-correlation-id']).toMatch(UUID_V7);
    const bad = await request(t.app.getHttpServer())
      .get('/public')
      .set('X-Correlation-Id', 'evil id {"a":1}');
    expect(bad.headers['x-correlation-id']).toMatch(UUID_V7);
  });

  it('sets the security headers and no CORS unless configured', async () => {
    const res = await request(t.app.getHttpServer()).get('/public').set('Origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('health, metrics, docs', () => {
  let t: TestApp;
  let kafkaUp = true;
  let searchUp = true;
  beforeAll(async () => {
    t = await createTestApp({
      readiness: [
        { name: 'mongodb', check: async () => undefined },
        // A dependency the service works without for a while.
        {
          name: 'search',
          required: false,
          check: async () => {
            if (!searchUp) throw new Error('search index unreachable');
          },
        },
        {
          name: 'kafka',
          check: async () => {
            if (!kafkaUp) throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
            return { brokers: 1 };
          },
        },
      ],
    });
  });
  afterAll(() => t.close());
  const server = () => t.app.getHttpServer();

  it('/health/live is always 200', async () => {
    await request(server()).get('/health/live').expect(200, { status: 'ok' });
  });

  it('/health/ready is 200 "degraded" when only an optional check fails, and says which', async () => {
    kafkaUp = true;
    searchUp = false;
    const res = await request(server()).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      error: { search: { status: 'down', message: 'search index unreachable' } },
      details: { mongodb: { status: 'up' }, kafka: { status: 'up' }, search: { status: 'down' } },
    });
    // …and the metrics say the same, for alerting on a degraded dependency.
    const metrics = (await request(server()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^health_check_up\{check="search",required="false",service="[^"]+"\} 0$/m);
    expect(metrics).toMatch(/^health_check_up\{check="kafka",required="true",service="[^"]+"\} 1$/m);
    searchUp = true;
  });

  it('/health/ready is 200 when every check passes and 503 with details when one fails', async () => {
    kafkaUp = true;
    const ok = await request(server()).get('/health/ready').expect(200);
    expect(ok.body).toMatchObject({
      status: 'ok',
      details: { mongodb: { status: 'up' }, kafka: { status: 'up', brokers: 1 } },
    });

    kafkaUp = false;
    const down = await request(server()).get('/health/ready').expect(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.body).toMatchObject({
      status: 503,
      detail: 'Not ready: kafka: connect ECONNREFUSED 127.0.0.1:9092',
      checks: {
        mongodb: { status: 'up' },
        kafka: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:9092' },
      },
    });
  });

  it('/metrics exposes the latency histogram by route pattern and process metrics (runtime metrics: service-runtime)', async () => {
    await request(server()).get('/things/a8f5c3e0-0000-7000-8000-000000000001').set(auth).expect(200);
    await request(server()).get('/things/missing').set(auth).expect(404);

    const res = await request(server()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",service="test-service",method="GET",route="/things/:id",status="200"}',
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{service="test-service",method="GET",route="\/things\/:id",status="404"\} 1/,
    );
    expect(text).not.toContain('a8f5c3e0');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('/docs-json is the OpenAPI document with the bearer scheme and the service title', async () => {
    const res = await request(server()).get('/docs-json').expect(200);
    expect(res.body.info).toMatchObject({ title: 'Test service API', version: '9.9.9' });
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/things', '/things/{id}']));
    // The problem document and the 202 of a stored change, registered whether or not a route names them.
    expect(Object.keys(res.body.components.schemas)).toEqual(expect.arrayContaining(['ProblemDetails', 'ChangeStored']));
    // The probes and metrics are documented too, as needing no key (an empty security requirement).
    for (const path of ['/health/live', '/health/ready', '/metrics']) expect(res.body.paths[path].get.security).toEqual([{}]);
    expect(Object.keys(res.body.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    await request(server()).get('/docs').expect(200);
  });
});

describe('rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('429 with Retry-After once a key spends its budget, across routes; other keys and probes unaffected', async () => {
    const server = t.app.getHttpServer();
    await request(server).get('/any').set(auth).expect(200);
    await request(server).get('/monitor').set(auth).expect(200);
    await request(server).get('/things/x').set(auth).expect(200);
    const limited = await request(server).get('/any').set(auth).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      correlationId: limited.headers['x-correlation-id'],
    });

    await request(server).get('/any').set('Authorization', `Bearer ${DEV_KEYS.auditor}`).expect(200);
    await request(server).get('/health/live').expect(200);
    await request(server).get('/metrics').expect(200);
  });

  it('counts requests refused before routing (not JSON, malformed, undecodable, bad text) against the same budget', async () => {
    const server = t.app.getHttpServer();
    const key = { Authorization: `Bearer ${DEV_KEYS.stakeholder}` };
    await request(server).post('/things').set(key).set('Content-Type', 'text/plain').send('hello').expect(415);
    await request(server).post('/things').set(key).set('Content-Type', 'application/json').send('{"name": ').expect(400);
    await request(server).post('/things').set(key).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('not gzip').expect(400);
    // The budget (3) is spent by refusals alone: the next request, refused or not, is 429.
    const limited = await request(server).post('/things').set(key).set('Content-Type', 'text/plain').send('hello').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    await request(server).get('/any').set(key).expect(429);
  });

  it('unknown keys share the budget of their IP (key guessing is limited too)', async () => {
    const server = t.app.getHttpServer();
    for (let i = 0; i < 3; i++)
      await request(server).get('/any').set('Authorization', `Bearer guess-${i}`).expect(401);
    await request(server).get('/any').set('Authorization', 'Bearer guess-4').expect(429);
  });
});

describe('CORS when configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://tracker.example.org' } });
  });
  afterAll(() => t.close());

  it('allows the configured origin only', async () => {
    const ok = await request(t.app.getHttpServer())
      .options('/things')
      .set('Origin', 'https://tracker.example.org')
      .set('Access-Control-Request-Method', 'POST');
    expect(ok.headers['access-control-allow-origin']).toBe('https://tracker.example.org');
    const other = await request(t.app.getHttpServer()).get('/public').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
