/**
 * What every service reads from its environment. Services extend it and override the defaults that differ
 * (`override PORT = 3001; override MONGO_DB = 'agreements'`).
 */
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { parseApiKeys } from '../auth/api-keys';

const HOST_PORT = String.raw`[A-Za-z0-9.-]+:\d{1,5}`;
const BROKERS = new RegExp(`^${HOST_PORT}(\\s*,\\s*${HOST_PORT})*$`);
const ORIGIN = String.raw`https?://[A-Za-z0-9.-]+(:\d{1,5})?`;
const ORIGINS = new RegExp(`^${ORIGIN}(\\s*,\\s*${ORIGIN})*$`);

/** API_KEYS must parse; and must be present in production, where no development keys exist. */
function IsApiKeys() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isApiKeys',
      target: object.constructor,
      propertyName,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            parseApiKeys(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage(args: ValidationArguments) {
          if (args.value === undefined) {
            return `${args.property} must be set when NODE_ENV=production: a JSON array of {"name","roles","sha256"} (the development keys are disabled in production)`;
          }
          let reason = 'is invalid';
          try {
            parseApiKeys(String(args.value));
          } catch (err) {
            reason = (err as Error).message;
          }
          return `${args.property} must be a JSON array of {"name": "...", "roles": ["monitor"|"stakeholder"|"auditor"|"admin"], "sha256": "<64 hex>" or "key": "<plaintext>"}: ${reason}`;
        },
      },
    });
}

export class BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'PORT must be an integer between 1 and 65535' })
  @Min(1, { message: 'PORT must be an integer between 1 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 1 and 65535' })
  PORT = 3000;

  @Matches(BROKERS, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port, e.g. 127.0.0.1:9092,kafka-2:9092',
  })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, {
    message: 'MONGO_URL must be a mongodb:// or mongodb+srv:// connection string',
  })
  MONGO_URL = 'mongodb://127.0.0.1:27017';

  @Matches(/^[A-Za-z0-9_-]{1,63}$/, { message: 'MONGO_DB must be 1-63 letters, digits, _ or -' })
  MONGO_DB = 'tracker';

  @IsIn(['development', 'test', 'production'], {
    message: 'NODE_ENV must be one of development, test, production',
  })
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  /** JSON array of keys (see parseApiKeys). Unset outside production: the development keys (DEV_KEYS) apply. */
  @ValidateIf((c: BaseServiceConfig) => c.API_KEYS !== undefined || c.NODE_ENV === 'production')
  @IsApiKeys()
  API_KEYS?: string;

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must be a size like 256kb, 1mb or 10000b' })
  BODY_LIMIT = '256kb';

  @Type(() => Number)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer between 1 and 1000000' })
  @Min(1, { message: 'RATE_LIMIT_PER_MINUTE must be an integer between 1 and 1000000' })
  @Max(1_000_000, { message: 'RATE_LIMIT_PER_MINUTE must be an integer between 1 and 1000000' })
  RATE_LIMIT_PER_MINUTE = 600;

  /** Comma-separated origins allowed by CORS; CORS is off when unset. */
  @IsOptional()
  @Matches(ORIGINS, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins like https://tracker.example.org',
  })
  CORS_ORIGINS?: string;

  /** Shifts the business clock (demo: "a year later"); 0 in real use. */
  @Type(() => Number)
  @IsInt({ message: 'CLOCK_OFFSET_MS must be an integer number of milliseconds' })
  CLOCK_OFFSET_MS = 0;

  /**
   * After SIGTERM, how long readiness answers 503 `draining` while requests are still served (so a load balancer
   * takes this instance out first), before the HTTP server closes and consumers and relay stop.
   */
  @Type(() => Number)
  @IsInt({ message: 'SHUTDOWN_GRACE_MS must be an integer between 0 and 120000' })
  @Min(0, { message: 'SHUTDOWN_GRACE_MS must be an integer between 0 and 120000' })
  @Max(120_000, { message: 'SHUTDOWN_GRACE_MS must be an integer between 0 and 120000' })
  SHUTDOWN_GRACE_MS = 5000;
}
