/**
 * A keyed POST /milestones whose process is SIGKILLed at each step of its path (before the append, after the
 * append, after the key's answer was recorded), then retried with the same Idempotency-Key until it succeeds:
 * one milestone and one `milestone.planned` event, whatever the step. The services run as processes of their
 * own (tests/bench/lib/stack.ts); tests/support/crash-at.js makes the milestones process kill itself at the step.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { eventually, trUzMemorandum } from '@tracker/testing';
import { MONITOR, startService, type Service } from '../bench/lib/stack';
import { testEnv, uniqueName } from '../support';

jest.setTimeout(180_000);

const CRASH_AT = path.resolve(__dirname, '../support/crash-at.js');

describe('a keyed POST killed at each step (e2e, real processes)', () => {
  const { kafkaBrokers, mongoUrl } = testEnv();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'idempotent-crash-'));
  const topicPrefix = `${uniqueName('crash')}.`;
  const settings = (db: string) => ({ kafkaBrokers: kafkaBrokers.join(','), mongoUrl, db, topicPrefix, logDir });
  let agreements: Service;
  let milestones: Service;
  let milestonesDb: Connection;
  let agreementId: string;

  const plan = (key: string, title: string) =>
    fetch(`${milestones.url}/milestones`, {
      method: 'POST',
      headers: { ...MONITOR, 'idempotency-key': key },
      body: JSON.stringify({ agreementId, type: 'geological_survey', title, dueDate: '2027-06-30' }),
    });

  beforeAll(async () => {
    agreements = await startService('agreements', settings(uniqueName('crash_agreements')));
    milestones = await startService('milestones', settings(uniqueName('crash_milestones')));
    milestonesDb = await mongoose.createConnection(mongoUrl, { dbName: milestones.db }).asPromise();
    const res = await fetch(`${agreements.url}/agreements`, {
      method: 'POST',
      headers: MONITOR,
      body: JSON.stringify(trUzMemorandum(`TR-UZ-CRASH-${randomUUID().slice(0, 8)}`)),
    });
    expect(res.status).toBe(201);
    agreementId = ((await res.json()) as { id: string }).id;
    // The milestones service knows the agreement once its registration came through Kafka.
    await eventually(async () => (await plan(`probe-${randomUUID()}`, 'Probe: the agreement is known')).status === 201, { timeoutMs: 60_000, intervalMs: 500 });
  });

  afterAll(async () => {
    await milestones?.stop();
    await agreements?.stop();
    await milestonesDb?.dropDatabase().catch(() => undefined);
    await milestonesDb?.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it.each([
    ['before-append', false],
    ['after-append', true],
    ['after-record', true],
  ] as const)('killed %s: retried until it succeeds, one milestone, one event', async (step, replayed) => {
    const key = `plan-${step}-${randomUUID()}`;
    const title = `Geological survey of the Almalyk deposits (${step})`;
    await milestones.restart({ NODE_OPTIONS: `--require ${CRASH_AT}`, CRASH_AT: step });

    // The process dies before answering.
    await expect(plan(key, title)).rejects.toThrow();
    await milestones.restart({});

    // Retried with the same key: 409 while the dead process's reservation still looks held, then the answer.
    const answer = (await eventually(
      async () => {
        const res = await plan(key, title);
        if (res.status === 409) return null;
        return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as { id: string; title: string } };
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ))!;
    expect(answer.status).toBe(201);
    expect(answer.replayed).toBe(replayed ? 'true' : null);
    expect(answer.body.title).toBe(title);

    // One event, one milestone, and the key keeps answering with it.
    const planned = await milestonesDb.collection('events').find({ type: 'milestone.planned', 'data.title': title }).toArray();
    expect(planned.map((e) => e.streamId)).toEqual([`milestone-${answer.body.id}`]);
    const again = await plan(key, title);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(answer.body.id);
    const view = await fetch(`${milestones.url}/milestones/${answer.body.id}`, { headers: MONITOR });
    expect(view.status).toBe(200);
  });
});
