import request from 'supertest';
import type { Role } from '@tracker/contracts';
import { DEV_KEYS, hashApiKey } from '../index';
import { createTestApp, type TestApp } from '../test/test-app';

describe('API-key auth through HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const get = (path: string, key?: string) => {
    const r = request(t.app.getHttpServer()).get(path);
    return key === undefined ? r : r.set('Authorization', `Bearer ${key}`);
  };

  it('public routes need no key', async () => {
    await get('/public').expect(200, { ok: true });
    await get('/health/live').expect(200);
  });

  it.each(['/any', '/monitor', '/admin'])('%s without a key → 401 with a Bearer challenge', async (path) => {
    const res = await get(path).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test-service"');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', instance: path });
  });

  it.each([['wrong-key'], ['dev-monitorx'], ['']])('a wrong key (%p) → 401 invalid_token', async (key) => {
    const res = await request(t.app.getHttpServer())
      .get('/any')
      .set('Authorization', `Bearer ${key}`)
      .expect(401);
    if (key) expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it.each([
    ['monitor', ['monitor']],
    ['auditor', ['auditor']],
    ['admin', ['admin']],
  ] as const)('GET /me tells the %s key its name and roles', async (role, roles) => {
    const res = await get('/me', DEV_KEYS[role]).expect(200);
    expect(res.body).toEqual({ service: 'test-service', name: `dev-${role}`, roles });
  });

  it('GET /me needs a valid key', async () => {
    await get('/me').expect(401);
    await get('/me', 'wrong-key').expect(401);
  });

  it('another scheme → 401', async () => {
    await request(t.app.getHttpServer())
      .get('/any')
      .set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`)
      .expect(401);
  });

  // route → the roles that get 200 (everyone else 403); admin passes everything.
  const table: Record<string, Role[]> = {
    '/any': ['monitor', 'stakeholder', 'auditor', 'admin'],
    '/monitor': ['monitor', 'admin'],
    '/stakeholder': ['stakeholder', 'admin'],
    '/auditor': ['auditor', 'admin'],
    '/admin': ['admin'],
    '/monitor-or-auditor': ['monitor', 'auditor', 'admin'],
  };
  const cases = Object.entries(table).flatMap(([path, allowed]) =>
    (Object.keys(DEV_KEYS) as Role[]).map(
      (role) => [path, role, allowed.includes(role) ? 200 : 403] as const,
    ),
  );

  it.each(cases)('%s with the %s key → %d', async (path, role, status) => {
    const res = await get(path, DEV_KEYS[role]).expect(status);
    if (status === 200) expect(res.body.actor).toEqual({ id: DEV_KEYS[role], role });
    else
      expect(res.body).toMatchObject({
        status: 403,
        title: 'Forbidden',
        type: 'urn:tracker:problem:forbidden',
      });
  });
});

describe('configured API_KEYS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        API_KEYS: JSON.stringify([
          { name: 'ops-team', roles: ['auditor', 'monitor'], sha256: hashApiKey('ops-team-secret') },
          { name: 'ngo', roles: ['stakeholder'], key: 'ngo-plain-secret' },
        ]),
      },
    });
  });
  afterAll(() => t.close());

  const get = (path: string, key: string) =>
    request(t.app.getHttpServer()).get(path).set('Authorization', `Bearer ${key}`);

  it('replace the development keys', async () => {
    await get('/any', DEV_KEYS.admin).expect(401);
  });

  it('act in the first of their roles the route accepts', async () => {
    expect((await get('/any', 'ops-team-secret').expect(200)).body.actor).toEqual({
      id: 'ops-team',
      role: 'auditor',
    });
    expect((await get('/monitor', 'ops-team-secret').expect(200)).body.actor).toEqual({
      id: 'ops-team',
      role: 'monitor',
    });
    expect((await get('/monitor-or-auditor', 'ops-team-secret').expect(200)).body.actor.role).toBe('auditor');
    await get('/stakeholder', 'ops-team-secret').expect(403);
    expect((await get('/stakeholder', 'ngo-plain-secret').expect(200)).body.actor).toEqual({
      id: 'ngo',
      role: 'stakeholder',
    });
  });
});

describe('production', () => {
  it('refuses to start without API_KEYS', async () => {
    await expect(createTestApp({ env: { NODE_ENV: 'production' } })).rejects.toThrow(
      /API_KEYS must be set when NODE_ENV=production/,
    );
  });
});
