/**
 * Graceful shutdown for processes that are not NestJS apps (workers, tools): on SIGTERM/SIGINT close everything
 * in the given order (consumers first, then relays, then producers and connections), then exit. A second signal,
 * or the timeout, exits at once with status 1.
 */
export type Closable =
  | { stop(): Promise<unknown> | unknown }
  | { close(): Promise<unknown> | unknown }
  | { disconnect(): Promise<unknown> | unknown }
  | (() => Promise<unknown> | unknown);

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  /** Default 15 000 ms. */
  timeoutMs?: number;
  /** Default true: call process.exit when done. */
  exit?: boolean;
  onError?: (err: unknown) => void;
  /** For tests: the process to listen on. */
  process?: Pick<NodeJS.Process, 'once' | 'removeListener' | 'exit'>;
}

export async function closeAll(closables: readonly Closable[], onError?: (err: unknown) => void): Promise<boolean> {
  let ok = true;
  for (const c of closables) {
    try {
      if (typeof c === 'function') await c();
      else if ('stop' in c) await c.stop();
      else if ('close' in c) await c.close();
      else await c.disconnect();
    } catch (err) {
      ok = false;
      onError?.(err);
    }
  }
  return ok;
}

/** Installs the handlers; returns a function that removes them. */
export function installShutdownHooks(closables: readonly Closable[], options: ShutdownOptions = {}): () => void {
  const proc = options.process ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 15_000;
  const exit = options.exit ?? true;
  let shuttingDown = false;

  const handler = () => {
    if (shuttingDown) {
      if (exit) proc.exit(1);
      return;
    }
    shuttingDown = true;
    // A second signal forces the exit.
    for (const s of signals) proc.once(s, handler);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref?.();
    });
    void Promise.race([closeAll(closables, options.onError), timeout]).then((ok) => {
      clearTimeout(timer);
      if (exit) proc.exit(ok ? 0 : 1);
    });
  };
  for (const s of signals) proc.once(s, handler);
  return () => {
    for (const s of signals) proc.removeListener(s, handler);
  };
}
