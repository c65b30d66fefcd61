/** Subscriptions over HTTP against the real stack: validation, ownership, secrets never returned, pagination. */
import { v7 as uuidv7 } from 'uuid';
import { startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { AlertsApp } from '../service';
import { AlertsConfig } from '../config';

describe('subscriptions', () => {
  let svc: RunningService;
  const auth = (role: 'stakeholder' | 'auditor' | 'admin' | 'monitor') => `Bearer dev-${role}`;

  beforeAll(async () => {
    svc = await startService(
      AlertsApp.forRoot(
        testConfig(AlertsConfig, {
          KAFKA_TOPIC_PREFIX: `${uniqueName('sub')}.`,
          ALERT_SCAN_INTERVAL_MS: '0',
          // One loopback address and one name (which does not resolve here) let the tests subscribe; nothing else.
          OUTBOUND_ALLOW: '127.0.0.1/32,hooks.example.org',
        }),
      ),
    );
  });
  afterAll(async () => svc?.close());

  const create = (body: object, role: 'stakeholder' | 'admin' = 'stakeholder') =>
    svc.http.post('/subscriptions').set('Authorization', auth(role)).send(body);

  it('creates a webhook subscription with filters; the secret is kept but never returned', async () => {
    const agreementId = uuidv7();
    const res = await create({
      name: 'TR-UZ critical minerals',
      filters: {
        agreementIds: [agreementId],
        partyCountries: ['tr', 'UZ'],
        commodities: ['rare-earth-elements'],
        milestoneTypes: ['refinery', 'processing_plant'],
        kinds: ['deadline.missed', 'milestone.slipped'],
        minSeverity: 'medium',
      },
      channel: { type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-chars' },
    }).expect(201);
    expect(res.headers.location).toBe(`/subscriptions/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(String),
      owner: 'dev-stakeholder',
      name: 'TR-UZ critical minerals',
      filters: {
        agreementIds: [agreementId],
        partyCountries: ['TR', 'UZ'],
        commodities: ['rare-earth-elements'],
        milestoneTypes: ['refinery', 'processing_plant'],
        kinds: ['deadline.missed', 'milestone.slipped'],
        minSeverity: 'medium',
      },
      channel: { type: 'webhook', url: 'http://127.0.0.1:9/hook', hasSecret: true },
      createdAt: expect.any(String),
    });
    const got = await svc.http
      .get(`/subscriptions/${res.body.id}`)
      .set('Authorization', auth('stakeholder'))
      .expect(200);
    expect(got.body).toEqual(res.body);
    expect(JSON.stringify(got.body)).not.toContain('a-secret-of-16-chars');
  });

  it.each([
    ['no channel', {}],
    ['an unknown channel', { channel: { type: 'sms' } }],
    ['a webhook without url', { channel: { type: 'webhook', secret: 'a-secret-of-16-chars' } }],
    ['a webhook without secret', { channel: { type: 'webhook', url: 'https://hooks.example.org/x' } }],
    ['a short secret', { channel: { type: 'webhook', url: 'https://hooks.example.org/x', secret: 'short' } }],
    [
      'a url that is no http(s) URL',
      { channel: { type: 'webhook', url: 'ftp://example.org/x', secret: 'a-secret-of-16-chars' } },
    ],
    ['an unknown field', { channel: { type: 'inbox' }, owner: 'someone-else' }],
    ['an unknown filter', { channel: { type: 'inbox' }, filters: { everything: true } }],
    ['a bad country', { channel: { type: 'inbox' }, filters: { partyCountries: ['Turkey'] } }],
    ['a bad kind', { channel: { type: 'inbox' }, filters: { kinds: ['deadline.soon'] } }],
    ['a bad severity', { channel: { type: 'inbox' }, filters: { minSeverity: 'huge' } }],
    ['an inbox with a url', { channel: { type: 'inbox', url: 'https://hooks.example.org/x' } }],
  ])('refuses %s with 400', async (_name, body) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('lets a stakeholder see and delete only its own; auditors read all, admins delete any', async () => {
    const mine = (await create({ channel: { type: 'inbox' } }).expect(201)).body.id;
    const admins = (await create({ channel: { type: 'inbox' } }, 'admin').expect(201)).body.id;

    await svc.http.get(`/subscriptions/${admins}`).set('Authorization', auth('stakeholder')).expect(404);
    await svc.http.delete(`/subscriptions/${admins}`).set('Authorization', auth('stakeholder')).expect(404);
    await svc.http.get(`/subscriptions/${admins}`).set('Authorization', auth('auditor')).expect(200);
    await svc.http.get(`/subscriptions/${uuidv7()}`).set('Authorization', auth('auditor')).expect(404);

    const listed = (role: 'stakeholder' | 'auditor') =>
      svc.http.get('/subscriptions?limit=100').set('Authorization', auth(role)).expect(200);
    const own = (await listed('stakeholder')).body.items as Array<{ id: string; owner: string }>;
    expect(own.map((s) => s.id)).toContain(mine);
    expect(own.every((s) => s.owner === 'dev-stakeholder')).toBe(true);
    expect(((await listed('auditor')).body.items as Array<{ id: string }>).map((s) => s.id)).toEqual(
      expect.arrayContaining([mine, admins]),
    );

    await svc.http.delete(`/subscriptions/${mine}`).set('Authorization', auth('stakeholder')).expect(204);
    await svc.http.get(`/subscriptions/${mine}`).set('Authorization', auth('stakeholder')).expect(404);
    await svc.http.delete(`/subscriptions/${mine}`).set('Authorization', auth('stakeholder')).expect(404);
    await svc.http.delete(`/subscriptions/${admins}`).set('Authorization', auth('admin')).expect(204);
  });

  it('pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) await create({ channel: { type: 'inbox' }, name: `page ${i}` }).expect(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await svc.http
        .get(`/subscriptions?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Authorization', auth('stakeholder'))
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((s) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses filters outside the code lists with 400 naming the valid values, and accepts the codes', async () => {
    const inbox = { type: 'inbox' };
    const refused = await create({ filters: { commodities: ['rare earths'] }, channel: inbox }).expect(400);
    expect(refused.body.errors).toEqual([{ field: 'filters.commodities', message: expect.stringContaining('rare-earth-elements') }]);
    expect(refused.body.errors[0].message).toContain('neodymium');
    const countries = await create({ filters: { partyCountries: ['XX'] }, channel: inbox }).expect(400);
    expect(countries.body.errors).toEqual([{ field: 'filters.partyCountries', message: expect.stringMatching(/ISO 3166-1 alpha-2/) }]);
    const ok = await create({ filters: { commodities: ['Rare-Earth-Elements', 'copper'], partyCountries: ['TR', 'UZ'] }, channel: inbox }).expect(201);
    expect(ok.body.filters).toMatchObject({ commodities: ['rare-earth-elements', 'copper'], partyCountries: ['TR', 'UZ'] });
  });

  it.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['private', 'http://10.0.0.1/'],
    ['private, hex', 'http://0x0a000001/'],
    ['loopback not allowed', 'http://127.0.0.2:27017/'],
    ['loopback, decimal', 'http://2130706434/'],
    ['IPv6 loopback', 'http://[::1]:3001/admin/replays'],
    ['unspecified', 'http://0.0.0.0/'],
    ['IPv4-mapped IPv6', 'http://[::ffff:169.254.169.254]/'],
    ['unique-local IPv6', 'http://[fd00::1]/'],
    ['carrier-grade NAT', 'http://100.64.0.1/'],
    ['multicast', 'http://224.0.0.1/'],
    ['credentials', 'http://user:pass@hooks.example.org/'],
  ])('refuses a webhook to %s (%s) with 400 on channel.url, and stores nothing', async (_what, url) => {
    const before = (await svc.http.get('/subscriptions').set('Authorization', auth('stakeholder'))).body.items
      .length;
    const res = await create({ channel: { type: 'webhook', url, secret: 'a-secret-of-16-chars' } }).expect(
      400,
    );
    expect(res.body.errors).toEqual([
      {
        field: 'channel.url',
        message: expect.stringMatching(
          /^channel\.url (points at|names a host|must not carry)|^url must be an http\(s\) URL$/,
        ),
      },
    ]);
    const after = (await svc.http.get('/subscriptions').set('Authorization', auth('stakeholder'))).body.items
      .length;
    expect(after).toBe(before);
  });

  const hook = { type: 'webhook', url: 'https://hooks.example.org/x', secret: 'a-secret-of-16-chars' };

  it('keeps grouping, reminders and a digest, and shows them back', async () => {
    const res = await create({
      channel: hook,
      grouping: { groupBy: ['agreement', 'kind', 'agreement'], groupWaitSeconds: 0, groupIntervalSeconds: 86400 },
      repeat: { intervalHours: 720, maxReminders: 20 },
      digest: { hour: 0, timeZone: 'Asia/Tashkent' },
    }).expect(201);
    expect(res.body).toMatchObject({
      grouping: { groupBy: ['agreement', 'kind'], groupWaitSeconds: 0, groupIntervalSeconds: 86400 },
      repeat: { intervalHours: 720, maxReminders: 20 },
      digest: { hour: 0, timeZone: 'Asia/Tashkent' },
    });
    const got = await svc.http.get(`/subscriptions/${res.body.id}`).set('Authorization', auth('stakeholder')).expect(200);
    expect(got.body).toEqual(res.body);
    // An inbox may have a digest (shown in the inbox), and without any of them the view has none.
    const inbox = await create({ channel: { type: 'inbox' }, digest: { hour: 23, timeZone: 'UTC' } }).expect(201);
    expect(inbox.body.digest).toEqual({ hour: 23, timeZone: 'UTC' });
    const plain = await create({ channel: hook }).expect(201);
    expect(plain.body).not.toHaveProperty('grouping');
    expect(plain.body).not.toHaveProperty('repeat');
    expect(plain.body).not.toHaveProperty('digest');
  });

  it.each<[string, object, string]>([
    ['an unknown groupBy field', { grouping: { groupBy: ['milestone'], groupWaitSeconds: 30, groupIntervalSeconds: 300 } }, 'grouping.groupBy'],
    ['a negative group wait', { grouping: { groupBy: [], groupWaitSeconds: -1, groupIntervalSeconds: 300 } }, 'grouping.groupWaitSeconds'],
    ['a group wait over an hour', { grouping: { groupBy: [], groupWaitSeconds: 3601, groupIntervalSeconds: 300 } }, 'grouping.groupWaitSeconds'],
    ['a group interval of 0', { grouping: { groupBy: [], groupWaitSeconds: 30, groupIntervalSeconds: 0 } }, 'grouping.groupIntervalSeconds'],
    ['a fractional group interval', { grouping: { groupBy: [], groupWaitSeconds: 30, groupIntervalSeconds: 1.5 } }, 'grouping.groupIntervalSeconds'],
    ['grouping without groupBy', { grouping: { groupWaitSeconds: 30, groupIntervalSeconds: 300 } }, 'grouping.groupBy'],
    ['grouping as a list', { grouping: [] }, 'grouping'],
    ['a reminder interval over 30 days', { repeat: { intervalHours: 721, maxReminders: 3 } }, 'repeat.intervalHours'],
    ['no reminders at all', { repeat: { intervalHours: 24, maxReminders: 0 } }, 'repeat.maxReminders'],
    ['more than 20 reminders', { repeat: { intervalHours: 24, maxReminders: 21 } }, 'repeat.maxReminders'],
    ['a digest hour of 24', { digest: { hour: 24, timeZone: 'UTC' } }, 'digest.hour'],
    ['an unknown time zone', { digest: { hour: 8, timeZone: 'Mars/Olympus_Mons' } }, 'digest.timeZone'],
    ['a time zone that is no name', { digest: { hour: 8, timeZone: 3 } }, 'digest.timeZone'],
  ])('refuses %s with 400 naming the field', async (_what, extra, field) => {
    const res = await create({ channel: hook, ...extra }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each(['grouping', 'repeat'])('refuses %s on an inbox channel with 400 (the inbox shows every alert as it comes)', async (field) => {
    const value = field === 'grouping' ? { groupBy: [], groupWaitSeconds: 30, groupIntervalSeconds: 300 } : { intervalHours: 24, maxReminders: 3 };
    const res = await create({ channel: { type: 'inbox' }, [field]: value }).expect(400);
    expect(res.body.errors).toEqual([{ field, message: `${field} is for webhook channels only` }]);
  });
});
