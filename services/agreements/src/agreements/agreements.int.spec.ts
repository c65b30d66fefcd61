/**
 * The agreements service through HTTP and Kafka, against the real stack (KAFKA_BROKERS, MONGO_URL).
 */
import { Kafka, logLevel } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type EventEnvelope } from '@tracker/contracts';
import { TestClock, eventually, startService, testConfig, uniqueName, type RunningService, ForeignEvents, publishEvent } from '@tracker/testing';
import { AgreementsApp } from '../service';
import { AgreementsConfig } from '../config';

const trUz = {
  reference: 'TR-UZ-2026-MINING',
  title:
    'Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements)',
  kind: 'mou',
  parties: [
    { country: 'TR', name: 'Republic of Türkiye' },
    { country: 'UZ', name: 'Republic of Uzbekistan' },
  ],
  signatories: [
    { name: 'Alparslan Bayraktar', title: 'Minister of Energy and Natural Resources', party: 'TR' },
    { name: 'Bobir Islamov', title: 'Minister of Mining Industry and Geology', party: 'UZ' },
  ],
  signedOn: '2026-01-29',
  datePrecision: 'day',
  place: 'Ankara, Türkiye',
  sectors: ['mining'],
  commodities: [
    'copper',
    'molybdenum',
    'gold',
    'tungsten',
    'lithium',
    'titanium',
    'vanadium',
    'rare-earth-elements',
  ],
  objectives: ['information sharing', 'research and development'],
  sources: [
    {
      url: 'https://example.org/tr-uz-mining',
      title: 'Turkey and Uzbekistan Forge Deeper Mining Ties',
      published: '2026-01-30',
    },
  ],
};
const trCn = {
  reference: 'TR-CN-MINING',
  title: 'Memorandum of Understanding on cooperation in critical minerals',
  kind: 'mou',
  parties: [
    { country: 'TR', name: 'Republic of Türkiye' },
    { country: 'CN', name: "People's Republic of China" },
  ],
  signedOn: null,
  datePrecision: 'unknown',
  commodities: ['rare-earth-elements', 'neodymium'],
};
const usUz = {
  reference: 'US-UZ-2026-CRITMIN',
  title: 'Bilateral framework agreement on cooperation in critical minerals',
  kind: 'framework',
  parties: [
    { country: 'US', name: 'United States of America' },
    { country: 'UZ', name: 'Republic of Uzbekistan' },
  ],
  signedOn: '2026-02',
  datePrecision: 'month',
  commodities: ['critical-minerals'],
};

describe('agreements service (HTTP + Kafka)', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('agr')}.`;
  let svc: RunningService;
  let trUzId: string;

  beforeAll(async () => {
    svc = await startService(
      AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
  });
  afterAll(async () => {
    await svc?.close();
  });

  const register = (body: object, key?: string) => {
    const req = svc.as('monitor').post('/agreements').send(body);
    return key ? req.set('Idempotency-Key', key) : req;
  };

  describe('registering', () => {
    it('answers 201 with Location, ETag and the derived state', async () => {
      const res = await register(trUz).expect(201);
      trUzId = res.body.id;
      expect(res.headers.location).toBe(`/agreements/${trUzId}`);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        reference: 'TR-UZ-2026-MINING',
        status: 'signed',
        version: 1,
        milestones: { planned: 0, met: 0, missed: 0, slipped: 0, nextDueDate: null },
      });
      const again = await svc.as('stakeholder').get(`/agreements/${trUzId}`).expect(200);
      expect(again.body.parties).toEqual(trUz.parties);
      expect(again.headers.etag).toBe('"1"');
    });

    it('returns the first result for a retried POST with the same Idempotency-Key', async () => {
      const first = await register(trCn, 'retry-me-1').expect(201);
      const retry = await register(trCn, 'retry-me-1').expect(201);
      expect(retry.body.id).toBe(first.body.id);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const list = await svc.as('monitor').get('/agreements?country=CN').expect(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([first.body.id]);
      await register({ ...trCn, title: 'another body' }, 'retry-me-1').expect(422);
    });

    it('refuses a second agreement with the same reference (409)', async () => {
      const res = await register({ ...trUz, title: 'a copy' }).expect(409);
      expect(res.body.detail).toMatch(/already registered/);
    });

    const invalid: Array<[string, object, string]> = [
      [
        'an unknown country code',
        { ...usUz, reference: 'X-1', parties: [{ country: 'XX', name: 'Nowhere' }] },
        'parties[0].country',
      ],
      ['empty parties', { ...usUz, reference: 'X-2', parties: [] }, 'parties'],
      [
        'a date that does not match its precision',
        { ...usUz, reference: 'X-3', signedOn: '2026-02-04', datePrecision: 'month' },
        'signedOn',
      ],
      ['an unknown precision', { ...usUz, reference: 'X-4', datePrecision: 'week' }, 'datePrecision'],
      ['an unknown field', { ...usUz, reference: 'X-5', secret: true }, 'secret'],
      ['an unknown commodity', { ...usUz, reference: 'X-6', commodities: ['kryptonite'] }, 'commodities'],
      ['an unknown kind', { ...usUz, reference: 'X-7', kind: 'handshake' }, 'kind'],
      ['a malformed reference', { ...usUz, reference: 'no spaces allowed' }, 'reference'],
      ['a Mongo operator as a value', { ...usUz, reference: 'X-8', title: { $gt: '' } }, 'title.$gt'],
      [
        'a signing date in the future',
        { ...usUz, reference: 'X-9', signedOn: '2026-03-02', datePrecision: 'day' },
        'signedOn',
      ],
      // Outside the span a fact may carry (1945-2100), at each precision.
      ['a signing day in 1900', { ...usUz, reference: 'X-10', signedOn: '1900-01-01', datePrecision: 'day' }, 'signedOn'],
      ['a signing year 0000', { ...usUz, reference: 'X-11', signedOn: '0000', datePrecision: 'year' }, 'signedOn'],
      ['a signing month before 1945', { ...usUz, reference: 'X-12', signedOn: '1944-12', datePrecision: 'month' }, 'signedOn'],
      ['a title with a right-to-left override', { ...usUz, reference: 'X-13', title: 'MoU \u202e gnp.exe' }, 'title'],
    ];
    it.each(invalid)(
      'refuses %s with 400 naming the field, and stores nothing',
      async (_name, body, field) => {
        const res = await register(body).expect(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        const byRef = await svc.as('monitor').get('/agreements?country=US').expect(200);
        expect(byRef.body.items).toHaveLength(0);
      },
    );

    it('refuses without a key (401) and for a stakeholder (403)', async () => {
      await svc.http.post('/agreements').send(usUz).expect(401);
      await svc.as('stakeholder').post('/agreements').send(usUz).expect(403);
    });
  });

  describe('listing', () => {
    beforeAll(async () => {
      await register(usUz).expect(201);
    });

    const cases: Array<[string, string, string[]]> = [
      ['party country', 'country=UZ', ['TR-UZ-2026-MINING', 'US-UZ-2026-CRITMIN']],
      ['party country, lower case', 'country=tr', ['TR-UZ-2026-MINING', 'TR-CN-MINING']],
      ['commodity', 'commodity=neodymium', ['TR-CN-MINING']],
      ['kind', 'kind=framework', ['US-UZ-2026-CRITMIN']],
      ['status', 'status=signed', ['TR-UZ-2026-MINING', 'TR-CN-MINING', 'US-UZ-2026-CRITMIN']],
      [
        'signed between (month precision counts from its first day)',
        'signedFrom=2026-02-01&signedTo=2026-02-28',
        ['US-UZ-2026-CRITMIN'],
      ],
      ['signed from', 'signedFrom=2026-01-01', ['TR-UZ-2026-MINING', 'US-UZ-2026-CRITMIN']],
      [
        'text in the title',
        'q=CRITICAL%20minerals',
        ['TR-UZ-2026-MINING', 'TR-CN-MINING', 'US-UZ-2026-CRITMIN'],
      ],
      ['text with regex characters is literal', 'q=.*', []],
      ['several filters at once', 'country=UZ&kind=mou', ['TR-UZ-2026-MINING']],
    ];
    it.each(cases)('filters by %s', async (_name, query, references) => {
      const res = await svc.as('auditor').get(`/agreements?${query}`).expect(200);
      expect(res.body.items.map((a: { reference: string }) => a.reference)).toEqual(references);
    });

    it('pages with a cursor', async () => {
      const first = await svc.as('monitor').get('/agreements?limit=2').expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await svc
        .as('monitor')
        .get(`/agreements?limit=2&cursor=${first.body.nextCursor}`)
        .expect(200);
      expect(second.body.items.map((a: { reference: string }) => a.reference)).toEqual([
        'US-UZ-2026-CRITMIN',
      ]);
      expect(second.body.nextCursor).toBeNull();
    });

    const badQueries: Array<[string, string]> = [
      ['status[$ne]=signed', 'status[$ne]'],
      ['$where=1', '$where'],
      ['country=ZZ', 'country'],
      ['limit=0', 'limit'],
      ['status=finished', 'status'],
      ['signedFrom=2026-02-30', 'signedFrom'],
      ['unknown=1', 'unknown'],
      ['cursor=not%20a%20cursor', 'cursor'],
    ];
    it.each(badQueries)('refuses the query %s with 400', async (query, field) => {
      const res = await svc.as('monitor').get(`/agreements?${query}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('changing with If-Match', () => {
    it('needs If-Match (428), refuses a stale version (409 with the current one) and applies a fresh one', async () => {
      await svc
        .as('monitor')
        .post(`/agreements/${trUzId}/objectives`)
        .send({ objective: 'concrete projects' })
        .expect(428);
      const ok = await svc
        .as('monitor')
        .post(`/agreements/${trUzId}/objectives`)
        .set('If-Match', '"1"')
        .send({ objective: 'concrete projects' })
        .expect(200);
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.body.objectives).toContain('concrete projects');
      const stale = await svc
        .as('monitor')
        .post(`/agreements/${trUzId}/amend`)
        .set('If-Match', '"1"')
        .send({ place: 'Ankara' })
        .expect(409);
      expect(stale.body.currentVersion).toBe(2);
      await svc
        .as('monitor')
        .post(`/agreements/${trUzId}/amend`)
        .set('If-Match', 'garbage')
        .send({ place: 'Ankara' })
        .expect(400);
    });

    it('amends, attaches sources and targets, suspends and resumes', async () => {
      clock.set('2026-04-01T10:00:00Z');
      let version = (await svc.as('monitor').get(`/agreements/${trUzId}`)).body.version;
      const step = async (path: string, body: object) => {
        const res = await svc
          .as('monitor')
          .post(`/agreements/${trUzId}/${path}`)
          .set('If-Match', `"${version}"`)
          .send(body)
          .expect(200);
        version = res.body.version;
        return res.body;
      };
      expect((await step('amend', { context: 'High-Level Strategic Cooperation Council' })).context).toMatch(
        /Council/,
      );
      expect(
        (await step('sources', { title: 'Analysis', url: 'https://example.org/analysis' })).sources,
      ).toHaveLength(2);
      expect(
        (
          await step('targets', {
            description: 'bilateral trade',
            amount: 5e9,
            currency: 'USD',
            byDate: '2030-12-31',
          })
        ).targets,
      ).toHaveLength(1);
      expect((await step('suspend', { reason: 'review of priorities' })).status).toBe('suspended');
      expect((await step('resume', {})).status).toBe('signed');
      const list = await svc.as('monitor').get('/agreements?status=suspended').expect(200);
      expect(list.body.items).toHaveLength(0);
    });

    it('refuses to change a terminated agreement (409) and answers 404 for an unknown one', async () => {
      const created = await register({ ...usUz, reference: 'TO-TERMINATE' }).expect(201);
      const id = created.body.id;
      await svc
        .as('monitor')
        .post(`/agreements/${id}/terminate`)
        .set('If-Match', '"1"')
        .send({ reason: 'withdrawn' })
        .expect(200);
      const refused = await svc
        .as('monitor')
        .post(`/agreements/${id}/amend`)
        .set('If-Match', '"2"')
        .send({ title: 'New title' })
        .expect(409);
      expect(refused.body.detail).toMatch(/terminated/);
      await svc.as('monitor').get(`/agreements/${uuidv7()}`).expect(404);
      await svc
        .as('monitor')
        .post(`/agreements/${uuidv7()}/suspend`)
        .set('If-Match', '"1"')
        .send({ reason: 'why not' })
        .expect(404);
    });
  });

  describe('history', () => {
    it('answers the state as recorded at a past time', async () => {
      const before = await svc
        .as('auditor')
        .get(`/agreements/${trUzId}?asOf=2026-03-15T00:00:00Z`)
        .expect(200);
      expect(before.body.version).toBe(2);
      expect(before.body.context).toBeUndefined();
      const after = await svc
        .as('auditor')
        .get(`/agreements/${trUzId}?asOf=2026-04-02T00:00:00Z`)
        .expect(200);
      expect(after.body.context).toMatch(/Council/);
      await svc.as('auditor').get(`/agreements/${trUzId}?asOf=2026-01-01T00:00:00Z`).expect(404);
      await svc.as('auditor').get(`/agreements/${trUzId}?asOf=yesterday`).expect(400);
    });

    it('lists the event history for auditors, paginated, with actors and hashes', async () => {
      const page = await svc.as('auditor').get(`/agreements/${trUzId}/events?limit=2`).expect(200);
      expect(page.body.items.map((e: EventEnvelope) => e.type)).toEqual([
        'agreement.registered',
        'agreement.objective-added',
      ]);
      expect(page.body.items[0]).toMatchObject({
        streamVersion: 1,
        actor: { id: 'dev-monitor', role: 'monitor' },
        prevHash: null,
      });
      expect(page.body.items[1].prevHash).toBe(page.body.items[0].hash);
      const rest = await svc
        .as('auditor')
        .get(`/agreements/${trUzId}/events?from=${page.body.nextFrom}`)
        .expect(200);
      expect(rest.body.items[0].streamVersion).toBe(3);
      await svc.as('monitor').get(`/agreements/${trUzId}/events`).expect(403);
    });
  });

  describe('consuming milestone events', () => {
    it('moves the derived status and the counts, once per event even when redelivered', async () => {
      const kafka = new Kafka({
        clientId: 'test',
        brokers: process.env.KAFKA_BROKERS!.split(','),
        logLevel: logLevel.ERROR,
      });
      const producer = kafka.producer();
      await producer.connect();
      const milestoneId = uuidv7();
      const events = new ForeignEvents(() => clock.now());
      const envelope = (type: string, data: object, eventId = uuidv7()): EventEnvelope =>
        events.next(
          `milestone-${milestoneId}`,
          trUzId,
          type,
          { milestoneId, agreementId: trUzId, ...data },
          { eventId },
        );
      const send = (e: EventEnvelope) => publishEvent(producer, `${prefix}${Topics.milestones}`, e);

      await send(
        envelope('milestone.planned', {
          type: 'geological_survey',
          title: 'Joint exploration',
          dueDate: '2026-12-31',
          evidence: [],
        }),
      );
      await eventually(
        async () => (await svc.as('monitor').get(`/agreements/${trUzId}`)).body.milestones.planned === 1,
      );

      const started = envelope('milestone.started', { startedOn: '2026-04-01' });
      await send(started);
      await send(started); // redelivered
      await eventually(
        async () => (await svc.as('monitor').get(`/agreements/${trUzId}`)).body.status === 'inImplementation',
      );

      await send(
        envelope('milestone.met', { metOn: '2026-04-01', evidence: [{ url: 'https://example.org/r.pdf' }] }),
      );
      const delivering = await eventually(async () => {
        const res = await svc.as('monitor').get(`/agreements/${trUzId}`);
        return res.body.status === 'completed' && res.body;
      });
      expect(delivering.milestones).toMatchObject({ planned: 1, met: 1, inProgress: 0 });

      const history = await svc.as('auditor').get(`/agreements/${trUzId}/events?limit=1000`).expect(200);
      const derived = history.body.items.filter((e: EventEnvelope) => e.type === 'agreement.status-derived');
      expect(derived.map((e: EventEnvelope<string, { to: string }>) => e.data.to)).toEqual([
        'inImplementation',
        'completed',
      ]);
      expect(derived[0].actor).toEqual({ id: 'agreements-service', role: 'system' });
      await producer.disconnect();
    });
  });

  describe('operations', () => {
    it('answers health, metrics and OpenAPI without a key', async () => {
      await svc.http.get('/health/live').expect(200);
      const ready = await svc.http.get('/health/ready').expect(200);
      expect(ready.body.details).toMatchObject({ mongodb: { status: 'up' }, kafka: { status: 'up' } });
      const metrics = await svc.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/agreements\/:id"/);
      const docs = await svc.http.get('/docs-json').expect(200);
      expect(Object.keys(docs.body.paths)).toEqual(
        expect.arrayContaining(['/agreements', '/agreements/{id}', '/agreements/{id}/events']),
      );
      expect(docs.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });
  });
});
