import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import { ApiKeyStore } from '../auth/api-keys';
import { Drain } from '../health/drain';
import { expressProblemHandler } from '../errors/problem.filter';
import { refusedRequestCounter } from './rate-limit';
import { textHygiene, verifyUtf8 } from '../validation/text-hygiene';
import { correlationIdMiddleware, CORRELATION_HEADER } from '../logging/correlation';
import { httpMetricsMiddleware } from '../metrics/http-metrics';
import { MetricsService } from '../metrics/metrics.service';
import { instancesFrom, isServingProcess, superviseInstances } from './instances';
import { PLATFORM_SCHEMAS } from './openapi';
import { PLATFORM_LOGGER, PLATFORM_OPTIONS } from '../tokens';
import type { PlatformOptions } from './platform.module';

/**
 * The HTTP settings of every service, in one place, on an app whose module imports PlatformModule.forRoot:
 * query parser "simple" (no `?a[$ne]=` objects), no trust proxy, correlation ids first, request metrics, helmet,
 * CORS only for CORS_ORIGINS, JSON bodies only (415 for any other media type) up to BODY_LIMIT (413 above, problem details for parse
 * errors), pino as the Nest logger, Swagger at /docs (/docs-json) with bearer auth, shutdown hooks.
 */
export function configureApp(app: INestApplication): NestExpressApplication {
  const nest = app as NestExpressApplication;
  const options = nest.get<PlatformOptions>(PLATFORM_OPTIONS);
  const logger = nest.get<Logger>(PLATFORM_LOGGER);
  const { config } = options;

  nest.set('query parser', 'simple');
  // Behind a proxy, set it deliberately (e.g. `app.set('trust proxy', 1)`), else X-Forwarded-For is spoofable.
  nest.set('trust proxy', false);
  nest.disable('x-powered-by');

  nest.use(correlationIdMiddleware);
  // Draining (SIGTERM): answer, but close each connection after its response, so clients reconnect elsewhere.
  const drain = nest.get(Drain);
  nest.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (drain.draining) res.setHeader('Connection', 'close');
    next();
  });
  nest.use(httpMetricsMiddleware(nest.get(MetricsService)));
  // No upgrade-insecure-requests: it breaks /docs on plain-http dev and cluster-internal addresses; TLS is the
  // ingress's job.
  nest.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  if (config.CORS_ORIGINS) {
    nest.enableCors({
      origin: config.CORS_ORIGINS.split(',').map((o) => o.trim()),
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', CORRELATION_HEADER],
      exposedHeaders: ['ETag', 'Location', 'Retry-After', CORRELATION_HEADER],
      maxAge: 600,
    });
  }
  nest.use(jsonBodiesOnly);
  nest.useBodyParser('json', { limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'], verify: verifyUtf8 as never });
  // Text is stored, hashed and shown to others: NFC, and no unpaired surrogate, control or bidi override character.
  nest.use(textHygiene);
  nest.use(
    expressProblemHandler(
      logger,
      options.serviceName,
      refusedRequestCounter(nest.get<ThrottlerStorage>(getStorageToken()), nest.get(ApiKeyStore), config.RATE_LIMIT_PER_MINUTE),
    ),
  );

  nest.useLogger(nest.get(NestPinoLogger));
  nest.flushLogs();

  const document = SwaggerModule.createDocument(
    nest,
    new DocumentBuilder()
      .setTitle(options.title ?? options.serviceName)
      .setDescription(
        options.description ??
          `${options.serviceName} API. Errors are RFC 9457 problem details (application/problem+json) with a correlationId.`,
      )
      .setVersion(options.version ?? '0.0.0')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'API key',
          description: 'API key: Authorization: Bearer <key>',
        },
        'bearer',
      )
      .addSecurityRequirements('bearer')
      .build(),
    { extraModels: PLATFORM_SCHEMAS },
  );
  SwaggerModule.setup('docs', nest, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });

  nest.enableShutdownHooks();
  return nest;
}

/** NestFactory.create with the platform's settings, then {@link configureApp}. */
export async function createHttpApp(module: unknown): Promise<NestExpressApplication> {
  // bodyParser off: configureApp installs parsers with the configured limit and problem-details errors.
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    bufferLogs: true,
    bodyParser: false,
  });
  return configureApp(app);
}

/**
 * createHttpApp + listen on config.PORT; startup failures are logged and end the process with status 1.
 * With INSTANCES=n (n > 1) this process supervises n instances sharing the port instead (./instances.ts) and
 * resolves to undefined.
 */
export async function bootstrapService(module: unknown): Promise<NestExpressApplication | undefined> {
  const instances = instancesFrom(process.env);
  if (typeof instances === 'string') {
    process.stderr.write(`startup failed: ${instances}\n`);
    process.exit(1);
  }
  if (!isServingProcess(instances)) {
    superviseInstances(instances, (msg) => process.stderr.write(`[instances] ${msg}\n`));
    return undefined;
  }
  try {
    const app = await createHttpApp(module);
    const { config, serviceName } = app.get<PlatformOptions>(PLATFORM_OPTIONS);
    await app.listen(config.PORT);
    app
      .get<Logger>(PLATFORM_LOGGER)
      .info({ port: config.PORT, instance: process.env.INSTANCE }, `${serviceName} listening on :${config.PORT}${process.env.INSTANCE ? ` (instance ${process.env.INSTANCE}, pid ${process.pid})` : ''}`);
    return app;
  } catch (err) {
    process.stderr.write(
      `startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  }
}

/**
 * Every body these APIs take is JSON: a body of another media type (text/plain, a form, none named) is refused
 * with 415 before it is parsed, rather than read as an empty object and answered "every field invalid".
 */
function jsonBodiesOnly(req: IncomingMessage, _res: unknown, next: (err?: unknown) => void): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!hasBody || type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type)) return next();
  next(
    Object.assign(new Error(`This API takes JSON bodies (${type ? `not ${type}` : 'no Content-Type was sent'}): send Content-Type: application/json.`), {
      status: 415,
      type: 'media-type.unsupported',
      expose: true,
    }),
  );
}
