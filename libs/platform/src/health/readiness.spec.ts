import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { kafkaReadiness, mongoReadiness, withTimeout } from './readiness';

describe('readiness helpers', () => {
  it('mongo: not connected is not ready', async () => {
    const check = mongoReadiness({ readyState: 0, db: undefined } as unknown as Connection);
    await expect(check.check()).rejects.toThrow(/not connected/);
  });

  it('mongo: a ping that hangs fails after the timeout', async () => {
    const connection = {
      readyState: 1,
      db: { admin: () => ({ ping: () => new Promise(() => undefined) }) },
    } as unknown as Connection;
    await expect(mongoReadiness(connection, { timeoutMs: 50 }).check()).rejects.toThrow(
      /did not answer within 50 ms/,
    );
  });

  it('kafka: connects once, describes the cluster, retries the connection after a failure, disconnects on close', async () => {
    let connects = 0;
    let fail = true;
    const admin = {
      connect: jest.fn(async () => {
        connects++;
        if (fail) throw new Error('ECONNREFUSED');
      }),
      describeCluster: jest.fn(async () => ({ brokers: [{ nodeId: 1 }], controller: 1, clusterId: 'x' })),
      disconnect: jest.fn(async () => undefined),
    } as unknown as Admin;
    const check = kafkaReadiness(admin, { timeoutMs: 100 });
    await expect(check.check()).rejects.toThrow('ECONNREFUSED');
    fail = false;
    await expect(check.check()).resolves.toEqual({ brokers: 1 });
    await expect(check.check()).resolves.toEqual({ brokers: 1 });
    expect(connects).toBe(2);
    await check.close?.();
    expect(admin.disconnect).toHaveBeenCalled();
  });

  it('withTimeout passes results through', async () => {
    await expect(withTimeout(Promise.resolve(7), 10, 'x')).resolves.toBe(7);
  });
});
