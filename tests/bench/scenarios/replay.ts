/**
 * 4. Replay: the replay command (`POST /admin/replays`, what `npm run replay -- milestones` calls) on a milestones
 *    instance of its own, whose store holds `replayEvents` events (200,000 by default): milestone streams of
 *    `eventsPerStream` events, appended through libs/event-store before the instance starts and marked as
 *    published (the relay must not send them to Kafka: that would measure the relay, and load the database
 *    during the replay). Its topics are its own and empty, so the replay's work is the store: read every event,
 *    fold per stream, insert one document per milestone into fresh collections. Baseline: a raw driver cursor
 *    over the same events collection.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { milestoneStreamId, Topics } from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { agreementId, milestoneEvent } from '../lib/events';
import { startService, type Service } from '../lib/stack';
import { median, pool, progress, sampleRss } from '../lib/util';
// The replay CLI's own client (tools/ is not an Nx project): one way to start a replay and follow it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { replay } from '../../../tools/replay/replay';

/** Appends `streams` milestone streams of `eventsPerStream` events (one append per stream) to a fresh store. */
async function seed(mongoUrl: string, db: string, topicPrefix: string, streams: number, eventsPerStream: number): Promise<number> {
  const connection = await mongoose.createConnection(mongoUrl, { dbName: db }).asPromise();
  try {
    const store = new EventStore(connection);
    await store.init();
    const meta = { agreementId, correlationId: randomUUID(), actor: { id: 'bench', role: 'monitor' as const }, expectedVersion: 'none' as const };
    const ids = Array.from({ length: streams }, () => randomUUID());
    const started = performance.now();
    let done = 0;
    let reported = 0;
    await pool(ids, 4, async (id) => {
      const events = Array.from({ length: eventsPerStream }, (_, i) => milestoneEvent(id, i + 1));
      await store.append(milestoneStreamId(id), events, meta);
      done++;
      if (done - reported >= streams / 10) {
        reported = done;
        const rate = (done * eventsPerStream) / ((performance.now() - started) / 1000);
        progress(`  seeded ${done * eventsPerStream} of ${streams * eventsPerStream} events (${rate.toFixed(0)} events/s)`);
      }
    });
    const highest = await store.highestPosition();
    await store.outbox.markPublished(topicPrefix + Topics.milestones, highest);
    return (await store.collection.estimatedDocumentCount()) as number;
  } finally {
    await connection.close();
  }
}

export async function replayScenario(
  ctx: BenchContext,
  settings: { kafkaBrokers: string; mongoUrl: string; topicPrefix: string; logDir: string; db: string },
  services: Service[],
): Promise<ScenarioResult> {
  const { reps, replayEvents, eventsPerStream } = ctx.options;
  const streams = Math.ceil(replayEvents / eventsPerStream);
  const topicPrefix = `${ctx.runId}_replay.`;
  progress(`scenario 4: seeding ${streams} milestones × ${eventsPerStream} events through libs/event-store`);
  const stored = await seed(settings.mongoUrl, settings.db, topicPrefix, streams, eventsPerStream);
  const instance = await startService('milestones', { ...settings, topicPrefix, label: 'milestones-replay' });
  services.push(instance);
  try {
    const events = ctx.client.db(settings.db).collection('events');
    const scan = async (sorted: boolean) => {
      const t = performance.now();
      let n = 0;
      const cursor = events.find({}).batchSize(1000);
      if (sorted) cursor.sort({ position: 1 });
      for await (const doc of cursor) if (doc) n++;
      if (n !== stored) throw new Error(`the raw cursor read ${n} events, ${stored} are stored`);
      return n / ((performance.now() - t) / 1000);
    };
    progress(`scenario 4: warm-up (a raw scan of ${stored} stored events)`);
    await scan(false);
    const ours: number[] = [];
    const whole: number[] = [];
    const rss: number[] = [];
    const raw: number[] = [];
    const rawSorted: number[] = [];
    for (let i = 1; i <= reps; i++) {
      progress(`scenario 4: replay of ${stored} events, repetition ${i}/${reps}`);
      const sampler = sampleRss({ service: instance.pid }, 500);
      const s = await replay('milestones-replay', instance.url, 'dev-admin');
      if (s.status !== 'succeeded') throw new Error(`replay failed: ${s.error}`);
      rss.push(sampler.stop().service ?? Number.NaN);
      if (s.documents.milestone_views !== streams) throw new Error(`the replay wrote ${s.documents.milestone_views} milestone views, expected ${streams}`);
      const storeSeconds = (s.phaseSeconds['reading-store'] ?? 0) + (s.phaseSeconds.writing ?? 0);
      ours.push(stored / storeSeconds);
      whole.push((new Date(s.finishedAt!).getTime() - new Date(s.startedAt).getTime()) / 1000);
      raw.push(await scan(false));
      rawSorted.push(await scan(true));
      const phases = Object.entries(s.phaseSeconds)
        .map(([p, sec]) => `${p} ${sec.toFixed(1)} s`)
        .join(', ');
      progress(`  store part ${ours.at(-1)!.toFixed(0)} events/s, whole replay ${whole.at(-1)!.toFixed(1)} s (${phases}), RSS peak ${rss.at(-1)!.toFixed(0)} MiB; raw cursor ${raw.at(-1)!.toFixed(0)} events/s, sorted by position ${rawSorted.at(-1)!.toFixed(0)} events/s`);
    }
    const title = `4. Replay (${stored} events, ${streams} milestones)`;
    const rows: Row[] = [
      {
        scenario: title,
        metric: 'replay command, store part: read in position order, fold per stream, insert fresh collections',
        tracker: median(ours),
        baseline: median(raw),
        baselineWhat: 'raw driver cursor over the same events collection',
        unit: 'events/s',
      },
      {
        scenario: title,
        metric: 'the same store part, against a sorted cursor (what reading in position order costs the database)',
        tracker: median(ours),
        baseline: median(rawSorted),
        baselineWhat: 'raw driver cursor over the same collection, sorted by position',
        unit: 'events/s',
      },
      { scenario: title, metric: 'whole replay (store, empty topics, switch, catch-up)', tracker: median(whole), baseline: '', baselineWhat: '', unit: 's' },
      { scenario: title, metric: 'milestones service RSS during the replay (peak)', tracker: median(rss), baseline: '', baselineWhat: '', unit: 'MiB' },
    ];
    return {
      rows,
      notes: [
        `Scenario 4: a milestones instance of its own over ${stored} events seeded through libs/event-store (${streams} streams × ${eventsPerStream}: planned, then progress reports) and marked as published; its topics are empty. The whole time includes a wait of READ_MODEL_REFRESH_MS (5 s) after the switch, for other instances.`,
      ],
    };
  } finally {
    await instance.stop();
  }
}
