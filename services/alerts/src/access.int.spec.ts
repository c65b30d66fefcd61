/**
 * Who may call what on the alerts service: every route × every caller, against the real stack.
 *
 * The service is a skeleton so far: it serves only its public routes (/health/*, /metrics, the API docs).
 * Subscriptions, alerts and acknowledgements are the next slice; their rows go into TABLE, by the product rules:
 * the stakeholder manages its own subscriptions and reads and acknowledges its own alerts (per-resource checks
 * with `requireRole` in the service); the auditor reads everything and changes nothing; the monitor has no
 * business here beyond reading; the admin does everything. Without a key or with a wrong one: 401.
 *
 * The table is checked against the routes the app really serves (its controllers, its express router and its
 * OpenAPI document), so a route added without a row here fails this test.
 */
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
  type AccessRequest,
  type AccessRow,
  type Caller,
  type RunningService,
} from '@tracker/platform/testing';
import { AppModule } from './app.module';
import { AlertsConfig } from './config';

// prettier-ignore
const TABLE: readonly AccessRow[] = [
  //                                            no key  wrong key  dev-monitor  dev-stakeholder  dev-auditor  dev-admin
  // (no authenticated route yet)
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

describe('alerts service: access by route and role', () => {
  let svc: RunningService;

  /** One request per row of the table, with the status an allowed caller gets. */
  const REQUESTS: Record<string, (allowed: boolean, caller: Caller) => Promise<Prepared>> = {};

  beforeAll(async () => {
    const config = testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueTestName('acc')}.` });
    svc = await startService(AppModule.forRoot(config));
  });
  afterAll(async () => {
    await svc?.close();
  });

  describe('route × caller', () => {
    const cases = accessCases(TABLE);
    if (cases.length === 0) {
      it('has no route that needs a key yet: every route it serves is public', () => {
        expect(controllerRoutes(svc.app)).toEqual(PUBLIC_CONTROLLER_ROUTES);
      });
      return;
    }
    it.each(cases)('%s %s as %s → %s', async (method, path, caller, outcome) => {
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
      expect(docs.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });
  });

  describe('error shape (RFC 9457)', () => {
    it('404 for an unknown route, with or without a key', async () => {
      expectProblem(await svc.http.get('/subscriptions'), 404, '/subscriptions');
      expectProblem(await svc.as('stakeholder').get('/alerts'), 404, '/alerts');
    });

    it('404 for a method a public route does not serve', async () => {
      expectProblem(await svc.http.post('/health/live').send({}), 404, '/health/live');
      expectProblem(await svc.http.delete('/metrics'), 404, '/metrics');
    });
  });
});
