/**
 * Who may call what on the agreements service: every route × every caller, against the real stack.
 *
 * The product rules the table encodes: the monitor registers agreements and changes them; the stakeholder reads
 * them (its own subscriptions and alerts live in the alerts service); the auditor reads everything, including the
 * /events history, and changes nothing; the admin does everything. Without a key or with a wrong one: 401.
 * Only /health/*, /metrics and the API docs are public.
 *
 * The table is checked against the routes the app really serves (its controllers, its express router and its
 * OpenAPI document), so a route added without a row here fails this test.
 */
import type request from 'supertest';
import {
  accessCases,
  CALLERS,
  controllerRoutes,
  expectProblem,
  OK,
  openApiOperations,
  openApiOperationsWithoutBearer,
  routeKey,
  routerRoutes,
  send,
  startService,
  testConfig,
  uniqueTestName,
  WRONG_KEY,
  type AccessRequest,
  type AccessRow,
  type Caller,
  type RunningService,
} from '@tracker/platform/testing';
import { AppModule } from './app.module';
import { AgreementsConfig } from './config';

// prettier-ignore
const TABLE: readonly AccessRow[] = [
  //                                         no key  wrong key  dev-monitor  dev-stakeholder  dev-auditor  dev-admin
  ['POST', '/agreements',                    401,    401,       OK,          403,             403,         OK],
  ['GET',  '/agreements',                    401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/commodities',        401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/:id',                401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/:id/events',         401,    401,       403,         403,             OK,          OK],
  ['POST', '/agreements/:id/amend',          401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/sources',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/objectives',     401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/targets',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/suspend',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/resume',         401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/terminate',      401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/expire',         401,    401,       OK,          403,             403,         OK],
  ['GET',  '/audit/verify',                  401,    401,       403,         403,             OK,          OK],
  ['GET',  '/audit/export',                  401,    401,       403,         403,             OK,          OK],
];

/** Routes that answer without a key, served by controllers (the docs are Swagger's own routes, checked below). */
const PUBLIC_CONTROLLER_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];
const PUBLIC: Array<[string, RegExp]> = [
  ['/health/live', /^application\/json/],
  ['/health/ready', /^application\/json/],
  ['/metrics', /^text\/plain/],
  ['/docs', /^text\/html/],
  ['/docs-json', /^application\/json/],
];
const SWAGGER_ROUTE = /^GET \/docs(-json|-yaml)?(\/|$)/;

/** A request that reaches the handler, and the status it answers there. */
type Prepared = AccessRequest & { status: number };

describe('agreements service: access by route and role', () => {
  let svc: RunningService;
  let sharedId: string;
  let references = 0;

  const agreement = (reference: string, title = 'Memorandum of Understanding on critical minerals') => ({
    reference,
    title,
    kind: 'mou',
    parties: [
      { country: 'TR', name: 'Republic of Türkiye' },
      { country: 'UZ', name: 'Republic of Uzbekistan' },
    ],
    signedOn: null,
    datePrecision: 'unknown',
  });
  /** A new agreement (version 1), registered by the admin: each allowed change gets its own. */
  const fresh = async (): Promise<string> => {
    const res = await svc
      .as('admin')
      .post('/agreements')
      .send(agreement(`ACCESS-${++references}`))
      .expect(201);
    return res.body.id;
  };

  /**
   * A change route: callers the table refuses aim at the shared agreement (which must stay untouched); allowed
   * ones change a fresh agreement, brought first into the state the change needs.
   */
  const change =
    (action: string, body: object, before?: { action: string; body: object }) =>
    async (allowed: boolean): Promise<Prepared> => {
      if (!allowed)
        return { url: `/agreements/${sharedId}/${action}`, headers: { 'If-Match': '"1"' }, body, status: 0 };
      const id = await fresh();
      let version = 1;
      if (before) {
        await svc
          .as('admin')
          .post(`/agreements/${id}/${before.action}`)
          .set('If-Match', '"1"')
          .send(before.body)
          .expect(200);
        version = 2;
      }
      return {
        url: `/agreements/${id}/${action}`,
        headers: { 'If-Match': `"${version}"` },
        body,
        status: 200,
      };
    };

  /** One request per row of the table, with the status an allowed caller gets. */
  const REQUESTS: Record<string, (allowed: boolean, caller: Caller) => Promise<Prepared>> = {
    'GET /audit/verify': async () => ({ url: '/audit/verify', status: 200 }),
    'GET /audit/export': async () => ({ url: '/audit/export', status: 200 }),
    'POST /agreements': async (allowed) =>
      allowed
        ? { url: '/agreements', body: agreement(`ACCESS-${++references}`), status: 201 }
        : {
            url: '/agreements',
            body: agreement(`DENIED-${++references}`, 'Denied registration attempt'),
            status: 0,
          },
    'GET /agreements': async () => ({ url: '/agreements?country=TR&limit=5', status: 200 }),
    'GET /agreements/commodities': async () => ({ url: '/agreements/commodities', status: 200 }),
    'GET /agreements/:id': async () => ({ url: `/agreements/${sharedId}`, status: 200 }),
    'GET /agreements/:id/events': async () => ({ url: `/agreements/${sharedId}/events`, status: 200 }),
    'POST /agreements/:id/amend': change('amend', { place: 'Tashkent, Uzbekistan' }),
    'POST /agreements/:id/sources': change('sources', {
      title: 'Press release',
      url: 'https://example.org/press',
    }),
    'POST /agreements/:id/objectives': change('objectives', { objective: 'joint exploration' }),
    'POST /agreements/:id/targets': change('targets', { description: 'joint ventures', amount: 3 }),
    'POST /agreements/:id/suspend': change('suspend', { reason: 'review of priorities' }),
    'POST /agreements/:id/resume': change(
      'resume',
      {},
      { action: 'suspend', body: { reason: 'review of priorities' } },
    ),
    'POST /agreements/:id/terminate': change('terminate', { reason: 'withdrawn by one party' }),
    'POST /agreements/:id/expire': change('expire', {}),
  };

  beforeAll(async () => {
    const config = testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueTestName('acc')}.` });
    svc = await startService(AppModule.forRoot(config));
    sharedId = await fresh();
  });
  afterAll(async () => {
    await svc?.close();
  });

  describe('route × caller', () => {
    it.each(accessCases(TABLE))('%s %s as %s → %s', async (method, path, caller, outcome) => {
      const prepare = REQUESTS[routeKey(method, path)];
      expect(prepare).toBeDefined();
      const req = await prepare(outcome === OK, caller);
      const res = await send(svc.http, caller, method, req);
      if (outcome === OK) {
        expect([401, 403]).not.toContain(res.status);
        expect(res.status).toBeLessThan(500);
        expect({ status: res.status, body: res.body }).toMatchObject({ status: req.status });
      } else {
        expectProblem(res, outcome, req.url);
      }
    });

    it('left nothing behind for the callers it refused', async () => {
      const shared = await svc.as('auditor').get(`/agreements/${sharedId}`).expect(200);
      expect(shared.body.version).toBe(1);
      const denied = await svc.as('auditor').get('/agreements?q=denied%20registration').expect(200);
      expect(denied.body.items).toEqual([]);
    });
  });

  describe('public routes', () => {
    it.each(
      PUBLIC.flatMap(([path, type]) =>
        (['no key', 'wrong key'] as const).map((caller) => [path, caller, type] as const),
      ),
    )('%s answers 200 with %s', async (path, caller, type) => {
      const res = await send(svc.http, caller, 'GET', { url: path });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
    });
  });

  describe('the table covers every route', () => {
    const tableRoutes = TABLE.map(([method, path]) => routeKey(method, path)).sort();

    it('has one row per route, each with a request', () => {
      expect(new Set(tableRoutes).size).toBe(tableRoutes.length);
      expect(Object.keys(REQUESTS).sort()).toEqual(tableRoutes);
      TABLE.forEach((row) => expect(row).toHaveLength(2 + CALLERS.length));
    });

    it('matches the routes of the controllers', () => {
      expect(controllerRoutes(svc.app)).toEqual([...tableRoutes, ...PUBLIC_CONTROLLER_ROUTES].sort());
    });

    it('matches the express router: the controllers’ routes plus Swagger’s public ones, nothing else', async () => {
      const router = routerRoutes(svc.app);
      const controllers = controllerRoutes(svc.app);
      expect(controllers.filter((r) => !router.includes(r))).toEqual([]);
      const others = router.filter((r) => !controllers.includes(r));
      expect(others.filter((r) => !SWAGGER_ROUTE.test(r))).toEqual([]);
      expect(others).toEqual(expect.arrayContaining(['GET /docs', 'GET /docs-json']));
      // Swagger's routes are public (one of its asset routes, /docs/LICENSE, answers 404: no such file).
      for (const route of others) {
        const { status } = await svc.http.get(route.slice('GET '.length));
        expect({ route, status, refused: [401, 403].includes(status) || status >= 500 }).toMatchObject({
          refused: false,
        });
      }
    });

    it('matches the OpenAPI document, which asks for the bearer key on every operation', async () => {
      const docs = await svc.http.get('/docs-json').expect(200);
      expect(openApiOperations(docs.body)).toEqual(tableRoutes);
      expect(openApiOperationsWithoutBearer(docs.body)).toEqual([]);
    });
  });

  describe('error shape (RFC 9457)', () => {
    const url = '/agreements/commodities';
    let res: request.Response;

    it('401 without a key: problem details and a Bearer challenge', async () => {
      res = await svc.http.get(url);
      expectProblem(res, 401, url);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="agreements"');
      expect(res.body).toMatchObject({
        title: 'Unauthorized',
        detail: expect.stringMatching(/API key is required/),
      });
    });

    it('401 with a wrong key: problem details and error="invalid_token", the key not echoed', async () => {
      res = await svc.http.get(url).set('Authorization', `Bearer ${WRONG_KEY}`);
      expectProblem(res, 401, url);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="agreements", error="invalid_token"');
      expect(res.text).not.toContain(WRONG_KEY);
    });

    it('403 for a key without the role: problem details naming the roles the route needs', async () => {
      res = await svc.as('monitor').get(`/agreements/${sharedId}/events`);
      expectProblem(res, 403, `/agreements/${sharedId}/events`);
      expect(res.body).toMatchObject({ title: 'Forbidden', detail: expect.stringMatching(/auditor/) });
    });

    it('keeps a well-formed X-Correlation-Id of the client', async () => {
      res = await svc.http
        .post('/agreements')
        .set('X-Correlation-Id', 'client-req-42')
        .send(agreement('ACCESS-CORR'));
      expectProblem(res, 401, '/agreements');
      expect(res.body.correlationId).toBe('client-req-42');
    });

    it('404 for an unknown route, with or without a key', async () => {
      expectProblem(await svc.http.get('/nowhere'), 404, '/nowhere');
      expectProblem(await svc.as('admin').get('/nowhere'), 404, '/nowhere');
    });
  });
});
