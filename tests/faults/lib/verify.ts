/**
 * The end of every scenario: waits until each read model reflects the stores (the time to converge, from the moment
 * the fault was over: the dependency back and the load through), until the outboxes are published, then reads the
 * topics to their end and the dead-letter topics, and fills the scenario's table. Every count that must hold is a
 * check: a failing one names what broke.
 */
import type { Admin, Kafka } from 'kafkajs';
import { dlqTopicOf, Topics } from '@tracker/contracts';
import { readTopicsToEnd, topicOffsets, topicSize } from '@tracker/messaging';
import { backlogOf, settled, type Service } from '../../bench/lib/stack';
import { fmt, progress, sleep } from '../../bench/lib/util';
import { ok, type RetryPolicy } from './client';
import type { FaultInfra } from './infra';
import type { Load, Stack } from './load';
import type { FaultOptions } from './options';
import { firstProblems, reflections, type Reflection } from './read-models';
import { countCommands, eventCount, readStores, SOURCES, type Databases, type Snapshot } from './stores';

export interface FaultContext {
  options: FaultOptions;
  infra: FaultInfra;
  stack: Stack;
  dbs: Databases;
  kafka: Kafka;
  /** The run's tag: in every reference and Idempotency-Key. */
  run: string;
  topicPrefix: string;
  policy: RetryPolicy;
  /** True once the run is stopping (a signal): a scenario starts nothing again. */
  stopping(): boolean;
}

export interface Row {
  count: string;
  value: string;
  /** '' for a figure that is only reported. */
  check: '' | 'ok' | 'FAIL';
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  rows: Row[];
  failures: string[];
  seconds: number;
}

export class Table {
  readonly rows: Row[] = [];
  readonly failures: string[] = [];

  info(count: string, value: string | number): void {
    this.rows.push({ count, value: typeof value === 'number' ? fmt(value, 0) : value, check: '' });
  }

  /** A figure that must hold; `failure` says what is wrong when it does not. */
  expect(count: string, value: string | number, holds: boolean, failure: string): void {
    this.rows.push({
      count,
      value: typeof value === 'number' ? fmt(value, 0) : value,
      check: holds ? 'ok' : 'FAIL',
    });
    if (!holds) this.failures.push(failure);
  }

  fail(failure: string): void {
    this.failures.push(failure);
  }
}

export const services = (stack: Stack): Service[] => [stack.agreements, stack.milestones, stack.alerts];

/** Messages in the dead-letter topics of the three topics (0 for one that does not exist yet). */
export async function dlqMessages(ctx: FaultContext): Promise<number> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    let n = 0;
    for (const t of Object.values(Topics)) {
      const dlq = ctx.topicPrefix + dlqTopicOf(t);
      if (existing.has(dlq)) n += await topicSize(admin, dlq);
    }
    return n;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The sum of a counter or gauge over its labels in each service's /metrics (0 when absent or unreachable). */
export async function metricSum(stack: Stack, name: string): Promise<number> {
  const texts = await Promise.all(
    services(stack).map((s) =>
      fetch(`${s.url}/metrics`).then(
        (r) => r.text(),
        () => '',
      ),
    ),
  );
  const line = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return texts.reduce((sum, text) => sum + [...text.matchAll(line)].reduce((n, m) => n + Number(m[1]), 0), 0);
}

export const PROBE_TIMEOUT_MS = 5000;

export interface Probes {
  /** How often each status was answered ('no answer' past PROBE_TIMEOUT_MS). */
  counts: Record<string, number>;
  slowestMs: number;
}

/** Polls every service's /health/ready once a second until stopped. */
export function sampleReadiness(stack: Stack): { stop(): Promise<Probes> } {
  const probes: Probes = { counts: {}, slowestMs: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        services(stack).map(async (s) => {
          const sent = Date.now();
          const status = await fetch(`${s.url}/health/ready`, {
            signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
          }).then(
            async (r) => (await r.text(), String(r.status)),
            () => 'no answer',
          );
          probes.slowestMs = Math.max(probes.slowestMs, Date.now() - sent);
          probes.counts[status] = (probes.counts[status] ?? 0) + 1;
        }),
      );
      await sleep(1000);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return probes;
    },
  };
}

export const readinessText = (p: Probes) =>
  `${
    Object.entries(p.counts)
      .map(([status, n]) => `${status} × ${n}`)
      .join(', ') || 'none'
  }; slowest ${fmt(p.slowestMs / 1000, 1)} s`;

interface Convergence {
  /** Seconds from `since` until every read model reflected the stores; null when not within the wait. */
  seconds: number | null;
  snapshot: Snapshot;
  reflected: Reflection[];
}

/**
 * True when everything published has been consumed and nothing waits to be published: every consumer group of the
 * run has committed up to the end of each topic it reads (a topic it has committed on at all), and no service's
 * outbox holds an unpublished event (its /metrics; false when a service does not answer). Asks Kafka and the
 * services only, never the database.
 */
async function quiescent(ctx: FaultContext, admin: Admin): Promise<boolean> {
  try {
    const outboxes = await Promise.all(services(ctx.stack).map((s) => backlogOf(s)));
    if (outboxes.some((b) => b.outbox > 0)) return false;
    const topics = Object.values(Topics).map((t) => ctx.topicPrefix + t);
    const ends = new Map<string, bigint>();
    for (const topic of topics)
      for (const p of await topicOffsets(admin, topic, 0))
        ends.set(`${topic}:${p.partition}`, BigInt(p.high));
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(ctx.topicPrefix) && !g.includes('topic-reader'));
    for (const groupId of groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        if (partitions.every((p) => Number(p.offset) < 0)) continue; // a topic the group does not read
        for (const p of partitions)
          if (BigInt(Math.max(0, Number(p.offset))) < (ends.get(`${topic}:${p.partition}`) ?? 0n))
            return false;
      }
    }
    return true;
  } catch {
    return false; // the broker or a service is not there (yet)
  }
}

/**
 * Waits until stores and read models agree, or `waitMs` after `since` has passed. Comparing reads every store and
 * read model of the scenario, which on FerretDB competes with the consumers it waits for; so it runs as soon as the
 * pipeline is quiescent (see above; polled every 250 ms) and otherwise after four times as long as the last
 * comparison took (at least 10 s). The time to converge is when the pipeline was first seen quiescent, if the comparison that
 * followed it passed; else the end of the passing comparison.
 */
export async function converge(
  ctx: FaultContext,
  prefix: string,
  since: number,
  waitMs: number,
): Promise<Convergence> {
  const admin = ctx.kafka.admin();
  await admin.connect().catch(() => undefined); // the broker may still be on its way: quiescent() answers false
  let last: Omit<Convergence, 'seconds'> | undefined;
  let lastCompared = 0;
  let lastTook = 0;
  let lastReport = Date.now();
  let quietSince: number | undefined;
  try {
    for (;;) {
      const timeUp = Date.now() - since > waitMs;
      if (await quiescent(ctx, admin)) quietSince ??= Date.now();
      else quietSince = undefined;
      const sinceCompared = Date.now() - lastCompared;
      // While work is left (not quiescent) a comparison only reports progress: rarely, so as not to slow the
      // consumers it measures (one took 2 to 13 s under a backlog, a third of the time at the old pace).
      const due =
        sinceCompared > Math.max(10_000, 4 * lastTook) || (quietSince !== undefined && sinceCompared > 1000);
      if (!last || timeUp || due) {
        const quietAt = quietSince;
        lastCompared = Date.now();
        const snapshot = await readStores(ctx.dbs, prefix);
        const reflected = await reflections(ctx.stack, ctx.dbs, snapshot);
        lastTook = Date.now() - lastCompared;
        last = { snapshot, reflected };
        if (reflected.every((r) => r.problems.length === 0))
          return { seconds: (Math.max(since, quietAt ?? Date.now()) - since) / 1000, ...last };
        if (timeUp) return { seconds: null, ...last };
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          progress(
            `  converging (${Math.round((Date.now() - since) / 1000)} s, one comparison ${fmt(lastTook / 1000, 1)} s): ${firstProblems(reflected).slice(0, 300)}`,
          );
        }
      }
      await sleep(250);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Checks a scenario's load after its fault: convergence within the bound from `since`, every command stored once,
 * keyed creations one resource each, every stored event on its topic, no dead letter since `dlqBefore`.
 * `extraRows` are written before the read models (the scenario's own figures).
 */
export async function verifyLoad(
  ctx: FaultContext,
  load: Load,
  table: Table,
  { since, sinceWhat, dlqBefore }: { since: number; sinceWhat: string; dlqBefore: number },
  extraRows: (snapshot: Snapshot) => void = () => undefined,
): Promise<void> {
  const bound = ctx.options.boundSeconds;
  // The long run waits past the bound, to tell slow from never.
  const wait = (bound + (ctx.options.short ? 0 : 120)) * 1000;
  const result = await converge(ctx, load.referencePrefix, since, wait);
  // Timers append too (the deadline scan, a reactor's late step): the checks below use the stores once everything
  // is quiet, the read models compared once more against them, then the topics once that snapshot is published.
  const settle = () =>
    settled(services(ctx.stack), 60_000, { indent: '  ', intervalMs: 250 }).catch((err: Error) =>
      table.fail(`outboxes or consumers not settled: ${err.message}`),
    );
  await settle();
  const { snapshot, reflected } =
    result.seconds === null ? result : await converge(ctx, load.referencePrefix, Date.now(), 15_000);
  const c = countCommands(load.records, snapshot);
  await settle();

  // Published: every event of the snapshot on its topic; on the topics, nothing the stores do not hold (read after).
  const messages = await readTopicsToEnd(
    ctx.kafka,
    Object.values(Topics).map((t) => ctx.topicPrefix + t),
    { groupPrefix: ctx.topicPrefix, timeoutMs: 60_000 },
  );
  const agreements = new Set(snapshot.agreements.keys());
  const onTopics = messages.filter((m) => agreements.has(m.message.key?.toString() ?? ''));
  const envelopes = onTopics.map(
    (m) =>
      JSON.parse(m.message.value?.toString() ?? '{}') as {
        eventId: string;
        type: string;
        streamId: string;
        streamVersion: number;
      },
  );
  const published = envelopes.map((e) => e.eventId);
  const unique = new Set(published);
  const eventIds = (x: Snapshot) =>
    new Set(SOURCES.flatMap((source) => x.events[source].map((e) => e.eventId)));
  const stored = eventIds(snapshot);
  const storedAfter = eventIds(await readStores(ctx.dbs, load.referencePrefix));
  const unpublished = [...stored].filter((id) => !unique.has(id));
  const phantoms = envelopes
    .filter((e, i) => !storedAfter.has(e.eventId) && published.indexOf(e.eventId) === i)
    .map((e) => `${e.type} ${e.streamId}@${e.streamVersion} (${e.eventId})`);
  const dlq = (await dlqMessages(ctx)) - dlqBefore;

  table.info('commands sent (setup and load)', c.sent);
  table.info('accepted (2xx answers)', c.accepted);
  table.info('  of which replayed (Idempotent-Replayed)', c.replayed);
  table.info('  of which 202 "stored" (the view not read back)', c.storedNotShown);
  table.info('retried (no answer, 5xx, 429 or "in progress" first)', c.retried);
  table.info('409 after an attempt without answer (its change had landed)', c.conflictAfterUnanswered);
  table.expect(
    'no answer within the retry time',
    c.gaveUp,
    c.gaveUp === 0,
    `${c.gaveUp} command(s) got no answer within ${ctx.options.retrySeconds} s of retries`,
  );
  table.expect(
    'refused (4xx, or 5xx to the last attempt)',
    c.refused,
    c.refused === 0,
    `${c.refused} command(s) refused: ${refusals(load)}`,
  );
  table.info('stored: commands with their event', c.stored);
  table.info('stored: events for these agreements (with derived ones)', eventCount(snapshot));
  table.info('stored without a 2xx answer', c.storedWithoutSuccess);
  table.info('published (messages on the topics)', published.length);
  table.info('unique on the topics (by eventId)', unique.size);
  table.info('redelivered on the topics (same eventId again)', published.length - unique.size);
  table.expect(
    'stored but not on its topic',
    unpublished.length,
    unpublished.length === 0,
    `${unpublished.length} stored event(s) not on the topics, e.g. ${unpublished.slice(0, 3).join(', ')}`,
  );
  table.expect(
    'on a topic but not stored',
    phantoms.length,
    phantoms.length === 0,
    `${phantoms.length} event(s) on the topics are not in the stores: ${phantoms.slice(0, 3).join(', ')}`,
  );
  if (c.keys > 0)
    table.expect(
      'keyed creations: one resource and one event per key',
      `${c.keysExactlyOnce} / ${c.keys} (${c.keysRetried} retried)`,
      c.keysExactlyOnce === c.keys,
      `${c.keys - c.keysExactlyOnce} of ${c.keys} keys did not give exactly one resource and one event`,
    );
  extraRows(snapshot);
  for (const r of reflected)
    table.expect(
      `reflected: ${r.name}`,
      `${r.reflected} / ${r.expected}`,
      r.problems.length === 0,
      `${r.name}: ${r.reflected}/${r.expected} (${r.problems.join('; ')})`,
    );
  const duplicated = [...c.duplicated, ...c.wrongResource];
  table.expect(
    'duplicated (effects: a second event or resource for one command)',
    duplicated.length,
    duplicated.length === 0,
    `duplicated: ${duplicated.slice(0, 3).join('; ')}`,
  );
  table.expect(
    'lost (accepted, not stored)',
    c.lost.length,
    c.lost.length === 0,
    `lost: ${c.lost.slice(0, 3).join('; ')}`,
  );
  table.expect(
    'dead letters (new messages on the .dlq topics)',
    dlq,
    dlq === 0,
    `${dlq} message(s) went to a dead-letter topic`,
  );
  table.info(
    'consumer pauses (kafka_consumer_pauses_total, since each start)',
    await metricSum(ctx.stack, 'kafka_consumer_pauses_total'),
  );
  const s = result.seconds;
  table.expect(
    `time to converge (from ${sinceWhat}; bound ${bound} s)`,
    s === null ? `not within ${Math.round(wait / 1000)} s` : `${fmt(s, 1)} s`,
    s !== null && s <= bound,
    s === null
      ? `read models did not converge within ${Math.round(wait / 1000)} s: ${firstProblems(reflected).slice(0, 600)}`
      : `read models converged after ${fmt(s, 1)} s, over the bound of ${bound} s`,
  );
}

function refusals(load: Load): string {
  const refused = load.records.filter((r) => !r.conflictAfterUnanswered && !r.answer.gaveUp && !ok(r.answer));
  return refused
    .slice(0, 3)
    .map((r) => `${r.kind} ${r.id}: ${r.answer.status} ${JSON.stringify(r.answer.body).slice(0, 160)}`)
    .join('; ');
}
