/**
 * 3. Propagation: agreements are registered in the agreements service at a fixed rate (open loop: a slow answer
 *    does not slow the sender); the latency of each is from its event's recordedAt (set by the agreements service
 *    as it appends) to the moment the benchmark first finds it in the milestones service's agreement directory
 *    (an `_id` lookup, polled every few ms). Path: event store → outbox relay → Kafka → idempotent consumer → read
 *    model. Baseline: Kafka's own EndToEndLatency tool (one producer + one consumer, acks=all, one record at a
 *    time) against the same broker, records of the same size as the stored agreement event.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { mongo } from 'mongoose';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { ROOT } from '../lib/stack';
import { POLL_MS, sampleRegistrations, type Latencies } from '../lib/propagation';
import { median, progress, run } from '../lib/util';
import { reference, registerAgreement } from './command-throughput';

async function measure(ctx: BenchContext, rep: string, rate: number, seconds: number): Promise<Latencies> {
  const db = ctx.client.db(ctx.milestones!.db);
  // Never replayed (scenario 4 replays an instance of its own), so the read model is in its first collection (ADR 0006).
  const directory = db.collection<{ _id: string; registeredAt: string }>('agreement_directory');
  return sampleRegistrations(
    directory,
    (i) => registerAgreement(ctx.agreements!.url, reference(ctx, `P${rep}-${i}`)),
    rate,
    seconds,
  );
}

/** The Kafka jars of deploy/local (the EndToEndLatency tool lives in kafka-tools). */
function kafkaLibs(): string | undefined {
  const cache = path.join(ROOT, 'deploy/local/.cache');
  if (!existsSync(cache)) return undefined;
  const dir = readdirSync(cache).find((d) => d.startsWith('kafka-') && existsSync(path.join(cache, d, 'libs')));
  return dir ? path.join(cache, dir, 'libs') : undefined;
}

async function endToEndLatency(ctx: BenchContext, recordSize: number): Promise<Latencies> {
  const libs = kafkaLibs();
  if (!libs) throw new Error('no Kafka jars in deploy/local/.cache (run deploy/local/infra.sh install)');
  const jars = readdirSync(libs);
  const toolsJar = jars.find((j) => /^kafka-tools-\d/.test(j));
  // Kafka 3.5+ has it in kafka-tools as org.apache.kafka.tools; older releases as kafka.tools in the core jar.
  const className = toolsJar ? 'org.apache.kafka.tools.EndToEndLatency' : 'kafka.tools.EndToEndLatency';
  const topic = `${ctx.topicPrefix}e2e-latency`;
  const n = ctx.options.e2eRecords;
  const java = ['-Xmx256m', '-cp', `${libs}/*`, `-Dlog4j2.configurationFile=${path.join(__dirname, '../log4j2-quiet.properties')}`, className];
  let out = await run('java', [...java, '--bootstrap-server', ctx.infra.kafkaBrokers, '--topic', topic, '--num-records', String(n), '--producer-acks', 'all', '--record-size', String(recordSize), '--record-key-size', '36'], {
    allowFailure: true,
    timeoutMs: 300_000,
  });
  if (out.code !== 0 && /Option|usage|Usage/.test(out.stdout + out.stderr)) {
    // Releases before the option parser take positional arguments: brokers topic num_messages acks size.
    out = await run('java', [...java, ctx.infra.kafkaBrokers, topic, String(n), 'all', String(recordSize)], { allowFailure: true, timeoutMs: 300_000 });
  }
  const p = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(out.stdout);
  if (!p) throw new Error(`EndToEndLatency printed no percentiles (exit ${out.code}): ${(out.stdout + out.stderr).slice(-1500)}`);
  // Its 99.9th percentile is the element at floor(0.999·n) of the sorted latencies: the maximum when n ≤ 1000.
  return { p50: Number(p[1]), p99: Number(p[2]), max: n <= 1000 ? Number(p[3]) : Number.NaN, samples: n, lost: 0, errors: 0 };
}

export async function propagationScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { rate, propagationSeconds: seconds, reps } = ctx.options;
  progress('scenario 3: warm-up');
  await measure(ctx, 'W', Math.min(rate, 2), 1);
  const ours: Latencies[] = [];
  for (let i = 1; i <= reps; i++) {
    progress(`scenario 3: ${rate} registrations/s for ${seconds} s, repetition ${i}/${reps}`);
    const l = await measure(ctx, String(i), rate, seconds);
    progress(`  p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.samples} seen, ${l.lost} not seen, ${l.errors} errors)`);
    ours.push(l);
  }

  const sample = await ctx.client.db(ctx.agreements!.db).collection('events').findOne({ type: 'agreement.registered' });
  const recordSize = sample ? Buffer.byteLength(JSON.stringify(mongo.BSON.EJSON.serialize(sample))) : 1000;
  const base: Latencies[] = [];
  for (let i = 1; i <= reps; i++) {
    progress(`scenario 3 baseline: kafka EndToEndLatency, ${ctx.options.e2eRecords} records of ${recordSize} B, repetition ${i}/${reps}`);
    const l = await endToEndLatency(ctx, recordSize);
    progress(`  p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`);
    base.push(l);
  }

  const title = `3. Propagation agreements → milestones (${rate}/s for ${seconds} s)`;
  const what = `Kafka EndToEndLatency, acks=all, ${recordSize} B records`;
  const m = (list: Latencies[], f: (l: Latencies) => number) => median(list.map(f));
  const rows: Row[] = [
    { scenario: title, metric: 'latency p50', tracker: m(ours, (l) => l.p50), baseline: m(base, (l) => l.p50), baselineWhat: what, unit: 'ms' },
    { scenario: title, metric: 'latency p99', tracker: m(ours, (l) => l.p99), baseline: m(base, (l) => l.p99), baselineWhat: what, unit: 'ms' },
    { scenario: title, metric: 'latency max', tracker: m(ours, (l) => l.max), baseline: m(base, (l) => l.max), baselineWhat: `${what} (its 99.9th = max for ≤ 1000 records)`, unit: 'ms' },
    { scenario: title, metric: 'not visible within 60 s / failed registrations', tracker: m(ours, (l) => l.lost + l.errors), baseline: 0, baselineWhat: what, unit: 'count' },
  ];
  return {
    rows,
    notes: [`Scenario 3: latency = first sighting in milestones' agreement_directory (polled every ${POLL_MS} ms by _id) − the event's recordedAt; ${ours.reduce((a, l) => a + l.samples, 0)} samples over ${reps} repetition(s).`],
  };
}
