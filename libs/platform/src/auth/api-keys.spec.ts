import { actingRole } from './api-key.guard';
import { ApiKeyStore, bearerToken, DEV_KEYS, hashApiKey, parseApiKeys } from './api-keys';
import { requireRole } from './decorators';

describe('API keys', () => {
  it('has the development keys outside production when API_KEYS is unset', () => {
    const store = ApiKeyStore.fromConfig({ NODE_ENV: 'development' });
    expect(store.development).toBe(true);
    expect(store.find(DEV_KEYS.monitor)).toMatchObject({ name: 'dev-monitor', roles: ['monitor'] });
    expect(store.find(DEV_KEYS.admin)).toMatchObject({ name: 'dev-admin', roles: ['admin'] });
    expect(store.find('dev-nobody')).toBeUndefined();
  });

  it('refuses production without keys', () => {
    expect(() => ApiKeyStore.fromConfig({ NODE_ENV: 'production' })).toThrow(
      /API_KEYS must be set when NODE_ENV=production/,
    );
  });

  it('keeps only digests: configured keys replace the development keys', () => {
    const records = parseApiKeys(
      JSON.stringify([
        { name: 'ops-team', roles: ['monitor', 'auditor'], sha256: hashApiKey('ops-secret-1') },
        { name: 'ngo', roles: ['stakeholder'], key: 'ngo-secret-2' },
      ]),
    );
    expect(JSON.stringify(records)).not.toContain('ngo-secret-2');
    const store = new ApiKeyStore(records);
    expect(store.find('ops-secret-1')?.name).toBe('ops-team');
    expect(store.find('ngo-secret-2')?.name).toBe('ngo');
    expect(store.find(DEV_KEYS.admin)).toBeUndefined();
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads the bearer token of %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [['monitor'], undefined, 'monitor'],
    [['auditor', 'monitor'], ['monitor', 'auditor'], 'auditor'],
    [['auditor', 'monitor'], ['monitor'], 'monitor'],
    [['admin'], ['stakeholder'], 'admin'],
    [['stakeholder'], ['monitor'], undefined],
  ] as const)('key roles %p on a route requiring %p act as %p', (keyRoles, required, role) => {
    expect(actingRole(keyRoles, required)).toBe(role);
  });

  it('requireRole lets the role or admin through, else 403', () => {
    expect(() => requireRole({ id: 'a', role: 'stakeholder' }, 'stakeholder')).not.toThrow();
    expect(() => requireRole({ id: 'a', role: 'admin' }, 'stakeholder')).not.toThrow();
    expect(() => requireRole({ id: 'a', role: 'monitor' }, 'stakeholder')).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => requireRole(undefined, 'stakeholder')).toThrow();
  });
});
