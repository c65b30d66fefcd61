import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { DEV_KEYS } from '../index';
import { createTestApp, TestController, type TestApp } from '../test/test-app';

/** Bytes sent as they are (superagent would JSON-encode a Buffer under a JSON Content-Type). */
const asIs = (body: unknown) => body as string;
const auth = { Authorization: `Bearer ${DEV_KEYS.monitor}` };
const valid = {
  title: 'Critical minerals MoU',
  parties: [
    { country: 'TR', name: 'Türkiye' },
    { country: 'UZ', name: 'Uzbekistan' },
  ],
};

describe('problem details through HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT: '2kb' } });
  });
  afterAll(() => t.close());
  const server = () => t.app.getHttpServer();

  function expectProblem(res: request.Response, status: number, instance: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({ status, instance, correlationId: res.headers['x-correlation-id'] });
    expect(typeof res.body.type).toBe('string');
    expect(typeof res.body.title).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/stack|\.ts:\d+/);
  }

  it('a valid body reaches the handler as a DTO instance', async () => {
    const res = await request(server()).post('/things').set(auth).send(valid).expect(201);
    expect(res.body).toMatchObject({
      dto: valid,
      isDto: true,
      actor: { id: 'dev-monitor', role: 'monitor' },
    });
  });

  it('400 with one entry per field, nested paths and unknown fields', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .send({
        title: '',
        parties: [
          { country: 'TR', name: 'Türkiye' },
          { country: 'UZB', name: 7 },
        ],
        owner: 'me',
      });
    expectProblem(res, 400, '/things');
    expect(res.body.type).toBe('urn:tracker:problem:validation-error');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'title', message: 'title must be longer than or equal to 1 characters' },
        { field: 'parties[1].country', message: 'country must be shorter than or equal to 2 characters' },
        { field: 'parties[1].name', message: 'name must be a string' },
        { field: 'owner', message: 'owner is not a known field: remove it' },
      ]),
    );
  });

  it('400 for malformed JSON', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"title": ');
    expectProblem(res, 400, '/things');
    expect(res.body.title).toBe('Malformed JSON');
  });

  it.each([
    ['gzip', Buffer.from('not gzip at all')],
    ['deflate', Buffer.from('not deflate either')],
    ['br', Buffer.from('neither brotli')],
    // A valid gzip stream cut short.
    ['gzip', gzipSync(JSON.stringify(valid)).subarray(0, 12)],
  ])(
    '400, not 500, for a body that is not valid %s, on a public and a protected route',
    async (encoding, bytes) => {
      for (const [path, headers] of [
        ['/public', {}],
        ['/things', auth],
      ] as const) {
        const res = await request(server())
          .post(path)
          .set(headers)
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', encoding)
          .serialize(asIs)
          .send(bytes);
        expectProblem(res, 400, path);
        expect(res.body.title).toBe('Undecodable body');
      }
    },
  );

  it('a valid gzip body is read', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(gzipSync(JSON.stringify(valid)));
    expect(res.status).toBe(201);
    expect(res.body.dto).toMatchObject(valid);
  });

  it('415 for an unsupported Content-Encoding', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .serialize(asIs)
      .send(Buffer.from('x'));
    expectProblem(res, 415, '/things');
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
  ])('415 for a %s body, saying what to send', async (type) => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .set('Content-Type', type)
      .serialize(asIs)
      .send(Buffer.from('title=Critical minerals'));
    expectProblem(res, 415, '/things');
    expect(res.body.detail).toContain('Content-Type: application/json');
  });

  it('415 for a body with no Content-Type; a body-less POST passes', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .serialize(asIs)
      .send(Buffer.from('{}'))
      .unset('Content-Type');
    expectProblem(res, 415, '/things');
    expect(res.body.detail).toContain('no Content-Type was sent');
    expect((await request(server()).post('/things').set(auth)).status).toBe(400);
  });

  it.each([
    ['an unpaired surrogate', '{"title": "Ankara \\ud800 x", "parties": [{"name": "T\u00fcrkiye"}]}', 'unpaired surrogate'],
    ['NUL', '{"title": "Ankara \\u0000 x", "parties": [{"name": "T\u00fcrkiye"}]}', 'control characters'],
    ['a right-to-left override', '{"title": "Ankara \u202e x", "parties": [{"name": "T\u00fcrkiye"}]}', 'bidirectional'],
  ])('400 naming the field for %s in a string, and the handler never runs', async (_what, json, message) => {
    const calls = TestController.calls;
    const res = await request(server()).post('/things').set(auth).set('Content-Type', 'application/json').serialize(asIs).send(json);
    expectProblem(res, 400, '/things');
    expect(res.body.errors).toEqual([{ field: 'title', message: expect.stringContaining(message) }]);
    expect(TestController.calls).toBe(calls);
  });

  it('400 for bytes that are not UTF-8 (not text with U+FFFD in it)', async () => {
    const bytes = Buffer.concat([Buffer.from('{"title": "Ankara '), Buffer.from([0xc3, 0x28]), Buffer.from('", "parties": [{"name": "x"}]}')]);
    const res = await request(server()).post('/things').set(auth).set('Content-Type', 'application/json').serialize(asIs).send(bytes);
    expectProblem(res, 400, '/things');
    expect(res.body.detail).toContain('not valid UTF-8');
  });

  it('text reaches the handler normalised to NFC', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .send({ ...valid, title: 'Critical minerals: Tu\u0308rkiye' });
    expect(res.status).toBe(201);
    expect(res.body.dto.title).toBe('Critical minerals: Türkiye');
  });

  it('413 above the body limit', async () => {
    const res = await request(server())
      .post('/things')
      .set(auth)
      .send({ ...valid, title: 'x'.repeat(4096) });
    expectProblem(res, 413, '/things');
  });

  it('404 for an unknown id and an unknown route', async () => {
    const res = await request(server()).get('/things/missing').set(auth);
    expectProblem(res, 404, '/things/missing');
    expect(res.body.detail).toBe('thing missing was not found');
    expectProblem(await request(server()).get('/no/such/route').set(auth), 404, '/no/such/route');
  });

  it('428 without If-Match, 400 for a garbled one, 409 with currentVersion for a stale one', async () => {
    const missing = await request(server()).post('/things/t1/change').set(auth);
    expectProblem(missing, 428, '/things/t1/change');
    const garbled = await request(server()).post('/things/t1/change').set(auth).set('If-Match', 'yesterday');
    expectProblem(garbled, 400, '/things/t1/change');
    expect(garbled.body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
    const stale = await request(server()).post('/things/t1/change').set(auth).set('If-Match', '"2"');
    expectProblem(stale, 409, '/things/t1/change');
    expect(stale.body.currentVersion).toBe(3);
    await request(server())
      .post('/things/t1/change')
      .set(auth)
      .set('If-Match', 'W/"3"')
      .expect(200, { id: 't1', version: 4 });
  });

  it('409 with currentVersion from an event store ConcurrencyError (recognised by shape)', async () => {
    const res = await request(server()).post('/things/t1/stale').set(auth);
    expectProblem(res, 409, '/things/t1/stale');
    expect(res.body).toMatchObject({ title: 'Conflict', currentVersion: 5 });
  });

  it('422 for a business rule', async () => {
    const res = await request(server()).post('/things/t1/close').set(auth);
    expectProblem(res, 422, '/things/t1/close');
    expect(res.body.detail).toBe('a closed thing cannot be closed again');
  });

  it('500 with the correlation id, no internals in the body, the error logged server-side', async () => {
    const res = await request(server()).get('/boom').set(auth).set('X-Correlation-Id', 'boom-corr-1');
    expectProblem(res, 500, '/boom');
    expect(res.body.correlationId).toBe('boom-corr-1');
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
    const logged = t.logs.find((l) => l['correlationId'] === 'boom-corr-1' && l['err']);
    expect((logged?.['err'] as { stack?: string })?.stack).toContain('secret internals');
  });

  it('Mongo operators in the body → 400 before the handler', async () => {
    const calls = TestController.calls;
    const res = await request(server())
      .post('/things')
      .set(auth)
      .send({ ...valid, title: { $gt: '' } });
    expectProblem(res, 400, '/things');
    expect(res.body.errors).toEqual([
      { field: 'title.$gt', message: expect.stringContaining('must not start with "$"') },
    ]);
    const dotted = await request(server())
      .post('/things')
      .set(auth)
      .send({ ...valid, parties: [{ 'country.x': 'TR', name: 'x' }] });
    expect(dotted.body.errors[0].field).toBe('parties[0].country.x');
    expect(TestController.calls).toBe(calls);
  });

  it('Mongo operators in the query → 400 before the handler', async () => {
    const calls = TestController.calls;
    for (const query of ['status[$gt]=', 'status[$ne]=open', 'status.$ne=x']) {
      const res = await request(server()).get(`/things?${query}`).set(auth);
      expectProblem(res, 400, '/things');
    }
    expect(TestController.calls).toBe(calls);
    await request(server())
      .get('/things?status=open&limit=5')
      .set(auth)
      .expect(200, { query: { status: 'open', limit: 5 }, isDto: true });
    const repeated = await request(server()).get('/things?status=open&status=closed').set(auth);
    expectProblem(repeated, 400, '/things');
  });
});
