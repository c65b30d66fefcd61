/**
 * Offsets are committed only after processing: a consumer stopped mid-stream and restarted in the same group loses
 * nothing, and whatever is delivered again (duplicates in the topic, events processed before a crash but not
 * committed) is skipped.
 */
import { encodeEnvelope } from './codec';
import { IdempotentConsumer } from './idempotent-consumer';
import { collectTopic, envelopeFor, useConsumerStack } from './test/kafka-support';
import { eventually, uniqueName } from '@tracker/testing';

describe('consumer restart (integration)', () => {
  const stack = useConsumerStack('restart', 3);
  const { topic, consumers } = stack;

  it('stops mid-stream with commits only behind processed messages, restarts, loses nothing, handles nothing twice', async () => {
    const total = 600;
    const envelopes = Array.from({ length: total }, (_, i) => envelopeFor(i));
    // 30 events are also published twice (as the relay does after a crash), 10 of them much later.
    const messages = envelopes.map((e) => encodeEnvelope(e, 'restart-test'));
    await stack.producer.send({ topic, messages: [...messages.slice(0, 300), ...messages.slice(0, 20)] });
    await stack.producer.send({ topic, messages: messages.slice(300) });
    await stack.producer.send({ topic, messages: messages.slice(590) });

    const groupId = uniqueName('restart-group');
    const handledBy: Array<Map<string, { partition: number; offset: string }>> = [new Map(), new Map()];
    const invocations: string[] = [];
    const make = (n: 0 | 1) =>
      new IdempotentConsumer({
        kafka: stack.kafka,
        groupId,
        topics: [topic],
        processedStore: stack.processedStore,
        commitEvery: 25,
        consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000, maxBytesPerPartition: 16_384 },
        handler: async (e, ctx) => {
          invocations.push(e.eventId);
          handledBy[n].set(e.eventId, { partition: ctx.partition, offset: ctx.offset });
          await new Promise((r) => setTimeout(r, 2)); // some work
        },
      });

    const first = make(0);
    consumers.push(first);
    await first.start();
    await eventually(() => handledBy[0].size >= 200, { timeoutMs: 60_000, intervalMs: 5 });
    await first.stop();
    const handledFirst = handledBy[0].size;
    expect(handledFirst).toBeLessThan(total); // really stopped mid-stream

    // Commit after process: every message below a committed offset carries an event the first instance handled.
    const [committed] = await stack.admin.fetchOffsets({ groupId, topics: [topic] });
    const { messages: inTopic, consumer: reader } = await collectTopic(stack.kafka, topic, uniqueName('restart-reader'));
    await eventually(() => inTopic.length === 630);
    await reader.disconnect();
    let committedTotal = 0;
    for (const { partition, offset } of committed.partitions) {
      const upTo = Math.max(0, Number(offset));
      committedTotal += upTo;
      const below = inTopic.filter((m) => m.partition === partition && Number(m.message.offset) < upTo);
      expect(below).toHaveLength(upTo);
      for (const m of below) expect(handledBy[0].has(JSON.parse(String(m.message.value)).eventId)).toBe(true);
    }
    expect(committedTotal).toBeGreaterThan(0);

    // As if a crashed instance had processed (and recorded) 5 later events without committing them.
    const crashed = envelopes.slice(595).map((e) => ({ eventId: e.eventId, topic, partition: 0, offset: '0' }));
    const crashedIds = new Set(crashed.map((c) => c.eventId).filter((id) => !handledBy[0].has(id)));
    await stack.processedStore.record(groupId, crashed);

    const second = make(1);
    consumers.push(second);
    await second.start();
    await eventually(() => handledBy[0].size + handledBy[1].size + crashedIds.size >= total, { timeoutMs: 60_000 });
    await eventually(() => second.metrics().processed + second.metrics().duplicates >= 630 - committedTotal);

    // Nothing lost, nothing handled twice.
    const all = new Set([...handledBy[0].keys(), ...handledBy[1].keys(), ...crashedIds]);
    expect(all.size).toBe(total);
    expect(invocations).toHaveLength(new Set(invocations).size);
    for (const id of crashedIds) expect(handledBy[1].has(id)).toBe(false);
    expect(second.metrics().duplicates).toBeGreaterThanOrEqual(crashedIds.size);
    // Every duplicate in the topic was skipped by one of the two instances.
    expect(first.metrics().duplicates + second.metrics().duplicates).toBeGreaterThanOrEqual(30 + crashedIds.size);
    await eventually(async () => {
      const [offsets] = await stack.admin.fetchOffsets({ groupId, topics: [topic] });
      // -1 = nothing committed (a partition no key hashed to).
      return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) === 630;
    });
    const lag = await second.fetchLag(stack.admin);
    expect(lag.reduce((sum, p) => sum + p.lag, 0)).toBe(0);
  }, 120_000);
});
