import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { correlationContext, ensureCorrelationId, type RequestWithCorrelation } from './correlation';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
];

/** JSON logs with the service name, redaction, and the current correlation id outside HTTP requests. */
export function createPinoLogger(options: {
  serviceName: string;
  level: string;
  destination?: DestinationStream;
}): Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    base: { service: options.serviceName },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    mixin() {
      const correlationId = correlationContext.unboundId();
      return correlationId ? { correlationId } : {};
    },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

const QUIET = /^\/(health\/|metrics$)/;

/** pino-http: request id = correlation id on every line of the request; probes and scrapes are not logged. */
export function pinoHttpOptions(logger: Logger): PinoHttpOptions {
  return {
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) =>
      ensureCorrelationId(req as RequestWithCorrelation, res as never),
    // Lines logged during the request carry only `correlationId` (not the whole request); the completion line
    // adds req and res.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId' },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // The response's status is what matters; its headers are noise (and may echo cookies).
    serializers: { res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
    autoLogging: { ignore: (req) => QUIET.test(req.url ?? '') },
  };
}
