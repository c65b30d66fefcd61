import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/**
 * Times every request and labels it with the matched route PATTERN (`/agreements/:id`), never the raw URL,
 * so ids do not explode the label cardinality. Requests that match no route are `unmatched`.
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      // Nest's catch-all middleware routes (`/{*path}`) also set req.route: those requests matched no handler.
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof pattern === 'string' && !pattern.includes('*')
          ? `${req.baseUrl ?? ''}${pattern}`
          : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
