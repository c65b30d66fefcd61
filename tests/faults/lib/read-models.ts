/**
 * Whether each read model reflects what the stores hold for the scenario's agreements: through the APIs where they
 * answer it (the agreements service's version and milestone counts per agreement, the milestones list), and
 * otherwise read from the service's database (the collection of its live generation, `read_model_generations`).
 * Each check gives how many of the expected entries are right, and the first few that are not.
 */
import type { mongo } from 'mongoose';
import {
  calendarDateOf,
  countMilestones,
  type MilestoneCounts,
  type MilestoneSummary,
} from '@tracker/contracts';
import { MONITOR } from '../../bench/lib/stack';
import { pool } from '../../bench/lib/util';
import { allPages, ok, send, type RetryPolicy } from './client';
import type { Stack } from './load';
import { SOURCES, type Databases, type Snapshot } from './stores';

export interface Reflection {
  name: string;
  expected: number;
  reflected: number;
  problems: string[];
}

const READ: RetryPolicy = { retryMs: 5_000, attemptTimeoutMs: 5_000 };
const SHOWN = 3;

function check(name: string, expected: number): Reflection & { fail(problem: string): void; pass(): void } {
  const r = {
    name,
    expected,
    reflected: 0,
    problems: [] as string[],
    fail(problem: string) {
      if (r.problems.length < SHOWN) r.problems.push(problem);
      else if (r.problems.length === SHOWN) r.problems.push('…');
    },
    pass() {
      r.reflected++;
    },
  };
  return r;
}

/** A read model's collection as the service reads it now. */
async function live<T extends mongo.Document>(db: mongo.Db, name: string): Promise<mongo.Collection<T>> {
  const pointer = await db
    .collection<{ _id: string; collection: string }>('read_model_generations')
    .findOne({ _id: name });
  return db.collection<T>(pointer?.collection ?? name);
}

async function byId<T extends { _id: string }>(
  db: mongo.Db,
  name: string,
  ids: string[],
): Promise<Map<string, T>> {
  const docs = await (await live<T>(db, name)).find({ _id: { $in: ids } } as mongo.Filter<T>).toArray();
  return new Map(docs.map((d) => [d._id, d as T]));
}

/** Version-guarded entries (`{_id, version}`) of `name` against the stream heads in `heads`. */
async function versions(
  db: mongo.Db,
  name: string,
  title: string,
  heads: Map<string, number>,
): Promise<Reflection> {
  const r = check(title, heads.size);
  const docs = await byId<{ _id: string; version: number }>(db, name, [...heads.keys()]);
  for (const [id, head] of heads) {
    const v = docs.get(id)?.version;
    if (v === head) r.pass();
    else r.fail(`${id}: ${v === undefined ? 'missing' : `version ${v}`}, store ${head}`);
  }
  return r;
}

const sameCounts = (a: MilestoneCounts, b: MilestoneCounts) => JSON.stringify(a) === JSON.stringify(b);

export async function reflections(stack: Stack, dbs: Databases, s: Snapshot): Promise<Reflection[]> {
  const today = calendarDateOf(new Date());
  const agreementIds = [...s.agreements.keys()];
  const summariesOf = new Map<string, MilestoneSummary[]>(agreementIds.map((id) => [id, []]));
  for (const m of s.milestones.values()) if (m.summary) summariesOf.get(m.agreementId)?.push(m.summary);
  const milestoneHeads = new Map([...s.milestones].map(([id, m]) => [id, m.head]));
  const alertHeads = new Map([...s.alerts].map(([id, a]) => [id, a.head]));

  // The agreements service: each agreement's version and its milestone counts (from milestones.events).
  const counts = check('agreements: version and milestone counts per agreement (API)', agreementIds.length);
  await pool(agreementIds, 4, async (id) => {
    const answer = await send(
      `${stack.agreements.url}/agreements/${id}`,
      { method: 'GET', headers: MONITOR },
      READ,
    );
    const view = answer.body as { version: number; milestones: MilestoneCounts } | undefined;
    const expected = countMilestones(summariesOf.get(id) ?? [], today);
    if (!ok(answer) || !view) counts.fail(`${id}: answered ${answer.status}`);
    else if (view.version !== s.agreements.get(id))
      counts.fail(`${id}: version ${view.version}, store ${s.agreements.get(id)}`);
    else if (!sameCounts(view.milestones, expected))
      counts.fail(`${id}: ${JSON.stringify(view.milestones)}, store ${JSON.stringify(expected)}`);
    else counts.pass();
  });

  // The milestones service: the list of each agreement's milestones, each at its head version.
  // Each agreement the load planned milestones for (a listing reads the whole collection on FerretDB: the
  // agreements registered during the load have none, and their counts above say so).
  const list = check('milestones: list per agreement, at the stored version (API)', s.milestones.size);
  const planned = [...new Set([...s.milestones.values()].map((m) => m.agreementId))];
  await pool(planned, 4, async (agreementId) => {
    let seen: Map<string, number>;
    try {
      const items = await allPages<{ id: string; version: number }>(
        `${stack.milestones.url}/milestones?agreementId=${agreementId}`,
        MONITOR,
        READ,
      );
      seen = new Map(items.map((m) => [m.id, m.version]));
    } catch (err) {
      list.fail(`${agreementId}: ${(err as Error).message}`);
      return;
    }
    for (const [id, m] of s.milestones) {
      if (m.agreementId !== agreementId) continue;
      const v = seen.get(id);
      if (v === m.head) list.pass();
      else list.fail(`${id}: ${v === undefined ? 'not listed' : `version ${v}`}, store ${m.head}`);
    }
    for (const id of seen.keys()) if (!s.milestones.has(id)) list.fail(`${id}: listed, not in the store`);
  });

  // The agreement journal: one entry per event of the three stores.
  const journal = check(
    'agreements: journal, one entry per event of the three stores',
    SOURCES.reduce((n, x) => n + s.events[x].length, 0),
  );
  const entries = await (
    await live<{ _id: string }>(dbs.agreements, 'agreement_journal')
  )
    .find({ agreementId: { $in: agreementIds } }, { projection: { _id: 1 } })
    .toArray();
  const recorded = new Set(entries.map((e) => e._id));
  for (const source of SOURCES) {
    for (const e of s.events[source]) {
      if (recorded.has(`${source}:${e.eventId}`)) journal.pass();
      else journal.fail(`${source}:${e.eventId} (${e.type}) not in the journal`);
    }
  }

  // One slip alert per reschedule to a later date, caused by it.
  const reschedules = s.events.milestones.filter(
    (e) => e.type === 'milestone.rescheduled' && Number(e.data.slipDays) > 0,
  );
  const slips = check('alerts: one milestone.slipped alert per slip', reschedules.length);
  for (const e of reschedules) {
    const n = [...s.alerts.values()].filter(
      (a) => a.kind === 'milestone.slipped' && a.causationId === e.eventId,
    ).length;
    if (n === 1) slips.pass();
    else slips.fail(`${e.eventId}: ${n} slip alerts`);
  }

  const rest = await Promise.all([
    versions(dbs.milestones, 'agreement_directory', 'milestones: agreement directory', s.agreements),
    versions(dbs.alerts, 'agreement_info', 'alerts: agreement info', s.agreements),
    versions(dbs.alerts, 'milestone_deadlines', 'alerts: milestone deadlines', milestoneHeads),
    versions(dbs.alerts, 'alerts', 'alerts: alert views', alertHeads),
  ]);
  return [counts, list, ...rest.slice(0, 1), journal, ...rest.slice(1), slips].map(
    ({ name, expected, reflected, problems }) => ({
      name,
      expected,
      reflected,
      problems,
    }),
  );
}

/** Problems of the first read models that do not reflect the store, for a failure message. */
export function firstProblems(list: readonly Reflection[]): string {
  return list
    .filter((r) => r.problems.length)
    .map((r) => `${r.name}: ${r.reflected}/${r.expected} (${r.problems.join('; ')})`)
    .join(' | ');
}
