/**
 * Lag after a rebalance: a member reports lag only for the partitions it holds. A partition given to another member
 * must leave its lag report, or the group's lag (summed over the members' reports, as /metrics of several
 * instances do) never reaches 0 again, and whatever waits for "no lag" waits for ever.
 */
import { encodeEnvelope } from './codec';
import { IdempotentConsumer } from './idempotent-consumer';
import { envelopeFor, useConsumerStack } from './test/kafka-support';
import { eventually, uniqueName } from '@tracker/testing';

describe('consumer lag across a rebalance (integration)', () => {
  const stack = useConsumerStack('rebalance_lag', 2);
  const { topic, consumers } = stack;

  it('drops the lag of a partition reassigned to another member: the group reports 0 once all is handled', async () => {
    const total = 400;
    // 12 agreements as keys (envelopeFor): both partitions get some.
    await stack.producer.send({
      topic,
      messages: Array.from({ length: total }, (_, i) => encodeEnvelope(envelopeFor(i), 'rebalance-lag-test')),
    });

    const groupId = uniqueName('rebalance_lag_group');
    const handled = new Set<string>();
    const assignments: Array<Set<number>> = [new Set(), new Set()];
    const make = (n: 0 | 1) => {
      const c = new IdempotentConsumer({
        kafka: stack.kafka,
        groupId,
        topics: [topic],
        processedStore: stack.processedStore,
        commitEvery: 10,
        consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 500 },
        handler: async (e) => {
          handled.add(e.eventId);
          await new Promise((r) => setTimeout(r, 25)); // slow: a backlog is left when the second member joins
        },
      });
      c.consumer.on(
        c.consumer.events.GROUP_JOIN,
        (e) => (assignments[n] = new Set(e.payload.memberAssignment[topic] ?? [])),
      );
      consumers.push(c);
      return c;
    };

    const first = make(0);
    await first.start();
    // The first member alone holds both partitions: it has handled some of each (kafkajs drains one partition, then
    // the other) and has a backlog left.
    await eventually(() => first.metrics().partitions.length === 2 && handled.size < total - 40, {
      timeoutMs: 60_000,
      intervalMs: 10,
    });

    const second = make(1);
    await second.start();
    await eventually(() => assignments[0].size === 1 && assignments[1].size === 1, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await eventually(() => handled.size === total, { timeoutMs: 120_000, intervalMs: 50 });

    // Everything handled: each member lists only the partition it holds (the other one's lag is the other member's
    // to report), and the group's lag is 0.
    const report = (c: IdempotentConsumer) =>
      c.metrics().partitions.map((p) => ({ partition: p.partition, lag: p.lag }));
    const groupLag = () => [first, second].flatMap(report).reduce((sum, p) => sum + p.lag, 0);
    // The last messages are tracked just after their handler; a lag that stays is reported by the checks below.
    await eventually(() => groupLag() === 0, { timeoutMs: 10_000 }).catch(() => undefined);
    expect(report(first).filter((p) => !assignments[0].has(p.partition))).toEqual([]);
    expect(report(second).filter((p) => !assignments[1].has(p.partition))).toEqual([]);
    expect([first, second].flatMap(report).filter((p) => p.lag > 0)).toEqual([]);
  }, 150_000);
});
