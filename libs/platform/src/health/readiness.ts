/**
 * Readiness checks a service registers with PlatformModule: `/health/ready` answers 200 when every required one
 * passes (`degraded` when an optional one fails), 503 otherwise.
 * Platform does not know the service's connections; helpers below build checks from a mongoose Connection
 * and a kafkajs Admin that the service hands in.
 */
import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';

export interface ReadinessCheck {
  /** Key in the health report: `mongodb`, `kafka`, ... */
  name: string;
  /** Resolves when healthy (optionally with details to report); throws or rejects when not. */
  check: () => Promise<unknown>;
  /**
   * False for a dependency the service works without for a while (Kafka: the outbox holds new events until it is
   * back): its failure makes readiness `degraded` (200), not 503. Default true.
   */
  required?: boolean;
  /** Called on shutdown, e.g. to disconnect a client the check owns. */
  close?: () => Promise<void>;
}

/** Rejects after `ms` so that a hung dependency makes the probe fail fast instead of hanging it. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** MongoDB answers `ping` on this connection. */
export function mongoReadiness(
  connection: Connection,
  options: { name?: string; timeoutMs?: number } = {},
): ReadinessCheck {
  return {
    name: options.name ?? 'mongodb',
    check: async () => {
      const db = connection.db;
      if (connection.readyState !== 1 || !db)
        throw new Error(`not connected (readyState ${connection.readyState})`);
      await withTimeout(db.admin().ping(), options.timeoutMs ?? 2000, 'MongoDB');
    },
  };
}

/**
 * The Kafka cluster answers `describeCluster` through this admin client (connected on first use). The check
 * owns the admin: it is disconnected on shutdown, so pass a dedicated `kafka.admin()`.
 */
export function kafkaReadiness(
  admin: Admin,
  options: { name?: string; timeoutMs?: number; required?: boolean } = {},
): ReadinessCheck {
  // Under a second: an orchestrator's probe (Kubernetes: 1 s by default) gets `degraded` in time, not a timeout.
  const timeoutMs = options.timeoutMs ?? 800;
  let connecting: Promise<void> | undefined;
  return {
    name: options.name ?? 'kafka',
    ...(options.required !== undefined && { required: options.required }),
    check: async () => {
      connecting ??= admin.connect().catch((err: unknown) => {
        connecting = undefined; // retry on the next probe
        throw err;
      });
      await withTimeout(connecting, timeoutMs, 'Kafka');
      const cluster = await withTimeout(admin.describeCluster(), timeoutMs, 'Kafka');
      return { brokers: cluster.brokers.length };
    },
    close: async () => {
      if (connecting) await admin.disconnect().catch(() => undefined);
    },
  };
}
