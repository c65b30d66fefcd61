/**
 * Scenario 3's measure, shared with the growth scenario: registrations at a fixed rate (open loop: a slow answer
 * does not slow the sender), each timed from its event's recordedAt to its first sighting in the milestones
 * service's agreement directory (an `_id` lookup every POLL_MS).
 */
import type { mongo } from 'mongoose';
import { percentile, sleep } from './util';

export const POLL_MS = 5;
/** How long after the last registration a sighting still counts. */
export const WAIT_AFTER_MS = 60_000;

export interface Latencies {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  lost: number;
  errors: number;
}

export function summarize(values: number[], lost: number, errors: number): Latencies {
  return {
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
    samples: values.length,
    lost,
    errors,
  };
}

/**
 * Calls `register(i)` `rate` times a second for `seconds` s and polls `directory` for each registered id until
 * seen or WAIT_AFTER_MS after the last send. `concurrentLookups`: every pending id's lookup at once each round,
 * rather than one after the other.
 */
export async function sampleRegistrations(
  directory: mongo.Collection<{ _id: string; registeredAt: string }>,
  register: (i: number) => Promise<{ id: string }>,
  rate: number,
  seconds: number,
  { concurrentLookups = false }: { concurrentLookups?: boolean } = {},
): Promise<Latencies> {
  const pending = new Set<string>();
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.max(1, Math.round(rate * seconds));
  const start = Date.now();
  const sends: Array<Promise<void>> = [];
  let sending = true;
  const sender = (async () => {
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      sends.push(
        register(i).then(
          (a) => void pending.add(a.id),
          () => void errors++,
        ),
      );
    }
    await Promise.all(sends);
    sending = false;
  })();
  const look = async (id: string) => {
    const entry = await directory.findOne({ _id: id }, { projection: { registeredAt: 1 } });
    if (entry && pending.delete(id)) latencies.push(Date.now() - Date.parse(entry.registeredAt));
  };
  const deadline = () => Date.now() > start + seconds * 1000 + WAIT_AFTER_MS;
  while ((sending || pending.size > 0) && !deadline()) {
    if (concurrentLookups) await Promise.all([...pending].map(look));
    else for (const id of [...pending]) await look(id);
    await sleep(POLL_MS);
  }
  await sender;
  if (latencies.length === 0)
    throw new Error(`none of ${total} registrations reached the milestones service`);
  return summarize(latencies, pending.size, errors);
}
