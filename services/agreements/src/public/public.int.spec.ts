/**
 * The public transparency view and its Atom feeds (issue 21), against the real stack: an agreement a monitor made
 * public is readable without a key, a private one is a 404 like an unknown one, and no answer carries a private
 * field (the table below, checked on every answer). Milestone and alert events are published on their topics as
 * the other services would.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser } from 'fast-xml-parser';
import type { Producer } from 'kafkajs';
import type request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { Topics, type Actor } from '@tracker/contracts';
import { DEV_KEYS } from '@tracker/platform';
import { eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, trUzMemorandum, uniqueName, type RunningService, testProducer } from '@tracker/testing';
import { AgreementsConfig } from '../config';
import { AgreementsApp } from '../service';

/** A reference of its own for each agreement of this run (upper-case letters, digits, dashes). */
const reference = (what: string) => `${what}-${uniqueName('r').replace(/_/g, '-').toUpperCase()}`;

/** Fields no public answer may hold, at any depth, and why. */
// prettier-ignore
const FORBIDDEN_FIELDS: ReadonlyArray<[field: string, why: string]> = [
  ['actor',          'who recorded it: an API key name'],
  ['actorId',        'the same'],
  ['apiKey',         'the same'],
  ['correlationId',  'internal request tracing'],
  ['causationId',    'internal request tracing'],
  ['note',           'monitors’ working notes (progress, outcome, acknowledgement)'],
  ['notes',          'the same'],
  ['lastNote',       'the same'],
  ['subscription',   'stakeholders’ subscriptions'],
  ['subscriptionId', 'the same'],
  ['subscriptions',  'the same'],
  ['webhook',        'subscriptions’ delivery targets'],
  ['secret',         'webhook signing secrets'],
  ['openAlerts',     'alerts exist because of subscriptions'],
  ['alertId',        'the same'],
  ['dedupKey',       'the same'],
  ['corrections',    'who corrected what, internal bookkeeping'],
  ['version',        'the internal stream version'],
];
/** Values that give a private field away wherever they show (the feed's XML included). */
const FORBIDDEN_VALUES = [...Object.values(DEV_KEYS), 'a-monitor-key-name', 'INTERNAL-NOTE', 'alert.raised'];

/** Every key at any depth of a JSON value. */
function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

/** The privacy check every public answer goes through. */
function expectNothingPrivate(res: request.Response) {
  // A problem answer's correlationId is the caller's own request id (as X-Correlation-Id), not an event's.
  const { correlationId: _own, ...body } =
    res.status >= 400 ? (res.body as Record<string, unknown>) : { correlationId: undefined, ...res.body };
  const keys = keysOf(res.status >= 400 ? body : res.body);
  expect(FORBIDDEN_FIELDS.filter(([field]) => keys.has(field))).toEqual([]);
  expect(FORBIDDEN_VALUES.filter((v) => res.text.includes(v))).toEqual([]);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => name === 'entry' || name === 'link',
});
const entriesOf = (xml: string): Array<Record<string, unknown>> => parser.parse(xml).feed.entry ?? [];

describe('public transparency view and Atom feeds', () => {
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const prefix = `${uniqueName('pub')}.`;
  const MONITOR: Actor = { id: 'a-monitor-key-name', role: 'monitor' };
  let svc: RunningService;
  let producer: Producer;
  let publicId: string;
  let privateId: string;
  const milestoneId = uuidv7();
  const foreign = new ForeignEvents(() => clock.now());

  /** Sends `url` without any key, checks the privacy table, returns the answer. */
  const anonymous = async (url: string, status = 200) => {
    const res = await svc.http.get(url);
    expect(res.status).toBe(status);
    expectNothingPrivate(res);
    return res;
  };
  const setVisibility = async (id: string, value: boolean) => {
    const current = await svc.as('monitor').get(`/agreements/${id}`).expect(200);
    return svc
      .as('monitor')
      .post(`/agreements/${id}/visibility`)
      .set('If-Match', current.headers['etag'])
      .send({
        public: value,
        reason: value ? 'published by both ministries' : 'a party asked to withdraw it',
      })
      .expect(200);
  };
  const milestoneEvent = (type: string, data: object, occurredAt?: string) =>
    foreign.next(
      `milestone-${milestoneId}`,
      publicId,
      type,
      { milestoneId, agreementId: publicId, ...data },
      { actor: MONITOR, ...(occurredAt && { occurredAt }) },
    );

  beforeAll(async () => {
    svc = await startService(
      AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
    producer = await testProducer('test');
    publicId = (
      await svc
        .as('monitor')
        .post('/agreements')
        .send(trUzMemorandum(reference('PUB'), { title: 'Memorandum on critical minerals (public)' }))
        .expect(201)
    ).body.id;
    privateId = (
      await svc
        .as('monitor')
        .post('/agreements')
        .send(trUzMemorandum(reference('PRIV'), { title: 'Memorandum still private' }))
        .expect(201)
    ).body.id;
    await setVisibility(publicId, true);

    const send = (e: ReturnType<typeof milestoneEvent>) =>
      publishEvent(producer, `${prefix}${Topics.milestones}`, e);
    await send(
      milestoneEvent('milestone.planned', {
        type: 'geological_survey',
        title: 'Joint geological survey',
        dueDate: '2026-06-30',
        evidence: [{ url: 'https://example.org/plan', title: 'Work plan' }],
      }),
    );
    clock.set('2026-04-01T09:00:00.000Z');
    await send(
      milestoneEvent(
        'milestone.progress-reported',
        {
          percent: 40,
          note: 'INTERNAL-NOTE: call the ministry',
          evidence: [{ url: 'https://example.org/report' }],
          reportedOn: '2026-03-30',
        },
        '2026-03-30T00:00:00.000Z',
      ),
    );
    clock.set('2026-05-01T09:00:00.000Z');
    await send(
      milestoneEvent(
        'milestone.rescheduled',
        {
          previousDueDate: '2026-06-30',
          newDueDate: '2026-09-30',
          slipDays: 92,
          reason: 'drilling permits delayed',
          slipCount: 1,
          decidedOn: '2026-04-28',
        },
        '2026-04-28T00:00:00.000Z',
      ),
    );
    await publishEvent(
      producer,
      `${prefix}${Topics.alerts}`,
      foreign.next(
        `alert-${uuidv7()}`,
        publicId,
        'alert.raised',
        {
          alertId: uuidv7(),
          agreementId: publicId,
          dedupKey: 'x',
          kind: 'deadline.slipped',
          severity: 'medium',
          milestoneId,
        },
        { actor: { id: 'alerts-service', role: 'system' } },
      ),
    );
    await eventually(async () => {
      const { body } = await svc.http.get(`/public/agreements/${publicId}`);
      // The derived status comes back through agreements.events into the journal, after the reactor appended it.
      return (
        body.milestoneList?.[0]?.slips?.length === 1 &&
        body.timeline?.some((s: { type: string }) => s.type === 'agreement.status-derived')
      );
    });
    // The alert was recorded in the journal (and still is not shown).
    await eventually(
      async () =>
        (await svc.as('auditor').get(`/agreements/${publicId}/history?source=alerts`)).body.items?.length ===
        1,
    );
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  it('answers a public agreement without a key: facts, milestones with slips and evidence, timeline', async () => {
    const res = await anonymous(`/public/agreements/${publicId}`);
    expect(res.body).toMatchObject({
      id: publicId,
      title: 'Memorandum on critical minerals (public)',
      parties: [{ country: 'TR' }, { country: 'UZ' }],
      status: 'inImplementation',
    });
    expect(res.body.milestoneList).toEqual([
      expect.objectContaining({
        id: milestoneId,
        title: 'Joint geological survey',
        status: 'inProgress',
        percent: 40,
        plannedDueDate: '2026-06-30',
        dueDate: '2026-09-30',
        slips: [
          {
            previousDueDate: '2026-06-30',
            newDueDate: '2026-09-30',
            slipDays: 92,
            reason: 'drilling permits delayed',
            decidedOn: '2026-04-28',
          },
        ],
        evidence: [
          { url: 'https://example.org/plan', title: 'Work plan' },
          { url: 'https://example.org/report' },
        ],
      }),
    ]);
    // In business order; no alert and no visibility decision among the steps.
    expect(res.body.timeline.map((s: { type: string }) => s.type)).toEqual([
      'agreement.registered',
      'milestone.planned',
      'milestone.progress-reported',
      'agreement.status-derived',
      'milestone.rescheduled',
    ]);
  });

  it('lists public agreements only', async () => {
    const res = await anonymous('/public/agreements');
    const ids = res.body.items.map((a: { id: string }) => a.id);
    expect(ids).toContain(publicId);
    expect(ids).not.toContain(privateId);
  });

  it('answers a private agreement as an unknown one: 404 with the same problem, feeds included', async () => {
    const unknown = uuidv7();
    const [priv, none] = await Promise.all([
      anonymous(`/public/agreements/${privateId}`, 404),
      anonymous(`/public/agreements/${unknown}`, 404),
    ]);
    expect(priv.body.title).toBe(none.body.title);
    expect(priv.body.detail.replace(privateId, 'ID')).toBe(none.body.detail.replace(unknown, 'ID'));
    await anonymous(`/public/agreements/${privateId}/feed.atom`, 404);
    await anonymous('/public/agreements/not-a-uuid', 400);
    // A key does not open a private agreement here either: the public view is the same for everyone.
    await svc.as('admin').get(`/public/agreements/${privateId}`).expect(404);
  });

  it('writes an Atom feed per agreement: parsable, stable ids, record time as updated, business time as published', async () => {
    const first = await anonymous(`/public/agreements/${publicId}/feed.atom`);
    expect(first.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const feed = parser.parse(first.text).feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(`tag:agreement-tracker.example,2026:feed:agreement:${publicId}`);
    expect(feed.author.name).toBe('Agreement tracker');
    const entries = entriesOf(first.text);
    expect(entries.length).toBe(5);
    for (const e of entries) expect(e['id']).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const rescheduled = entries.find((e) =>
      String((e['title'] as { '#text'?: string })['#text'] ?? e['title']).startsWith('Slipped'),
    );
    expect(rescheduled).toMatchObject({
      updated: '2026-05-01T09:00:00.000Z',
      published: '2026-04-28T00:00:00.000Z',
    });
    // Newest recorded first, and the feed is as new as its newest entry.
    expect(entries[0]['updated']).toBe(feed.updated);

    // As a feed reader reads it (@rowanmanning/feed-parser, as RSS and Atom readers do).
    const read = parseFeed(first.text);
    expect(read.meta.type).toBe('atom');
    expect(read.items.map((item) => item.id)).toEqual(entries.map((e) => e['id']));
    const slip = read.items.find((item) => item.title?.startsWith('Slipped'));
    expect({ published: slip?.published?.toISOString(), updated: slip?.updated?.toISOString(), url: slip?.url }).toEqual({
      published: '2026-04-28T00:00:00.000Z',
      updated: '2026-05-01T09:00:00.000Z',
      url: expect.stringMatching(new RegExp(`/public/agreements/${publicId}`)),
    });

    const second = await anonymous(`/public/agreements/${publicId}/feed.atom`);
    expect(entriesOf(second.text).map((e) => e['id'])).toEqual(entries.map((e) => e['id']));
    expect(parseFeed(second.text).items.map((item) => item.id)).toEqual(read.items.map((item) => item.id));
    // The same document but for the origin in the links (supertest reaches each request on a port of its own).
    const origin = (text: string) => text.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'ORIGIN');
    expect(origin(second.text)).toBe(origin(first.text));
  });

  it('writes a global Atom feed of the public agreements only', async () => {
    const res = await anonymous('/public/feed.atom');
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const links = entriesOf(res.text).map((e) => (e['link'] as Array<{ '@href': string }>)[0]['@href']);
    expect(links).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`/public/agreements/${publicId}$`))]),
    );
    expect(res.text).not.toContain(privateId);
  });

  it('hides an agreement made private again, everywhere', async () => {
    const other = (
      await svc
        .as('monitor')
        .post('/agreements')
        .send(trUzMemorandum(reference('PUB2')))
        .expect(201)
    ).body.id;
    const published = await setVisibility(other, true);
    expect(published.body.public).toBe(true);
    await anonymous(`/public/agreements/${other}`);
    expect((await anonymous('/public/feed.atom')).text).toContain(other);
    await setVisibility(other, false);
    await anonymous(`/public/agreements/${other}`, 404);
    expect((await anonymous('/public/agreements')).body.items.map((a: { id: string }) => a.id)).not.toContain(
      other,
    );
    expect((await anonymous('/public/feed.atom')).text).not.toContain(other);
  });

  it('refuses a visibility change without a reason (400) and from a stakeholder (403)', async () => {
    await svc
      .as('monitor')
      .post(`/agreements/${privateId}/visibility`)
      .set('If-Match', '"1"')
      .send({ public: true })
      .expect(400);
    await svc
      .as('stakeholder')
      .post(`/agreements/${privateId}/visibility`)
      .set('If-Match', '"1"')
      .send({ public: true, reason: 'because' })
      .expect(403);
    await anonymous(`/public/agreements/${privateId}`, 404);
  });
});

describe('public routes: rate limit per address', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService(
      AgreementsApp.forRoot(
        testConfig(AgreementsConfig, {
          KAFKA_TOPIC_PREFIX: `${uniqueName('pubrl')}.`,
          RATE_LIMIT_PER_MINUTE: '3',
        }),
      ),
    );
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('answers 429 with Retry-After once an address spent its budget', async () => {
    for (let i = 0; i < 3; i++) await svc.http.get('/public/agreements').expect(200);
    const refused = await svc.http.get('/public/feed.atom').expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});
