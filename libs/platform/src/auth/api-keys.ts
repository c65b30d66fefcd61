/**
 * API keys: parsed from API_KEYS, kept only as SHA-256 digests, looked up in constant time per entry.
 * A key's plaintext is never stored or logged; API_KEYS may carry plaintext (`key`) for convenience, which is
 * hashed here and dropped.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '@tracker/contracts';

export const ROLES: readonly Role[] = ['monitor', 'stakeholder', 'auditor', 'admin'];

/** The development keys (plaintext = name), present only when NODE_ENV !== 'production' and API_KEYS is unset. */
export const DEV_KEYS: Readonly<Record<Role, string>> = {
  monitor: 'dev-monitor',
  stakeholder: 'dev-stakeholder',
  auditor: 'dev-auditor',
  admin: 'dev-admin',
};

export interface ApiKeyRecord {
  name: string;
  roles: Role[];
  /** SHA-256 digest of the key (32 bytes). */
  digest: Buffer;
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Hex SHA-256 of a key: what goes into API_KEYS as `sha256`. */
export function hashApiKey(key: string): string {
  return sha256(key).toString('hex');
}

/**
 * Parses API_KEYS: a JSON array of `{"name": "ops-team", "roles": ["monitor"], "sha256": "<hex>"}` or, instead of
 * `sha256`, `"key": "<plaintext>"`. Throws an Error whose message says what is wrong (without echoing keys).
 */
export function parseApiKeys(raw: string): ApiKeyRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('must be a non-empty JSON array');
  const names = new Set<string>();
  return parsed.map((entry: unknown, i) => {
    const at = `entry ${i}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      throw new Error(`${at} must be an object`);
    const { name, roles, sha256: hex, key, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length)
      throw new Error(`${at} has unknown field(s) ${Object.keys(rest).join(', ')}`);
    if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
      throw new Error(`${at}: name must be 1-64 letters, digits, . _ -`);
    }
    if (names.has(name)) throw new Error(`${at}: name "${name}" is used twice`);
    names.add(name);
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => ROLES.includes(r as Role))) {
      throw new Error(`${at} (${name}): roles must be a non-empty array of ${ROLES.join(', ')}`);
    }
    if ((hex === undefined) === (key === undefined))
      throw new Error(`${at} (${name}) needs exactly one of sha256 or key`);
    if (hex !== undefined && (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex))) {
      throw new Error(`${at} (${name}): sha256 must be 64 hex characters`);
    }
    if (key !== undefined && (typeof key !== 'string' || key.length < 8)) {
      throw new Error(`${at} (${name}): key must be a string of at least 8 characters`);
    }
    const digest = hex !== undefined ? Buffer.from(hex as string, 'hex') : sha256(key as string);
    return { name, roles: [...new Set(roles as Role[])], digest };
  });
}

export function devApiKeys(): ApiKeyRecord[] {
  return ROLES.map((role) => ({ name: DEV_KEYS[role], roles: [role], digest: sha256(DEV_KEYS[role]) }));
}

export class ApiKeyStore {
  constructor(
    readonly records: readonly ApiKeyRecord[],
    /** True when these are the development keys. */
    readonly development = false,
  ) {}

  /** The configured keys, or the development keys outside production when API_KEYS is unset. */
  static fromConfig(config: { API_KEYS?: string; NODE_ENV: string }): ApiKeyStore {
    if (config.API_KEYS) return new ApiKeyStore(parseApiKeys(config.API_KEYS));
    // loadConfig already refuses this; checked again so that no code path serves dev keys in production.
    if (config.NODE_ENV === 'production') {
      throw new Error(
        'API_KEYS must be set when NODE_ENV=production (the development keys are disabled in production)',
      );
    }
    return new ApiKeyStore(devApiKeys(), true);
  }

  /** The record whose digest matches the presented key, or undefined. Compares against every entry. */
  find(presentedKey: string): ApiKeyRecord | undefined {
    return this.findByDigest(sha256(presentedKey));
  }

  findByDigest(digest: Buffer): ApiKeyRecord | undefined {
    let match: ApiKeyRecord | undefined;
    for (const record of this.records) {
      if (timingSafeEqual(record.digest, digest) && !match) match = record;
    }
    return match;
  }
}

/** The token of `Authorization: Bearer <token>`, or undefined when absent or another scheme. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
  return m ? m[1] : undefined;
}
