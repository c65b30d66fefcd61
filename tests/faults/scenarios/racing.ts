/**
 * 5. Racing writers on one version: --writers clients send a progress report for the same milestone with the same
 *    If-Match at the same moment, --races times. Exactly one wins each race (200), every other one gets 409, and
 *    the store holds exactly the winner's event: the version moved by one, no lost update, no second event.
 */
import { MONITOR } from '../../bench/lib/stack';
import { fmt, progress } from '../../bench/lib/util';
import { Load } from '../lib/load';
import { dlqMessages, Table, verifyLoad, type FaultContext } from '../lib/verify';

interface Race {
  winners: number;
  conflicts: number;
  other: string[];
  stored: number;
  versionAfter: number;
  versionBefore: number;
}

export async function racingScenario(ctx: FaultContext, round: number): Promise<Table> {
  const { options } = ctx;
  const table = new Table();
  const load = new Load(ctx.stack, `R${round}`, ctx.run, ctx.policy);
  const dlqBefore = await dlqMessages(ctx);
  progress(`${options.writers} racing writers (round ${round}): ${options.races} race(s)`);
  await load.setup(1, 1);
  const milestone = load.milestones[0];
  const events = ctx.dbs.milestones.collection<{ type: string; data: { note?: string } }>('events');
  const races: Race[] = [];
  for (let i = 1; i <= options.races; i++) {
    await load.refresh(milestone);
    const before = milestone.version;
    const notes = Array.from({ length: options.writers }, (_, w) => `fault suite race ${load.tag}-${i}-${w}`);
    // Every request built first, then all sent at once.
    const requests = notes.map((note) => ({
      method: 'POST',
      headers: { ...MONITOR, 'if-match': `"${before}"` },
      body: JSON.stringify({ percent: 50, note }),
    }));
    const statuses = await Promise.all(
      requests.map((init) =>
        fetch(`${ctx.stack.milestones.url}/milestones/${milestone.id}/progress`, init).then(
          async (res) => (await res.text(), String(res.status)),
          (err: Error) => `no answer (${err.message})`,
        ),
      ),
    );
    await load.refresh(milestone);
    const stored = await events.countDocuments({
      type: 'milestone.progress-reported',
      'data.note': { $in: notes },
    });
    const race: Race = {
      winners: statuses.filter((s) => s === '200').length,
      conflicts: statuses.filter((s) => s === '409').length,
      other: statuses.filter((s) => s !== '200' && s !== '409'),
      stored,
      versionBefore: before,
      versionAfter: milestone.version,
    };
    races.push(race);
    progress(
      `  race ${i}: ${race.winners} × 200, ${race.conflicts} × 409${race.other.length ? `, ${race.other.join(', ')}` : ''}; ${stored} event(s) stored`,
    );
  }

  await verifyLoad(ctx, load, table, { since: Date.now(), sinceWhat: 'the last race', dlqBefore }, () => {
    const sum = (f: (r: Race) => number) => races.reduce((n, r) => n + f(r), 0);
    const clean = races.filter(
      (r) =>
        r.winners === 1 &&
        r.conflicts === options.writers - 1 &&
        r.stored === 1 &&
        r.versionAfter === r.versionBefore + 1,
    ).length;
    table.info('races (writers each)', `${races.length} (${options.writers})`);
    table.expect(
      'races with exactly one winner, the rest 409, one event stored',
      `${clean} / ${races.length}`,
      clean === races.length,
      `races not clean: ${races
        .filter(
          (r) =>
            r.winners !== 1 || r.stored !== 1 || r.other.length > 0 || r.conflicts !== options.writers - 1,
        )
        .map(
          (r) =>
            `${r.winners} × 200, ${r.conflicts} × 409, ${r.other.length} other (${r.other.slice(0, 2).join(', ')}), ${r.stored} stored`,
        )
        .join('; ')}`,
    );
    table.info(
      'winners (200)',
      sum((r) => r.winners),
    );
    table.info(
      'conflicts (409)',
      sum((r) => r.conflicts),
    );
    table.expect(
      'other answers',
      sum((r) => r.other.length),
      sum((r) => r.other.length) === 0,
      `answers other than 200 and 409: ${races
        .flatMap((r) => r.other)
        .slice(0, 3)
        .join(', ')}`,
    );
    table.info(
      'race events stored',
      sum((r) => r.stored),
    );
    table.info('version moves per race', fmt(sum((r) => r.versionAfter - r.versionBefore) / races.length, 2));
  });
  return table;
}
