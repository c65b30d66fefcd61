/**
 * Draining: on SIGTERM (or SIGINT) the instance says "no more traffic" before it stops taking any. Readiness
 * answers 503 `draining` at once, every response carries `Connection: close` (a keep-alive client reconnects,
 * through the load balancer, to another instance), and requests are still served for SHUTDOWN_GRACE_MS; only then
 * does Nest close the HTTP server (waiting for requests in flight) and run the shutdown hooks that stop consumers
 * and the outbox relay. Nest calls `beforeApplicationShutdown` before it closes the server, hence the hook.
 * `app.close()` without a signal (tests, scripts) closes at once: nobody routes to those.
 */
import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { BaseServiceConfig } from '../config/base-service-config';

@Injectable()
export class Drain implements BeforeApplicationShutdown {
  private startedAt?: Date;

  constructor(private readonly config: BaseServiceConfig) {}

  /** True from the shutdown signal on. */
  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /** When draining started (ISO), if it did. */
  get since(): string | undefined {
    return this.startedAt?.toISOString();
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!signal) return;
    this.startedAt = new Date();
    const grace = this.config.SHUTDOWN_GRACE_MS;
    if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
  }
}
