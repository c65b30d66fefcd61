/**
 * 3. SIGKILL of each service under write load, with keyed retries: for the agreements, the milestones and the
 *    alerts service in turn, a load weighted towards what that service does (registrations; plans and progress;
 *    slips, which make the alerts service raise alerts) runs, the service is killed once a third of it is answered
 *    (requests in flight lose their connection) and started again on the same port and database. Every client
 *    retries its request with the same Idempotency-Key (a creation) or the same If-Match (a change) until it gets
 *    an answer: each key must give exactly one resource and one event, no change may apply twice, nothing accepted
 *    may be lost, and the read models converge within the bound once the service is ready and the load through.
 */
import type { ServiceName } from '../../bench/lib/stack';
import { fmt, progress, sleep } from '../../bench/lib/util';
import { Load, type Mix } from '../lib/load';
import { dlqMessages, Table, verifyLoad, type FaultContext } from '../lib/verify';
import { setupSize } from './outages';

export const KILLED: readonly ServiceName[] = ['agreements', 'milestones', 'alerts'];

const MIX: Record<ServiceName, Mix> = {
  agreements: { register: 5, plan: 1, progress: 3, reschedule: 1 },
  milestones: { register: 0, plan: 4, progress: 5, reschedule: 1 },
  alerts: { register: 0, plan: 1, progress: 4, reschedule: 5 },
};

export async function serviceKillScenario(
  ctx: FaultContext,
  name: ServiceName,
  round: number,
): Promise<Table> {
  const { options } = ctx;
  const service = ctx.stack[name];
  const table = new Table();
  const load = new Load(ctx.stack, `${name.slice(0, 3).toUpperCase()}${round}`, ctx.run, ctx.policy);
  const dlqBefore = await dlqMessages(ctx);
  const size = setupSize(options, options.serviceCommands);
  progress(
    `SIGKILL ${name} (round ${round}): setup, ${size.agreements} agreements × ${size.milestonesEach} milestones`,
  );
  await load.setup(size.agreements, size.milestonesEach);
  progress(`  load: ${options.serviceCommands} commands from ${options.concurrency} clients`);
  // Resolves with the time the last command was answered.
  const loading = load.run(options.serviceCommands, options.concurrency, MIX[name]).then(() => Date.now());
  let killed = false;
  try {
    await Promise.race([load.whenDone(Math.ceil(options.serviceCommands / 3)), loading]);
    // Somewhere inside a request rather than between two.
    await sleep(Math.random() * 200);
    const pid = service.pid;
    progress(`  SIGKILL ${name} (pid ${pid}) after ${load.done} commands`);
    await service.kill();
    killed = true;
    const killedAt = Date.now();
    await service.restart();
    killed = false;
    const readyAt = Date.now();
    const loadEnd = await loading;
    const since = Math.max(readyAt, loadEnd);
    const start = service.lastStart;
    await verifyLoad(
      ctx,
      load,
      table,
      { since, sinceWhat: `${name} ready${loadEnd > readyAt ? ' and the load through' : ''}`, dlqBefore },
      () => {
        table.info(`${name}: SIGKILL to ready again`, `${fmt((readyAt - killedAt) / 1000, 1)} s`);
        if (start)
          table.info(
            `${name}: start to ready (spawn to /health/ready 200)`,
            `${fmt((start.readyAt - start.spawnedAt) / 1000, 1)} s`,
          );
      },
    );
  } finally {
    if (killed && !ctx.stopping())
      await service.restart().catch((err: Error) => table.fail(`restarting ${name}: ${err.message}`));
    await loading.catch(() => undefined);
  }
  return table;
}
