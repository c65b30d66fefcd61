/**
 * Who may call what on the milestones service: every route × every caller, against the real stack.
 *
 * The product rules the table encodes: the monitor logs milestones and changes them (progress, reschedules,
 * outcomes); the stakeholder reads them (its own subscriptions and alerts live in the alerts service); the auditor
 * reads everything, including the /events history, and changes nothing; the admin does everything. Without a key
 * or with a wrong one: 401. Only /health/*, /metrics and the API docs are public.
 *
 * The table is checked against the routes the app really serves (its controllers, its express router and its
 * OpenAPI document), so a route added without a row here fails this test.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@tracker/contracts';
import { TestClock, eventually, startService, testConfig, uniqueName, type AccessRow, type RunningService, describeRouteCoverage, type PreparedRequest, type RequestFactory, OK, PLATFORM_ROUTES, PLATFORM_ROUTE_REQUESTS, ForeignEvents, publishEvent } from '@tracker/testing';
import { MilestonesApp } from './service';
import { MilestonesConfig } from './config';

// prettier-ignore
const TABLE: readonly AccessRow[] = [
  //                                            no key  wrong key  dev-monitor  dev-stakeholder  dev-auditor  dev-admin
  ['POST', '/milestones',                       401,    401,       OK,          403,             403,         OK],
  ['GET',  '/milestones',                       401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/milestones/export.csv',            401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/milestones/:id',                   401,    401,       OK,          OK,              OK,          OK],
  ['GET',  '/milestones/:id/events',            401,    401,       403,         403,             OK,          OK],
  ['GET',  '/agreements/:id/timeline',          401,    401,       OK,          OK,              OK,          OK],
  ['POST', '/milestones/:id/start',             401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/progress',          401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/reschedule',        401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/met',               401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/partially-met',     401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/not-met',           401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/cancel',            401,    401,       OK,          403,             403,         OK],
  ['POST', '/milestones/:id/corrections',       401,    401,       OK,          403,             403,         OK],
  ['GET',  '/ocds/agreements/:id',              401,    401,       OK,          OK,              OK,          OK],
  ['POST', '/ocds/imports',                     401,    401,       OK,          403,             403,         OK],
  ...PLATFORM_ROUTES,
];

describe('milestones service: access by route and role', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('acc')}.`;
  const agreementId = uuidv7();
  let svc: RunningService;
  let producer: Producer;
  let sharedId: string;

  const milestone = (title = 'Joint exploration and resource-mapping programme') => ({
    agreementId,
    type: 'geological_survey',
    title,
    dueDate: '2026-12-31',
  });
  /** A new milestone (version 1), planned by the admin: each allowed change gets its own. */
  const fresh = async (): Promise<string> => {
    const res = await svc.as('admin').post('/milestones').send(milestone()).expect(201);
    return res.body.id;
  };

  /**
   * A change route: callers the table refuses aim at the shared milestone (which must stay untouched); allowed
   * ones change a fresh milestone.
   */
  const change =
    (action: string, body?: object) =>
    async (allowed: boolean): Promise<PreparedRequest> => {
      const id = allowed ? await fresh() : sharedId;
      return {
        url: `/milestones/${id}/${action}`,
        headers: { 'If-Match': '"1"' },
        ...(body && { body }),
        status: 200,
      };
    };
  const evidence = [{ url: 'https://example.org/survey-report.pdf', title: 'Survey report' }];

  /** One request per row of the table, with the status an allowed caller gets. */
  const REQUESTS: Record<string, RequestFactory> = {
    ...PLATFORM_ROUTE_REQUESTS,
    'POST /milestones': async (allowed) => ({
      url: '/milestones',
      body: allowed ? milestone() : milestone('Denied planning attempt'),
      status: 201,
    }),
    'GET /milestones': async () => ({ url: `/milestones?agreementId=${agreementId}&limit=5`, status: 200 }),
    'GET /milestones/export.csv': async () => ({ url: `/milestones/export.csv?agreementId=${agreementId}`, status: 200 }),
    'GET /milestones/:id': async () => ({ url: `/milestones/${sharedId}`, status: 200 }),
    'GET /milestones/:id/events': async () => ({ url: `/milestones/${sharedId}/events`, status: 200 }),
    'GET /agreements/:id/timeline': async () => ({ url: `/agreements/${agreementId}/timeline`, status: 200 }),
    'POST /milestones/:id/start': change('start'),
    'POST /milestones/:id/progress': change('progress', { percent: 40, note: 'one region mapped' }),
    'POST /milestones/:id/reschedule': change('reschedule', {
      newDueDate: '2027-03-31',
      reason: 'funding delayed',
    }),
    'POST /milestones/:id/met': change('met', { metOn: '2026-02-27', evidence }),
    'POST /milestones/:id/partially-met': change('partially-met', {
      metOn: '2026-02-27',
      evidence,
      note: 'two of three regions mapped',
    }),
    'POST /milestones/:id/not-met': change('not-met', { reason: 'programme abandoned' }),
    'POST /milestones/:id/cancel': change('cancel', { reason: 'merged into another programme' }),
    'GET /ocds/agreements/:id': async () => ({ url: `/ocds/agreements/${agreementId}`, status: 200 }),
    // Each allowed import plans a milestone of its own (a new id in the package); a refused one must plan nothing.
    'POST /ocds/imports': async (allowed) => ({
      url: '/ocds/imports',
      body: {
        uri: 'https://example.org/ocds/package.json',
        version: '1.1',
        publishedDate: '2026-03-01T09:00:00Z',
        publisher: { name: 'Access test' },
        releases: [
          {
            ocid: `ocds-trkr00-${agreementId}`,
            id: `release-${uuidv7()}`,
            date: '2026-03-01T09:00:00Z',
            tag: ['implementation'],
            initiationType: 'tender',
            contracts: [{ id: agreementId, awardID: agreementId, implementation: { milestones: [{ id: allowed ? uuidv7() : 'denied', title: 'Imported survey', code: 'geological_survey', dueDate: '2026-12-31T00:00:00Z', status: 'scheduled' }] } }],
          },
        ],
      },
      status: 200,
    }),
    'POST /milestones/:id/corrections': async (allowed) => {
      // A correction of the planned due date names the planning event of the milestone it corrects.
      const id = allowed ? await fresh() : sharedId;
      const events = await svc.as('admin').get(`/milestones/${id}/events`).expect(200);
      return {
        url: `/milestones/${id}/corrections`,
        headers: { 'If-Match': '"1"' },
        body: { eventId: events.body.items[0].eventId, changes: { dueDate: '2027-01-31' }, reason: 'typed wrongly' },
        status: 200,
      };
    },
  };

  beforeAll(async () => {
    svc = await startService(
      MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
    // The agreement exists here only as the agreements service's event on Kafka.
    const kafka = new Kafka({
      clientId: 'access-test',
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      logLevel: logLevel.ERROR,
    });
    producer = kafka.producer();
    await producer.connect();
    const registered = new ForeignEvents(() => clock.now()).next(
      `agreement-${agreementId}`,
      agreementId,
      'agreement.registered',
      {
        agreementId,
        reference: 'ACCESS-TEST',
        title: 'Memorandum of Understanding on critical minerals',
        kind: 'mou',
        parties: [],
        signatories: [],
        signedOn: null,
        datePrecision: 'unknown',
        sectors: [],
        commodities: [],
        objectives: [],
        targets: [],
        sources: [],
      },
    );
    await publishEvent(producer, `${prefix}${Topics.agreements}`, registered);
    sharedId = await eventually(async () => {
      const res = await svc.as('admin').post('/milestones').send(milestone());
      if (res.status !== 201)
        throw new Error(`planning answered ${res.status}: the agreement is not known yet`);
      return res.body.id as string;
    });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  describeRouteCoverage({
    service: 'milestones',
    app: () => svc,
    table: TABLE,
    requests: REQUESTS,
    protectedUrl: '/milestones',
    forbidden: () => ({
      test: svc.as('stakeholder').post('/milestones').send(milestone()),
      url: '/milestones',
      needs: /monitor/,
    }),
  });
});
