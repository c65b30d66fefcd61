/**
 * Who may call what on the alerts service: every route × every caller, against the real stack.
 *
 * By the product rules: the stakeholder manages its own subscriptions and silences (someone else's answers 404,
 * checked in subscriptions.int.spec.ts and silences.int.spec.ts) and reads its inbox and takes its own stand on
 * the alerts there (acknowledge, snooze, done); the auditor reads everything and changes nothing; the monitor
 * reads the alerts and the silences; the admin does everything (its stand: on alerts its own subscriptions
 * match). Without a key or with a wrong one: 401.
 *
 * The table is checked against the routes the app really serves (its controllers, its express router and its
 * OpenAPI document), so a route added without a row here fails this test.
 */
import { startService, testConfig, uniqueName, type AccessRow, type Caller, type RunningService, describeRouteCoverage, expectProblem, type RequestFactory, OK, PLATFORM_ROUTES, PLATFORM_ROUTE_REQUESTS } from '@tracker/testing';
import { v7 as uuidv7 } from 'uuid';
import { AlertsService } from './alerts/alerts.service';
import { AlertsApp } from './service';
import { AlertsConfig } from './config';
import { milestoneAlertDraft } from './test/alert-drafts';

// prettier-ignore
const TABLE: readonly AccessRow[] = [
  //                                            no key  wrong key  dev-monitor  dev-stakeholder  dev-auditor  dev-admin
  ['GET',    '/alerts',                          401,    401,       OK,          OK,              OK,          OK],
  ['GET',    '/alerts/:id',                      401,    401,       OK,          OK,              OK,          OK],
  ['GET',    '/forecasts/:id',                   401,    401,       OK,          OK,              OK,          OK],
  ['POST',   '/alerts/:id/ack',                  401,    401,       403,         OK,              403,         OK],
  ['POST',   '/alerts/:id/snooze',               401,    401,       403,         OK,              403,         OK],
  ['POST',   '/alerts/:id/done',                 401,    401,       403,         OK,              403,         OK],
  ['POST',   '/silences',                        401,    401,       403,         OK,              403,         OK],
  ['GET',    '/silences',                        401,    401,       OK,          OK,              OK,          OK],
  ['GET',    '/silences/:id',                    401,    401,       OK,          OK,              OK,          OK],
  ['POST',   '/silences/:id/expire',             401,    401,       403,         OK,              403,         OK],
  ['GET',    '/digests',                         401,    401,       OK,          OK,              OK,          OK],
  ['GET',    '/digests/:id',                     401,    401,       OK,          OK,              OK,          OK],
  ['POST',   '/subscriptions',                   401,    401,       403,         OK,              403,         OK],
  ['GET',    '/subscriptions',                   401,    401,       403,         OK,              OK,          OK],
  ['GET',    '/subscriptions/:id',               401,    401,       403,         OK,              OK,          OK],
  ['DELETE', '/subscriptions/:id',               401,    401,       403,         OK,              403,         OK],
  ['GET',    '/subscriptions/:id/stream',        401,    401,       403,         OK,              OK,          OK],
  ['GET',    '/deliveries',                      401,    401,       403,         OK,              OK,          OK],
  ['POST',   '/deliveries/:id/redrive',          401,    401,       403,         OK,              403,         OK],
  ['POST',   '/admin/deadline-scans',            401,    401,       403,         403,             403,         OK],
  ...PLATFORM_ROUTES,
];

describe('alerts service: access by route and role', () => {
  let svc: RunningService;

  let alertId: string;
  const subscription = {
    channel: { type: 'webhook', url: 'https://hooks.example.org/tracker', secret: 'a-secret-of-16-chars' },
  };
  /** A subscription of `caller` (the development stakeholder unless named). */
  const subscriptionOf = async (caller: Caller = 'dev-stakeholder'): Promise<string> =>
    (
      await svc.http
        .post('/subscriptions')
        .set('Authorization', `Bearer ${caller}`)
        .send(subscription)
        .expect(201)
    ).body.id;
  const stakeholderSubscription = () => subscriptionOf();
  /** A silence of the development stakeholder, on a subscription of its own. */
  const stakeholderSilence = async (): Promise<string> =>
    (
      await svc.http
        .post('/silences')
        .set('Authorization', 'Bearer dev-stakeholder')
        .send({ subscriptionId: await stakeholderSubscription(), until: inADay(), comment: 'access test' })
        .expect(201)
    ).body.id;
  const inADay = () => new Date(Date.now() + 86_400_000).toISOString();
  /** The request of one's own stand on the alert: the caller gets a subscription (matching every alert) first. */
  const stand =
    (action: string, body: object): RequestFactory =>
    async (allowed, caller) => {
      if (allowed) await subscriptionOf(caller);
      return { url: `/alerts/${allowed ? alertId : uuidv7()}/${action}`, body, status: 200 };
    };

  /** One request per row of the table, with the status an allowed caller gets. */
  const REQUESTS: Record<string, RequestFactory> = {
    ...PLATFORM_ROUTE_REQUESTS,
    'GET /alerts': async () => ({ url: '/alerts?status=open&limit=5', status: 200 }),
    // A stakeholder sees the alerts its subscriptions match: it gets one (matching every alert) first.
    'GET /alerts/:id': async (allowed, caller) => {
      if (allowed && caller === 'dev-stakeholder') await subscriptionOf(caller);
      return allowed ? { url: `/alerts/${alertId}`, status: 200 } : { url: `/alerts/${uuidv7()}`, status: 404 };
    },
    'POST /alerts/:id/ack': stand('ack', {}),
    // Snoozed (by admin and stakeholder alike) before marked done: the table's rows run in order, and a recipient
    // that marked an alert done can no longer snooze it (409).
    'POST /alerts/:id/snooze': stand('snooze', { until: inADay() }),
    'POST /alerts/:id/done': stand('done', { note: 'handled' }),
    'POST /silences': async () => ({ url: '/silences', body: { agreementId: uuidv7(), until: inADay(), comment: 'access test' }, status: 201 }),
    'GET /digests': async () => ({ url: '/digests', status: 200 }),
    // An unknown digest: the guard lets an allowed caller through to the handler, which answers 404.
    'GET /digests/:id': async () => ({ url: `/digests/${uuidv7()}`, status: 404 }),
    'GET /silences': async () => ({ url: '/silences?active=true', status: 200 }),
    'GET /silences/:id': async (allowed) => ({ url: `/silences/${allowed ? await stakeholderSilence() : uuidv7()}`, status: 200 }),
    // The admin expires the stakeholder's silence (admins: any); the stakeholder its own.
    'POST /silences/:id/expire': async (allowed) => ({ url: `/silences/${allowed ? await stakeholderSilence() : uuidv7()}/expire`, status: 200 }),
    'POST /subscriptions': async () => ({ url: '/subscriptions', body: subscription, status: 201 }),
    'GET /subscriptions': async () => ({ url: '/subscriptions', status: 200 }),
    'GET /subscriptions/:id': async (allowed) => ({
      url: `/subscriptions/${allowed ? await stakeholderSubscription() : uuidv7()}`,
      status: 200,
    }),
    // A stream never ends: an unknown subscription shows the guard let the caller through (the handler's 404).
    'GET /subscriptions/:id/stream': async () => ({ url: `/subscriptions/${uuidv7()}/stream`, status: 404 }),
    'GET /deliveries': async () => ({ url: '/deliveries?status=failed', status: 200 }),
    // An unknown delivery: the guard lets an allowed caller through to the handler, which answers 404.
    'POST /deliveries/:id/redrive': async () => ({ url: `/deliveries/${uuidv7()}/redrive`, status: 404 }),
    'POST /admin/deadline-scans': async () => ({ url: '/admin/deadline-scans', status: 200 }),
    // A milestone the service never heard of: the guard lets an allowed caller through to the handler's 404.
    'GET /forecasts/:id': async () => ({ url: `/forecasts/${uuidv7()}`, status: 404 }),
    'DELETE /subscriptions/:id': async (allowed) => ({
      url: `/subscriptions/${allowed ? await stakeholderSubscription() : uuidv7()}`,
      status: 204,
    }),
  };

  beforeAll(async () => {
    const config = testConfig(AlertsConfig, {
      // hooks.example.org does not resolve here (no DNS): allowed by name.
      OUTBOUND_ALLOW: 'hooks.example.org',
      KAFKA_TOPIC_PREFIX: `${uniqueName('acc')}.`,
      ALERT_SCAN_INTERVAL_MS: '0',
    });
    svc = await startService(AlertsApp.forRoot(config));
    const { alert } = await svc.app.get(AlertsService).raise(
      milestoneAlertDraft(uuidv7(), 'deadline.approaching', 'medium', { window: 7, facts: { milestoneStatus: 'scheduled', daysLeft: 6 } }),
      { correlationId: uuidv7() },
    );
    alertId = alert._id;
  });
  afterAll(async () => {
    await svc?.close();
  });

  describeRouteCoverage({
    service: 'alerts',
    app: () => svc,
    table: TABLE,
    requests: REQUESTS,
    protectedUrl: '/alerts',
    forbidden: () => ({
      test: svc.as('monitor').post('/subscriptions').send(subscription),
      url: '/subscriptions',
      needs: /stakeholder/,
    }),
  });

  describe('a route that exists only for other methods', () => {
    it('404 for a method a public route does not serve', async () => {
      expectProblem(await svc.http.post('/health/live').send({}), 404, '/health/live');
      expectProblem(await svc.http.delete('/metrics'), 404, '/metrics');
    });
  });
});
