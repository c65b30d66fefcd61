/**
 * The fault suite's own Kafka and FerretDB: deploy/local/infra.sh with INFRA_STATE_DIR (data, pid files and logs in
 * a directory of this run) and free ports, so the developer's `npm run up` stack and the test stack (9092, 27017)
 * are never touched. `kill` is a SIGKILL through the pid file (`infra.sh kill`); `start` brings back what is down,
 * on the same data.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { INFRA, infraAddresses } from '../../bench/lib/stack';
import { freePort, progress, run } from '../../bench/lib/util';

export type Dependency = 'kafka' | 'ferretdb';

export class FaultInfra {
  /** Set by `stop`: nothing is started again after it (a scenario's clean-up racing the run's). */
  private stopped = false;

  private constructor(
    readonly stateDir: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly kafkaBrokers: string,
    readonly mongoUrl: string,
  ) {}

  /** Picks three free ports and starts both (installing them first if this machine has never run them). */
  static async start(stateDir: string): Promise<FaultInfra> {
    const [kafka, controller, mongo] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      INFRA_STATE_DIR: stateDir,
      KAFKA_PORT: String(kafka),
      KAFKA_CONTROLLER_PORT: String(controller),
      MONGO_PORT: String(mongo),
    };
    progress(
      `starting Kafka (127.0.0.1:${kafka}) and FerretDB (127.0.0.1:${mongo}) of this run in ${stateDir}`,
    );
    await infraScript(env, ['start']);
    const { kafkaBrokers, mongoUrl } = await infraAddresses(env);
    return new FaultInfra(stateDir, env, kafkaBrokers, mongoUrl);
  }

  get logDir(): string {
    return path.join(this.stateDir, 'logs');
  }

  /** SIGKILL, as a crash would end it; resolves once the process is gone. */
  async kill(what: Dependency): Promise<void> {
    await infraScript(this.env, ['kill', what]);
  }

  /** Starts whatever is down (on the same data) and resolves when both accept clients; returns the milliseconds it took. */
  async restart(): Promise<number> {
    if (this.stopped) throw new Error('the infrastructure of this run is being stopped');
    const started = Date.now();
    await infraScript(this.env, ['start']);
    return Date.now() - started;
  }

  /** Ends both (SIGKILL: their data is deleted right after, nothing to shut down cleanly for); the logs stay. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const what of ['kafka', 'ferretdb'] as const) await this.kill(what).catch(() => undefined); // one already down: nothing to end
    rmSync(path.join(this.stateDir, 'data'), { recursive: true, force: true });
  }
}

async function infraScript(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  // Its progress lines go into the error when it fails, not onto the console.
  await run('bash', [INFRA, ...args], { env, timeoutMs: 300_000 });
}
