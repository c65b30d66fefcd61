import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { hashApiKey } from '../auth/api-keys';
import { BaseServiceConfig } from './base-service-config';
import { ConfigError, loadConfig } from './load-config';

class AgreementsLikeConfig extends BaseServiceConfig {
  override PORT = 3001;
  override MONGO_DB = 'agreements';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  STALLED_AFTER_DAYS = 180;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults, the service overrides and ignores unrelated variables', () => {
    const config = loadConfig(AgreementsLikeConfig, { PATH: '/usr/bin', NODE_ENV: 'test' });
    expect(config).toBeInstanceOf(AgreementsLikeConfig);
    expect(config).toMatchObject({
      PORT: 3001,
      MONGO_DB: 'agreements',
      KAFKA_BROKERS: '127.0.0.1:9092',
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      BODY_LIMIT: '256kb',
      RATE_LIMIT_PER_MINUTE: 600,
      CLOCK_OFFSET_MS: 0,
      STALLED_AFTER_DAYS: 180,
      NODE_ENV: 'test',
    });
    expect(config.API_KEYS).toBeUndefined();
    expect(config.CORS_ORIGINS).toBeUndefined();
    expect(config).not.toHaveProperty('PATH');
  });

  it('converts and validates what the environment gives', () => {
    const config = loadConfig(AgreementsLikeConfig, {
      PORT: '8080',
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
      MONGO_URL: 'mongodb+srv://user:pw@cluster.example.org/db',
      STALLED_AFTER_DAYS: '90',
      CORS_ORIGINS: 'https://tracker.example.org,http://localhost:4200',
      CLOCK_OFFSET_MS: '-86400000',
      LOG_LEVEL: 'debug',
      BODY_LIMIT: '',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      STALLED_AFTER_DAYS: 90,
      CLOCK_OFFSET_MS: -86400000,
      LOG_LEVEL: 'debug',
      BODY_LIMIT: '256kb',
    });
  });

  it('names every bad variable, its value and what is expected, in one message', () => {
    const err = errorOf(() =>
      loadConfig(AgreementsLikeConfig, {
        PORT: 'abc',
        KAFKA_BROKERS: 'kafka-0',
        MONGO_URL: 'postgres://user:secret@db/x',
        STALLED_AFTER_DAYS: '0',
        NODE_ENV: 'staging',
      }),
    );
    expect(err.message).toContain('PORT must be an integer between 1 and 65535 (got "abc")');
    expect(err.message).toContain('KAFKA_BROKERS must be a comma-separated list of host:port');
    expect(err.message).toContain('(got "kafka-0")');
    expect(err.message).toContain(
      'MONGO_URL must be a mongodb:// or mongodb+srv:// connection string (got "postgres://user:***@db/x")',
    );
    expect(err.message).toContain('STALLED_AFTER_DAYS must not be less than 1 (got "0")');
    expect(err.message).toContain('NODE_ENV must be one of development, test, production (got "staging")');
    expect(err.message).not.toContain('secret');
    expect(err.message.split('\n')).toHaveLength(6);
    expect(err.issues.map((i) => i.variable).sort()).toEqual([
      'KAFKA_BROKERS',
      'MONGO_URL',
      'NODE_ENV',
      'PORT',
      'STALLED_AFTER_DAYS',
    ]);
  });

  it('refuses to start in production without API_KEYS', () => {
    const err = errorOf(() => loadConfig(BaseServiceConfig, { NODE_ENV: 'production' }));
    expect(err.message).toMatch(/API_KEYS must be set when NODE_ENV=production/);
    expect(err.message).toContain('(not set)');
  });

  it('accepts API_KEYS with hashes or plaintext keys, in production too', () => {
    const keys = JSON.stringify([
      { name: 'ops-team', roles: ['monitor'], sha256: hashApiKey('a-long-secret') },
      { name: 'auditors', roles: ['auditor'], key: 'another-secret' },
    ]);
    expect(loadConfig(BaseServiceConfig, { NODE_ENV: 'production', API_KEYS: keys }).API_KEYS).toBe(keys);
  });

  it.each([
    ['not JSON', '{oops', 'is not valid JSON'],
    ['not an array', '{"name":"x"}', 'must be a non-empty JSON array'],
    [
      'an unknown role',
      '[{"name":"x","roles":["god"],"key":"12345678"}]',
      'roles must be a non-empty array of monitor, stakeholder, auditor, admin',
    ],
    ['a bad hash', '[{"name":"x","roles":["admin"],"sha256":"abc"}]', 'sha256 must be 64 hex characters'],
    ['neither hash nor key', '[{"name":"x","roles":["admin"]}]', 'needs exactly one of sha256 or key'],
    [
      'a duplicate name',
      '[{"name":"x","roles":["admin"],"key":"12345678"},{"name":"x","roles":["monitor"],"key":"87654321"}]',
      'is used twice',
    ],
  ])('explains bad API_KEYS (%s) without echoing them', (_case, raw, reason) => {
    const err = errorOf(() => loadConfig(BaseServiceConfig, { API_KEYS: raw }));
    expect(err.message).toContain(reason);
    expect(err.message).toContain('(got "<redacted>")');
    expect(err.message).not.toContain('12345678');
  });
});
