/**
 * 1. Kafka SIGKILL and restart under write load: the broker dies once 2% of the load is answered and comes
 *    back only after the whole load is through (and at least --outage seconds), so the outboxes hold a backlog of
 *    every command sent meanwhile. Writes must go on (the outbox), readiness must stay up (a broker outage is
 *    `degraded`), and after the broker is ready every read model converges within the bound.
 * 2. The database (FerretDB) SIGKILL and restart on the same data under write load: it dies once a fifth of the
 *    load is answered and comes back after --outage seconds while the clients keep retrying. Consumers must pause,
 *    not dead-letter; once it is back and the load through, every read model converges within the bound.
 */
import { fmt, progress, sleep } from '../../bench/lib/util';
import { ok } from '../lib/client';
import type { Dependency } from '../lib/infra';
import { Load } from '../lib/load';
import type { FaultOptions } from '../lib/options';
import {
  dlqMessages,
  PROBE_TIMEOUT_MS,
  readinessText,
  sampleReadiness,
  Table,
  verifyLoad,
  type FaultContext,
} from '../lib/verify';

interface Outage {
  dependency: Dependency;
  name: string;
  tag: string;
  /** Share of the load answered before the kill. */
  killAfter: number;
  /** Kafka: down until the load is through (a backlog). The database: back after --outage seconds. */
  downUntilLoadDone: boolean;
  /** Kafka: readiness must not drop (writes go on). */
  readyThroughout: boolean;
}

export const KAFKA: Outage = {
  dependency: 'kafka',
  name: 'Kafka',
  tag: 'K',
  killAfter: 0.02,
  downUntilLoadDone: true,
  readyThroughout: true,
};
export const DATABASE: Outage = {
  dependency: 'ferretdb',
  name: 'the database',
  tag: 'D',
  killAfter: 0.2,
  downUntilLoadDone: false,
  readyThroughout: false,
};

/** Agreements and milestones of a setup: two milestones per client, over up to ten agreements. */
export function setupSize(
  options: FaultOptions,
  commands: number,
): { agreements: number; milestonesEach: number } {
  const agreements = Math.min(10, Math.max(2, Math.ceil(commands / 100)));
  return { agreements, milestonesEach: Math.max(1, Math.ceil((2 * options.concurrency) / agreements)) };
}

export async function outageScenario(ctx: FaultContext, outage: Outage, round: number): Promise<Table> {
  const { options } = ctx;
  const table = new Table();
  const load = new Load(ctx.stack, `${outage.tag}${round}`, ctx.run, ctx.policy);
  const dlqBefore = await dlqMessages(ctx);
  const size = setupSize(options, options.commands);
  progress(
    `${outage.name} (round ${round}): setup, ${size.agreements} agreements × ${size.milestonesEach} milestones`,
  );
  await load.setup(size.agreements, size.milestonesEach);
  const setupCommands = load.records.length;
  progress(`  load: ${options.commands} commands from ${options.concurrency} clients`);
  // Resolves with the time the last command was answered.
  const loading = load.run(options.commands, options.concurrency).then(() => Date.now());
  let down = false;
  let readiness: ReturnType<typeof sampleReadiness> | undefined;
  try {
    await Promise.race([load.whenDone(Math.ceil(options.commands * outage.killAfter)), loading]);
    progress(`  SIGKILL ${outage.name} after ${load.done} commands`);
    const downAt = Date.now();
    down = true;
    readiness = sampleReadiness(ctx.stack);
    await ctx.infra.kill(outage.dependency);
    if (outage.downUntilLoadDone) await loading;
    const until = downAt + options.outageSeconds * 1000;
    if (Date.now() < until) await sleep(until - Date.now());
    progress(`  restarting ${outage.name} (${load.done} commands answered)`);
    const restartMs = await ctx.infra.restart();
    down = false;
    const upAt = Date.now();
    const ready = await readiness.stop();
    readiness = undefined;
    const loadEnd = await loading;
    const during = load.records
      .slice(setupCommands)
      .filter((r) => r.finishedAt >= downAt && r.finishedAt <= upAt);
    progress(
      `  ${outage.name} back after ${fmt((upAt - downAt) / 1000, 1)} s; the load was through ${fmt(Math.abs(loadEnd - upAt) / 1000, 1)} s ${loadEnd > upAt ? 'later' : 'before'}`,
    );
    const since = Math.max(upAt, loadEnd);
    await verifyLoad(
      ctx,
      load,
      table,
      { since, sinceWhat: `${outage.name} ready${loadEnd > upAt ? ' and the load through' : ''}`, dlqBefore },
      () => {
        table.info(`${outage.name} down (SIGKILL to ready again)`, `${fmt((upAt - downAt) / 1000, 1)} s`);
        table.info(`${outage.name}: restart to ready`, `${fmt(restartMs / 1000, 1)} s`);
        table.info('accepted between the SIGKILL and ready again', during.filter((r) => ok(r.answer)).length);
        table.info(
          '  of which first answered 5xx or nothing (then retried)',
          during.filter((r) => ok(r.answer) && r.answer.attempts > 1).length,
        );
        const probes = `/health/ready while it was down (every service once a second, ${PROBE_TIMEOUT_MS / 1000} s timeout)`;
        const unready = Object.entries(ready.counts)
          .filter(([status]) => status !== '200')
          .reduce((n, [, count]) => n + count, 0);
        if (outage.readyThroughout)
          table.expect(
            probes,
            readinessText(ready),
            unready === 0,
            `readiness failed ${unready} probe(s) during the ${outage.name} outage (${readinessText(ready)}) while writes were accepted`,
          );
        else table.info(probes, readinessText(ready));
      },
    );
  } finally {
    await readiness?.stop();
    // The next scenario needs it: bring it back whatever happened.
    if (down && !ctx.stopping())
      await ctx.infra
        .restart()
        .catch((err: Error) => table.fail(`restarting ${outage.name}: ${err.message}`));
    await loading.catch(() => undefined);
  }
  return table;
}
