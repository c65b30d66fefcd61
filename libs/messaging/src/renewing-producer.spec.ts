/**
 * RenewingProducer: after a failed send the next one goes out under a new producer (a new producer id), so a batch
 * the broker took without answering cannot wedge the relay on OUT_OF_ORDER_SEQUENCE_NUMBER. The real broker case
 * is the fault suite's Kafka SIGKILL (tests/faults); here, the bookkeeping with stand-in producers.
 */
import type { Producer, ProducerRecord } from 'kafkajs';
import { RenewingProducer } from './kafka';

interface StandIn {
  id: number;
  sends: ProducerRecord[];
  connected: boolean;
  disconnects: number;
}

function standIns(behaviour: { failSends?: number[]; failConnects?: number[] } = {}) {
  const made: StandIn[] = [];
  let sendCount = 0;
  const create = (): Producer => {
    const p: StandIn = { id: made.length + 1, sends: [], connected: false, disconnects: 0 };
    made.push(p);
    return {
      connect: async () => {
        await Promise.resolve();
        if (behaviour.failConnects?.includes(p.id)) throw new Error(`connect ${p.id} refused`);
        p.connected = true;
      },
      disconnect: async () => {
        p.connected = false;
        p.disconnects++;
      },
      send: async (record: ProducerRecord) => {
        if (!p.connected) throw new Error('send on a disconnected producer');
        sendCount++;
        if (behaviour.failSends?.includes(sendCount))
          throw new Error('The broker received an out of order sequence number');
        p.sends.push(record);
        return [];
      },
    } as unknown as Producer;
  };
  return { made, create };
}

const record = (n: number): ProducerRecord => ({ topic: 't', messages: [{ key: 'k', value: String(n) }] });

describe('RenewingProducer', () => {
  it('keeps one producer while sends succeed, connecting on the first', async () => {
    const { made, create } = standIns();
    const producer = new RenewingProducer(create);
    expect(made).toHaveLength(0);
    for (let i = 0; i < 5; i++) await producer.send(record(i));
    expect(made.map((p) => p.sends.length)).toEqual([5]);
    expect(producer.renewed).toBe(0);
  });

  it('after a failed send, rethrows and sends the next under a new producer, the old one disconnected', async () => {
    const { made, create } = standIns({ failSends: [2] });
    const renewedFor: string[] = [];
    const producer = new RenewingProducer(create, (err) => renewedFor.push((err as Error).message));
    await producer.send(record(1));
    await expect(producer.send(record(2))).rejects.toThrow('out of order sequence number');
    await producer.send(record(2));
    await producer.send(record(3));
    expect(made.map((p) => p.sends.map((r) => r.messages[0].value))).toEqual([['1'], ['2', '3']]);
    expect(made[0]).toMatchObject({ connected: false, disconnects: 1 });
    expect(made[1].connected).toBe(true);
    expect(producer.renewed).toBe(1);
    expect(renewedFor).toEqual(['The broker received an out of order sequence number']);
  });

  it('connects once for sends that start together', async () => {
    const { made, create } = standIns();
    const producer = new RenewingProducer(create);
    await Promise.all([1, 2, 3].map((n) => producer.send(record(n))));
    expect(made).toHaveLength(1);
    expect(made[0].sends).toHaveLength(3);
  });

  it('a refused connect fails that send; the next one tries a fresh producer', async () => {
    const { made, create } = standIns({ failConnects: [1] });
    const producer = new RenewingProducer(create);
    await expect(producer.send(record(1))).rejects.toThrow('connect 1 refused');
    await producer.send(record(1));
    expect(made.map((p) => p.sends.length)).toEqual([0, 1]);
  });

  it('disconnect closes the current producer; a later send connects a new one', async () => {
    const { made, create } = standIns();
    const producer = new RenewingProducer(create);
    await producer.send(record(1));
    await producer.disconnect();
    expect(made[0].connected).toBe(false);
    await producer.send(record(2));
    expect(made).toHaveLength(2);
  });
});
