/**
 * Scenario 1's baseline, in its own process like the HTTP load: `connections` concurrent loops call the MongoDB
 * driver's insertOne with a copy of a stored progress event for `duration` seconds.
 * Input: BENCH_WORKER_INPUT (JSON, the document as extended JSON); output: one JSON line on stdout.
 */
import { mongo } from 'mongoose';
import { runLoadWorker } from '../lib/load-worker';
import { percentile } from '../lib/util';

interface Input {
  mongoUrl: string;
  db: string;
  collection: string;
  connections: number;
  duration: number;
  document: string;
}

runLoadWorker<Input>('insert-load', async (input) => {
  const template = mongo.BSON.EJSON.parse(input.document) as Record<string, unknown>;
  const client = await new mongo.MongoClient(input.mongoUrl).connect();
  const collection = client.db(input.db).collection(input.collection);
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = Date.now() + input.duration * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: input.connections }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        try {
          await collection.insertOne({ ...template, _id: `bench-${process.pid}-${n++}` } as never);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  return { requestsPerSecond: latencies.length / seconds, ok: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
});
