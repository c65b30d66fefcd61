/**
 * Several instances of a service behind one port, with Node's own `cluster` module (INSTANCES=n, default 1):
 * the process started becomes a small supervisor that forks n workers; each worker is a whole service instance
 * (its own HTTP server, consumers, outbox relay and leases) and the supervisor shares the one listening port
 * between them (round robin). No proxy to install or configure; see docs/adr/0013-instances.md.
 *
 * The supervisor: SIGTERM/SIGINT → SIGTERM to every worker (each drains, see ../health/drain.ts), exits when all
 * have; a worker that dies on its own (a crash, SIGKILL) is replaced after a back-off (1 s, doubling while it
 * keeps dying); SIGHUP → a rolling restart, one worker at a time: the new one listens before the old one is told
 * to drain, so the port always has a worker that answers.
 */
import cluster, { type Worker } from 'node:cluster';

const MAX_INSTANCES = 16;

/** INSTANCES from the environment: 1 when unset; an error message for anything but an integer 1..16. */
export function instancesFrom(env: NodeJS.ProcessEnv): number | string {
  const raw = env.INSTANCES;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCES)
    return `INSTANCES must be an integer between 1 and ${MAX_INSTANCES} (got "${raw}")`;
  return n;
}

/** True in a process that should serve (no cluster, or a cluster worker); false in the supervisor. */
export function isServingProcess(instances: number): boolean {
  return instances === 1 || !cluster.isPrimary;
}

/** Runs the supervisor of `count` workers (they re-run this program with INSTANCE=1..count set). */
export function superviseInstances(count: number, log: (msg: string) => void): void {
  let stopping = false;
  const slots = new Map<number, Worker>();
  /** Slot → when its workers died on their own lately. */
  const deaths = new Map<number, number[]>();

  const fork = (slot: number): Worker => {
    const worker = cluster.fork({ INSTANCE: String(slot) });
    slots.set(slot, worker);
    worker.once('listening', () => log(`instance ${slot} (pid ${worker.process.pid}) listening`));
    worker.on('exit', (code, signal) => {
      if (slots.get(slot) !== worker) return; // replaced by a rolling restart
      slots.delete(slot);
      if (stopping) {
        if (slots.size === 0) process.exit(0);
        return;
      }
      // Back off when a slot keeps dying (1 s, 2 s, 4 s ... up to 30 s for the deaths of the last minute), so a
      // crash at startup does not fork hot in a loop; the other instances carry the load meanwhile.
      const now = Date.now();
      const recent = [...(deaths.get(slot) ?? []).filter((t) => now - t < 60_000), now];
      deaths.set(slot, recent);
      const delay = Math.min(30_000, 1000 * 2 ** (recent.length - 1));
      log(
        `instance ${slot} (pid ${worker.process.pid}) ended (${signal ?? `exit ${code}`}); a new one in ${delay / 1000} s`,
      );
      setTimeout(() => {
        if (!stopping && !slots.has(slot)) fork(slot);
      }, delay);
    });
    return worker;
  };

  const listening = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      worker.once('listening', () => resolve());
      worker.once('exit', () => reject(new Error(`pid ${worker.process.pid} ended before it listened`)));
    });

  let rolling = false;
  const rollingRestart = async () => {
    if (rolling || stopping) return;
    rolling = true;
    try {
      for (const [slot, old] of [...slots]) {
        if (stopping) break;
        const next = fork(slot); // takes the slot: the old one's exit no longer forks
        await listening(next);
        log(`instance ${slot}: pid ${next.process.pid} listens; draining pid ${old.process.pid}`);
        const gone = new Promise((resolve) => old.once('exit', resolve));
        old.process.kill('SIGTERM');
        await gone;
      }
      log('rolling restart done');
    } catch (err) {
      log(`rolling restart stopped: ${(err as Error).message}`);
    } finally {
      rolling = false;
    }
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping ${slots.size} instance(s)`);
      if (slots.size === 0) process.exit(0);
      for (const w of slots.values()) w.process.kill('SIGTERM');
    });
  }
  process.on('SIGHUP', () => void rollingRestart());

  for (let slot = 1; slot <= count; slot++) fork(slot);
  log(`supervising ${count} instances (pid ${process.pid}); SIGHUP restarts them one at a time`);
}
