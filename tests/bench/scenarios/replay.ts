/**
 * 4. Replay: there is no replay command yet, so this measures what one would do: read every stored event with
 *    `EventStore.readAll` (position order, pages of 500, upcast) and fold it with the Milestone decider's pure
 *    `evolve` into one state per stream (an in-memory read model). The events are scenario 2's last repetition.
 *    Baseline: a raw driver cursor over the same collection (no order, no upcasting, no folding).
 */
import type { EventStore } from '@tracker/event-store';
import { milestoneDecider, type MilestoneState } from '@tracker/milestones-domain';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { median, progress } from '../lib/util';

type Evolvable = Parameters<typeof milestoneDecider.evolve>[1];

async function fold(store: EventStore): Promise<{ events: number; seconds: number; streams: number }> {
  const t = performance.now();
  const states = new Map<string, MilestoneState>();
  let events = 0;
  for await (const event of store.readAll({ batchSize: 500 })) {
    states.set(event.streamId, milestoneDecider.evolve(states.get(event.streamId) ?? milestoneDecider.initialState(), event as unknown as Evolvable));
    events++;
  }
  const seconds = (performance.now() - t) / 1000;
  for (const [streamId, state] of states) if (!state.exists) throw new Error(`replay left ${streamId} without state`);
  return { events, seconds, streams: states.size };
}

async function scan(store: EventStore): Promise<{ events: number; seconds: number }> {
  const t = performance.now();
  let events = 0;
  for await (const doc of store.collection.find({}).batchSize(500)) if (doc) events++;
  return { events, seconds: (performance.now() - t) / 1000 };
}

export async function replayScenario(ctx: BenchContext, store: EventStore): Promise<ScenarioResult> {
  const { reps } = ctx.options;
  progress('scenario 4: warm-up');
  await scan(store);
  const ours: number[] = [];
  const raw: number[] = [];
  let n = 0;
  for (let i = 1; i <= reps; i++) {
    progress(`scenario 4: replay, repetition ${i}/${reps}`);
    const f = await fold(store);
    const s = await scan(store);
    if (f.events !== s.events) throw new Error(`replay read ${f.events} events, the cursor ${s.events}`);
    n = f.events;
    ours.push(f.events / f.seconds);
    raw.push(s.events / s.seconds);
    progress(`  readAll + evolve ${(f.events / f.seconds).toFixed(0)} events/s (${f.streams} streams), raw cursor ${(s.events / s.seconds).toFixed(0)} events/s`);
  }
  const rows: Row[] = [
    {
      scenario: `4. Replay (${n} events)`,
      metric: 'readAll + Milestone evolve into per-stream state',
      tracker: median(ours),
      baseline: median(raw),
      baselineWhat: 'raw driver cursor over the same collection',
      unit: 'events/s',
    },
  ];
  return { rows, notes: ['Scenario 4: no replay command exists yet; it folds readAll through the pure milestoneDecider.evolve (services/milestones/domain) in memory, writing no read model.'] };
}
