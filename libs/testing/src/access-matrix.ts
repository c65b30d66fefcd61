/**
 * The mechanics of the per-service role-by-route tests (`services/<name>/src/access.int.spec.ts`): callers and
 * their keys, the routes an app really serves (from its controllers, its express router and its OpenAPI
 * document), and the RFC 9457 shape every 401/403 must have. The tables stay in the services' tests, but for the
 * routes the platform gives every service (PLATFORM_ROUTES).
 * Test-only (@tracker/testing).
 */
import { randomUUID } from 'node:crypto';
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type request from 'supertest';
import type { Role } from '@tracker/contracts';
import { CORRELATION_HEADER, DEV_KEYS } from '@tracker/platform';
import { exampleRequestFindings, openApiFindings, responseFindings } from './openapi-contract';

/** Who calls: no Authorization header, a key that is not configured, or one of the development keys. */
export type Caller = 'no key' | 'wrong key' | 'dev-monitor' | 'dev-stakeholder' | 'dev-auditor' | 'dev-admin';
/** The columns of every access table, in this order. */
export const CALLERS = [
  'no key',
  'wrong key',
  'dev-monitor',
  'dev-stakeholder',
  'dev-auditor',
  'dev-admin',
] as const;
/** A well-formed bearer token that no configuration knows. */
export const WRONG_KEY = 'not-a-configured-key-0123456789';

/** Neither 401 nor 403 (and never 500): the guard let the caller through to the handler. */
export const OK = 'allowed';
export type Outcome = 401 | 403 | typeof OK;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `[method, path as declared in the controller (":id"), outcome for each of CALLERS in order]`. */
export type AccessRow = readonly [HttpMethod, string, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

/** `"GET /agreements/:id"`: how routes are compared. */
export type RouteKey = `${HttpMethod} ${string}`;
export const routeKey = (method: HttpMethod, path: string): RouteKey => `${method} ${path}`;

/** One row per (route, caller), for `it.each`. */
export function accessCases(table: readonly AccessRow[]): Array<[HttpMethod, string, Caller, Outcome]> {
  return table.flatMap(([method, path, ...outcomes]) =>
    CALLERS.map((caller, i): [HttpMethod, string, Caller, Outcome] => [method, path, caller, outcomes[i]]),
  );
}

export function authorizationOf(caller: Caller): string | undefined {
  if (caller === 'no key') return undefined;
  if (caller === 'wrong key') return `Bearer ${WRONG_KEY}`;
  return `Bearer ${DEV_KEYS[caller.slice('dev-'.length) as Role]}`;
}

export interface AccessRequest {
  /** The concrete URL (ids filled in, query string allowed). */
  url: string;
  headers?: Record<string, string>;
  body?: object;
}

/** Sends `req` as `caller` through supertest. */
export function send(
  http: ReturnType<typeof request>,
  caller: Caller,
  method: HttpMethod,
  req: AccessRequest,
): request.Test {
  const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let test = http[verb](req.url);
  const authorization = authorizationOf(caller);
  if (authorization) test = test.set('Authorization', authorization);
  for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value);
  return req.body === undefined ? test : test.send(req.body);
}

const HTTP_METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

function joinPath(...parts: string[]): string {
  const path = parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${path}`;
}

/**
 * Every route declared by the app's controllers (platform ones included), from Nest's own metadata: what the
 * guard will see. Methods other than GET/POST/PUT/PATCH/DELETE (e.g. @All) are reported as `"<n> /path"` so that
 * they cannot slip past a table silently.
 */
export function controllerRoutes(app: INestApplication): string[] {
  const routes = new Set<string>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? '/'].flat() as string[];
      const handlers = new Set<unknown>();
      for (
        let proto = controller.prototype;
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
      ) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          const value: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
          if (name !== 'constructor' && typeof value === 'function') handlers.add(value);
        }
      }
      for (const handler of handlers) {
        const paths = Reflect.getMetadata(PATH_METADATA, handler as object) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler as object) as RequestMethod;
        for (const b of base) {
          for (const p of [paths].flat())
            routes.add(`${HTTP_METHODS[method] ?? String(method)} ${joinPath(b, p)}`);
        }
      }
    }
  }
  return [...routes].sort();
}

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * Every route the express router would dispatch, whoever registered it (Nest controllers, Swagger, anything
 * added to the adapter directly). The catch-all `/{*path}` entries Nest's middleware module mounts are not
 * routes and are left out.
 */
export function routerRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const routes = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const path of [layer.route.path].flat()) {
      if (path === '/{*path}') continue;
      for (const method of Object.keys(layer.route.methods)) routes.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return [...routes].sort();
}

interface OpenApiDocument {
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
}

/** The operations of an OpenAPI document, with `{id}` written back as `:id` to compare with the tables. */
export function openApiOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    )
    .sort();
}

/** Operations of the document that do not require the bearer scheme (an operation may override the default), as `"GET /path"`. */
export function openApiOperationsWithoutBearer(doc: OpenApiDocument): string[] {
  const requiresBearer = (security: Array<Record<string, string[]>> | undefined) =>
    !!security && security.length > 0 && security.every((s) => 'bearer' in s);
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, op]) => !requiresBearer(op.security ?? doc.security))
      .map(([m]) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
  ).sort();
}

const PROBLEM_TYPES: Record<number, string> = {
  401: 'urn:tracker:problem:unauthorized',
  403: 'urn:tracker:problem:forbidden',
  404: 'urn:tracker:problem:not-found',
};

/**
 * The answer is an RFC 9457 problem of `status`: application/problem+json with type, title, status, detail,
 * instance (the path) and correlationId (also echoed in X-Correlation-Id), and nothing else (no stack, no
 * internals).
 */
export function expectProblem(res: request.Response, status: number, url: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toEqual({
    type: PROBLEM_TYPES[status] ?? expect.stringMatching(/^urn:tracker:problem:/),
    title: expect.stringMatching(/\S/),
    status,
    detail: expect.stringMatching(/\S/),
    instance: url.split('?')[0],
    correlationId: expect.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
  });
  expect(res.headers[CORRELATION_HEADER.toLowerCase()]).toBe(res.body.correlationId);
  if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"/);
}

/** Routes that answer without a key, served by controllers (the docs are Swagger's own routes), also in the OpenAPI. */
export const PUBLIC_CONTROLLER_ROUTES = ['GET /asyncapi.json', 'GET /health/live', 'GET /health/ready', 'GET /metrics'];
const PUBLIC_URLS: Array<[string, RegExp]> = [
  ['/asyncapi.json', /^application\/json/],
  ['/health/live', /^application\/json/],
  ['/health/ready', /^application\/json/],
  ['/metrics', /^text\/plain/],
  ['/docs', /^text\/html/],
  ['/docs-json', /^application\/json/],
];
const SWAGGER_ROUTE = /^GET \/docs(-json|-yaml)?(\/|$)/;

/** A request that reaches the handler, and the status it answers there (0 when the table refuses the caller). */
export type PreparedRequest = AccessRequest & { status: number };
/** Builds the request of one table row for a caller the table allows (`allowed`) or refuses. */
export type RequestFactory = (allowed: boolean, caller: Caller) => Promise<PreparedRequest>;

export interface CoverageSpec {
  /** The service name: the realm of its Bearer challenges. */
  service: string;
  app: () => { http: ReturnType<typeof request>; app: INestApplication };
  table: readonly AccessRow[];
  /** One request factory per table row, keyed `"METHOD /path"`. */
  requests: Record<string, RequestFactory>;
  /** A route that needs a key, for the 401 checks. */
  protectedUrl: string;
  /** A request by a key that lacks the route's role; `needs` matches the role named in the answer. */
  forbidden?: () => { test: request.Test; url: string; needs: RegExp };
}

/**
 * The checks every service's access test shares: each route × caller of the table gets its outcome (401, 403,
 * or through to the handler with the expected status), an answer the OpenAPI document describes (its status, media
 * type and schema); public routes answer without a key; the table has exactly the routes of the controllers, of the
 * express router (besides Swagger's) and of the OpenAPI document, each of which asks for the bearer key but the
 * public ones; 401/403/404 answers are RFC 9457 problem details; and the document holds what a contract fuzzer
 * needs (openapi-contract.ts).
 */
export function describeRouteCoverage(spec: CoverageSpec): void {
  let docs: OpenAPIObject | undefined;
  const openApi = async (): Promise<OpenAPIObject> => (docs ??= (await spec.app().http.get('/docs-json').expect(200)).body as OpenAPIObject);

  describe('route × caller', () => {
    it.each(accessCases(spec.table))('%s %s as %s → %s', async (method, path, caller, outcome) => {
      const prepare = spec.requests[routeKey(method, path)];
      expect(prepare).toBeDefined();
      const req = await prepare(outcome === OK, caller);
      const res = await send(spec.app().http, caller, method, req);
      expect(responseFindings(await openApi(), method, path, res)).toEqual([]);
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
      PUBLIC_URLS.flatMap(([path, type]) =>
        (['no key', 'wrong key'] as const).map((caller) => [path, caller, type] as const),
      ),
    )('%s answers 200 with %s', async (path, caller, type) => {
      const res = await send(spec.app().http, caller, 'GET', { url: path });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
      if (!path.startsWith('/docs')) expect(responseFindings(await openApi(), 'GET', path, res)).toEqual([]);
    });
  });

  describe('the table covers every route', () => {
    const tableRoutes = spec.table.map(([method, path]) => routeKey(method, path)).sort();

    it('has one row per route, each with a request', () => {
      expect(new Set(tableRoutes).size).toBe(tableRoutes.length);
      expect(Object.keys(spec.requests).sort()).toEqual(tableRoutes);
      spec.table.forEach((row) => expect(row).toHaveLength(2 + CALLERS.length));
    });

    it('matches the routes of the controllers', () => {
      expect(controllerRoutes(spec.app().app)).toEqual([...tableRoutes, ...PUBLIC_CONTROLLER_ROUTES].sort());
    });

    it('matches the express router: the controllers’ routes plus Swagger’s public ones, nothing else', async () => {
      const { app, http } = spec.app();
      const router = routerRoutes(app);
      const controllers = controllerRoutes(app);
      expect(controllers.filter((r) => !router.includes(r))).toEqual([]);
      const others = router.filter((r) => !controllers.includes(r));
      expect(others.filter((r) => !SWAGGER_ROUTE.test(r))).toEqual([]);
      expect(others).toEqual(expect.arrayContaining(['GET /docs', 'GET /docs-json']));
      // Swagger's routes are public (one of its asset routes, /docs/LICENSE, answers 404: no such file).
      for (const route of others) {
        const { status } = await http.get(route.slice('GET '.length));
        expect({ route, status, refused: [401, 403].includes(status) || status >= 500 }).toMatchObject({
          refused: false,
        });
      }
    });

    it('matches the OpenAPI document, which asks for the bearer key on every operation but the public ones', async () => {
      const doc = await openApi();
      expect(openApiOperations(doc as never)).toEqual([...tableRoutes, ...PUBLIC_CONTROLLER_ROUTES].sort());
      // A service's own public routes (rows open to callers without a key) are public in the document too.
      const openRows = spec.table.filter((row) => row[2] === OK).map(([method, path]) => routeKey(method, path));
      expect(openApiOperationsWithoutBearer(doc as never)).toEqual([...PUBLIC_CONTROLLER_ROUTES, ...openRows].sort());
    });
  });

  describe('the OpenAPI document (what a contract fuzzer relies on)', () => {
    it('has a response schema for every 2xx, the problem document for every 4xx, formats of ids and dates, valid examples', async () => {
      expect(openApiFindings(await openApi())).toEqual([]);
    });

    it('documents request examples that the service’s validators accept', async () => {
      expect(await exampleRequestFindings(spec.app().app, await openApi())).toEqual([]);
    });
  });

  describe('error shape (RFC 9457)', () => {
    const url = spec.protectedUrl;

    it('401 without a key: problem details and a Bearer challenge', async () => {
      const res = await spec.app().http.get(url);
      expectProblem(res, 401, url);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="${spec.service}"`);
      expect(res.body).toMatchObject({
        title: 'Unauthorized',
        detail: expect.stringMatching(/API key is required/),
      });
    });

    it('401 with a wrong key: problem details and error="invalid_token", the key not echoed', async () => {
      const res = await spec.app().http.get(url).set('Authorization', `Bearer ${WRONG_KEY}`);
      expectProblem(res, 401, url);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="${spec.service}", error="invalid_token"`);
      expect(res.text).not.toContain(WRONG_KEY);
    });

    if (spec.forbidden) {
      const forbidden = spec.forbidden;
      it('403 for a key without the role: problem details naming the roles the route needs', async () => {
        const { test, url: forbiddenUrl, needs } = forbidden();
        const res = await test;
        expectProblem(res, 403, forbiddenUrl);
        expect(res.body).toMatchObject({ title: 'Forbidden', detail: expect.stringMatching(needs) });
      });
    }

    it('keeps a well-formed X-Correlation-Id of the client', async () => {
      const res = await spec.app().http.get(url).set('X-Correlation-Id', 'client-req-42');
      expectProblem(res, 401, url);
      expect(res.body.correlationId).toBe('client-req-42');
    });

    it('404 for an unknown route, with or without a key', async () => {
      const { http } = spec.app();
      expectProblem(await http.get('/nowhere'), 404, '/nowhere');
      expectProblem(
        await http.get('/nowhere').set('Authorization', authorizationOf('dev-admin')!),
        404,
        '/nowhere',
      );
    });
  });
}

// prettier-ignore
/**
 * The routes the platform gives every event-sourced service (its audit, replay and DLQ controllers): the same rule
 * everywhere, so one set of rows and requests, spread into each service's table.
 */
export const PLATFORM_ROUTES: readonly AccessRow[] = [
  //                                         no key  wrong key  dev-monitor  dev-stakeholder  dev-auditor  dev-admin
  ['GET',  '/me',                            401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/audit/verify',                  401,    401,       403,         403,             OK,          OK],
  ['GET',  '/audit/export',                  401,    401,       403,         403,             OK,          OK],
  ['POST', '/admin/replays',                 401,    401,       403,         403,             403,         OK],
  ['GET',  '/admin/replays',                 401,    401,       403,         403,             403,         OK],
  ['GET',  '/admin/replays/:id',             401,    401,       403,         403,             403,         OK],
  ['GET',  '/admin/dlq',                     401,    401,       403,         403,             403,         OK],
  ['GET',  '/admin/dlq/:topic',              401,    401,       403,         403,             403,         OK],
  ['POST', '/admin/dlq/:topic/redrive',      401,    401,       403,         403,             403,         OK],
];

/** One request per row of PLATFORM_ROUTES, with the status an allowed caller gets. */
export const PLATFORM_ROUTE_REQUESTS: Readonly<Record<string, RequestFactory>> = {
  'GET /me': async () => ({ url: '/me', status: 200 }),
  'GET /audit/verify': async () => ({ url: '/audit/verify', status: 200 }),
  'GET /audit/export': async () => ({ url: '/audit/export', status: 200 }),
  // Only the admin gets through: a replay really runs (202), and an unknown replay is a 404.
  'POST /admin/replays': async () => ({ url: '/admin/replays', status: 202 }),
  'GET /admin/replays': async () => ({ url: '/admin/replays', status: 200 }),
  'GET /admin/replays/:id': async () => ({ url: `/admin/replays/${randomUUID()}`, status: 404 }),
  'GET /admin/dlq': async () => ({ url: '/admin/dlq', status: 200 }),
  // A topic that is no DLQ of the service: 404 (the dead letters themselves: libs/service-runtime's DLQ test).
  'GET /admin/dlq/:topic': async () => ({ url: '/admin/dlq/nowhere.events.dlq', status: 404 }),
  'POST /admin/dlq/:topic/redrive': async () => ({ url: '/admin/dlq/nowhere.events.dlq/redrive', status: 404 }),
};
