/**
 * 4. Replay: the replay command (`POST /admin/replays`, what `npm run replay -- milestones` calls) on the running
 *    milestones service, whose store holds the events scenario 1 recorded (real progress reports). The figure is
 *    the store part of the replay: events read and folded per stream, documents written into fresh collections
 *    (phases reading-store + writing); the whole replay's time is reported too (it also re-reads the agreements
 *    topic and waits one READ_MODEL_REFRESH_MS after its switch). Baseline: a raw driver cursor over the same
 *    events collection.
 */
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { median, progress, sleep } from '../lib/util';

const ADMIN = { authorization: 'Bearer dev-admin', 'content-type': 'application/json' };

interface ReplayStatus {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  eventsDone: number;
  phaseSeconds: Record<string, number>;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

async function replay(url: string): Promise<ReplayStatus> {
  const res = await fetch(`${url}/admin/replays`, { method: 'POST', headers: ADMIN });
  if (res.status !== 202) throw new Error(`POST /admin/replays answered ${res.status}: ${await res.text()}`);
  let status = (await res.json()) as ReplayStatus;
  while (status.status === 'running') {
    await sleep(250);
    status = (await (await fetch(`${url}/admin/replays/${status.id}`, { headers: ADMIN })).json()) as ReplayStatus;
  }
  if (status.status !== 'succeeded') throw new Error(`replay failed: ${status.error}`);
  return status;
}

export async function replayScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { reps } = ctx.options;
  const milestones = ctx.milestones;
  if (!milestones) throw new Error('needs the milestones service');
  const events = ctx.client.db(milestones.db).collection('events');
  const stored = await events.countDocuments({});
  if (stored === 0) throw new Error('the milestones store is empty: scenario 4 replays what scenario 1 recorded (run --only=1,4)');
  const scan = async () => {
    const t = performance.now();
    let n = 0;
    for await (const doc of events.find({}).batchSize(500)) if (doc) n++;
    return n / ((performance.now() - t) / 1000);
  };
  progress(`scenario 4: warm-up (${stored} stored events)`);
  await scan();
  const ours: number[] = [];
  const whole: number[] = [];
  const raw: number[] = [];
  for (let i = 1; i <= reps; i++) {
    progress(`scenario 4: replay, repetition ${i}/${reps}`);
    const s = await replay(milestones.url);
    const storeSeconds = (s.phaseSeconds['reading-store'] ?? 0) + (s.phaseSeconds.writing ?? 0);
    ours.push(stored / storeSeconds);
    whole.push((new Date(s.finishedAt!).getTime() - new Date(s.startedAt).getTime()) / 1000);
    raw.push(await scan());
    progress(`  store part ${(stored / storeSeconds).toFixed(0)} events/s, whole replay ${whole.at(-1)!.toFixed(1)} s, raw cursor ${raw.at(-1)!.toFixed(0)} events/s`);
  }
  const rows: Row[] = [
    {
      scenario: `4. Replay (${stored} events)`,
      metric: 'replay command, store part: read, fold per stream, write fresh collections',
      tracker: median(ours),
      baseline: median(raw),
      baselineWhat: 'raw driver cursor over the same events collection',
      unit: 'events/s',
    },
    {
      scenario: `4. Replay (${stored} events)`,
      metric: 'whole replay (store, agreements topic, switch, catch-up)',
      tracker: median(whole),
      baseline: '',
      baselineWhat: '',
      unit: 's',
    },
  ];
  return { rows, notes: ['Scenario 4 runs the replay command on the milestones service over the events scenario 1 recorded; its whole time includes a wait of READ_MODEL_REFRESH_MS (5 s) after the switch, for other instances.'] };
}
