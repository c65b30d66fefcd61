/**
 * Who may call what on the agreements service: every route × every caller, against the real stack.
 *
 * The product rules the table encodes: the monitor registers agreements and changes them; the stakeholder reads
 * them (its own subscriptions and alerts live in the alerts service); the auditor reads everything, including the
 * /events history, and changes nothing; the admin does everything. Without a key or with a wrong one: 401.
 * Only /health/*, /metrics, the API docs and the transparency view (/public/*: public agreements only) are public.
 *
 * The table is checked against the routes the app really serves (its controllers, its express router and its
 * OpenAPI document), so a route added without a row here fails this test.
 */
import { startService, testConfig, uniqueName, type AccessRow, type RunningService, describeRouteCoverage, type PreparedRequest, type RequestFactory, OK, PLATFORM_ROUTES, PLATFORM_ROUTE_REQUESTS, trUzMemorandum } from '@tracker/testing';
import { AgreementsApp } from './service';
import { AgreementsConfig } from './config';

// prettier-ignore
const TABLE: readonly AccessRow[] = [
  //                                         no key  wrong key  dev-monitor  dev-stakeholder  dev-auditor  dev-admin
  ['POST', '/agreements',                    401,    401,       OK,          403,             403,         OK],
  ['GET',  '/agreements',                    401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/commodities',        401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/export.csv',         401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/by-reference/:reference', 401, 401,     OK,          OK,              OK,          OK],
  ['GET',  '/agreements/:id',                401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/agreements/:id/events',         401,    401,       403,         403,             OK,          OK],
  ['GET',  '/agreements/:id/history',        401,    401,       403,         403,             OK,          OK],
  ['GET',  '/agreements/:id/as-of',          401,    401,       OK,          OK,              OK,          OK],
  ['POST', '/agreements/:id/amend',          401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/sources',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/objectives',     401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/targets',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/targets/correct', 401,   401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/targets/remove', 401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/sources/correct', 401,   401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/sources/remove', 401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/objectives/correct', 401, 401,      OK,          403,             403,         OK],
  ['POST', '/agreements/:id/objectives/remove', 401, 401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/suspend',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/resume',         401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/terminate',      401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/expire',         401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/corrections',    401,    401,       OK,          403,             403,         OK],
  ['POST', '/agreements/:id/visibility',     401,    401,       OK,          403,             403,         OK],
  // The transparency view: public agreements only, to anyone (a key, valid or not, changes nothing).
  ['GET',  '/public/agreements',             OK,     OK,        OK,          OK,              OK,          OK],
  ['GET',  '/public/agreements/:id',         OK,     OK,        OK,          OK,              OK,          OK],
  ['GET',  '/public/agreements/:id/feed.atom', OK,   OK,        OK,          OK,              OK,          OK],
  ['GET',  '/public/feed.atom',              OK,     OK,        OK,          OK,              OK,          OK],
  ...PLATFORM_ROUTES,
];

describe('agreements service: access by route and role', () => {
  let svc: RunningService;
  let sharedId: string;
  let references = 0;

  const agreement = (reference: string, title = 'Memorandum of Understanding on critical minerals') =>
    trUzMemorandum(reference, { title, signedOn: null, datePrecision: 'unknown' });
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
    async (allowed: boolean): Promise<PreparedRequest> => {
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
  const REQUESTS: Record<string, RequestFactory> = {
    ...PLATFORM_ROUTE_REQUESTS,
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
    'GET /agreements/export.csv': async () => ({ url: '/agreements/export.csv?country=TR', status: 200 }),
    'GET /agreements/by-reference/:reference': async () => ({ url: '/agreements/by-reference/ACCESS-1', status: 200 }),
    'GET /agreements/:id': async () => ({ url: `/agreements/${sharedId}`, status: 200 }),
    'GET /agreements/:id/events': async () => ({ url: `/agreements/${sharedId}/events`, status: 200 }),
    'GET /agreements/:id/history': async () => ({ url: `/agreements/${sharedId}/history`, status: 200 }),
    'GET /agreements/:id/as-of': async () => ({
      url: `/agreements/${sharedId}/as-of?at=${new Date().toISOString()}`,
      status: 200,
    }),
    'POST /agreements/:id/amend': change('amend', { place: 'Tashkent, Uzbekistan' }),
    'POST /agreements/:id/sources': change('sources', {
      title: 'Press release',
      url: 'https://example.org/press',
    }),
    'POST /agreements/:id/objectives': change('objectives', { objective: 'joint exploration' }),
    'POST /agreements/:id/targets': change('targets', { description: 'joint ventures', amount: 3 }),
    // Corrections of the lists: an allowed caller's agreement gets the entry first (T1, S1, the objective).
    'POST /agreements/:id/targets/correct': change('targets/correct', { targetId: 'T1', amount: 4, reason: 'four were agreed' }, { action: 'targets', body: { description: 'joint ventures', amount: 3 } }),
    'POST /agreements/:id/targets/remove': change('targets/remove', { targetId: 'T1', reason: 'entered on the wrong agreement' }, { action: 'targets', body: { description: 'joint ventures', amount: 3 } }),
    'POST /agreements/:id/sources/correct': change('sources/correct', { sourceId: 'S1', kind: 'official', reason: 'a ministry press release' }, { action: 'sources', body: { title: 'Press release', url: 'https://example.org/press' } }),
    'POST /agreements/:id/sources/remove': change('sources/remove', { sourceId: 'S1', reason: 'about another agreement' }, { action: 'sources', body: { title: 'Press release', url: 'https://example.org/press' } }),
    'POST /agreements/:id/objectives/correct': change('objectives/correct', { objective: 'joint exploration', correctedTo: 'joint geological exploration', reason: 'as the text says' }, { action: 'objectives', body: { objective: 'joint exploration' } }),
    'POST /agreements/:id/objectives/remove': change('objectives/remove', { objective: 'joint exploration', reason: 'not in the text' }, { action: 'objectives', body: { objective: 'joint exploration' } }),
    'POST /agreements/:id/suspend': change('suspend', { reason: 'review of priorities' }),
    'POST /agreements/:id/resume': change(
      'resume',
      {},
      { action: 'suspend', body: { reason: 'review of priorities' } },
    ),
    'POST /agreements/:id/terminate': change('terminate', { reason: 'withdrawn by one party' }),
    'POST /agreements/:id/expire': change('expire', {}),
    'POST /agreements/:id/visibility': change('visibility', { public: true, reason: 'published by both ministries' }),
    // The shared agreement stays private: 404, as an unknown one.
    'GET /public/agreements': async () => ({ url: '/public/agreements', status: 200 }),
    'GET /public/agreements/:id': async () => ({ url: `/public/agreements/${sharedId}`, status: 404 }),
    'GET /public/agreements/:id/feed.atom': async () => ({ url: `/public/agreements/${sharedId}/feed.atom`, status: 404 }),
    'GET /public/feed.atom': async () => ({ url: '/public/feed.atom', status: 200 }),
    'POST /agreements/:id/corrections': async (allowed) => {
      // A correction of the signing date names the registration event of the agreement it corrects.
      const id = allowed ? await fresh() : sharedId;
      const events = await svc.as('admin').get(`/agreements/${id}/events`).expect(200);
      return {
        url: `/agreements/${id}/corrections`,
        headers: { 'If-Match': '"1"' },
        body: { eventId: events.body.items[0].eventId, changes: { signedOn: '2026-01-28', datePrecision: 'day' }, reason: 'dated a day earlier' },
        status: allowed ? 200 : 0,
      };
    },
  };

  beforeAll(async () => {
    const config = testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('acc')}.` });
    svc = await startService(AgreementsApp.forRoot(config));
    sharedId = await fresh();
  });
  afterAll(async () => {
    await svc?.close();
  });

  describeRouteCoverage({
    service: 'agreements',
    app: () => svc,
    table: TABLE,
    requests: REQUESTS,
    protectedUrl: '/agreements/commodities',
    forbidden: () => ({
      test: svc.as('monitor').get(`/agreements/${sharedId}/events`),
      url: `/agreements/${sharedId}/events`,
      needs: /auditor/,
    }),
  });
});
