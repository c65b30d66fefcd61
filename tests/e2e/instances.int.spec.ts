/**
 * Two instances of every service (issue 22): each service started as `npm run up -- --instances=2` starts it
 * (INSTANCES=2: Node's cluster, two workers behind the service's one port), against the one Kafka and database,
 * under a write load that the port's round robin spreads over both. It shows, with the fault suite's client, load
 * and checks (tests/faults/lib: keyed retries, stores read directly, read models folded from the stores):
 *  - a rolling restart of the milestones service (SIGHUP: a new worker listens, then the old one drains) under
 *    load: no request fails, not even once before a retry;
 *  - SIGKILL of the agreements instance holding its outbox relay's lease: the lease moves to another live instance
 *    (the other one, or the replacement the supervisor starts, whichever polls first once it expires;
 *    how long that took is printed), and the consumer groups' rebalances (an instance gone, its replacement
 *    joining) lose nothing;
 *  - every stored event on its topic, in stream order per agreement; every command stored once; the read models as
 *    the stores say (no double count);
 *  - the deadline scan, run on both alerts instances at once (their timers and the admin route), raises each alert
 *    once; each webhook is delivered once per subscription (distinct x-tracker-delivery ids, every signature valid),
 *    whichever instance's reactor queued it (only the dispatcher lease's holder sends).
 * It cleans up what it creates: its topics, consumer groups and databases. Part of `npm test` (about a minute and a
 * half); `npm run test:instances` runs it alone.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logLevel, type Kafka } from 'kafkajs';
import { mongo } from 'mongoose';
import { addDays, calendarDateOf, Topics } from '@tracker/contracts';
import { createKafka, readTopicsToEnd } from '@tracker/messaging';
import { eventually } from '@tracker/testing';
import { MONITOR, STAKEHOLDER, startService, type Service, type ServiceName } from '../bench/lib/stack';
import { sleep } from '../bench/lib/util';
import { WebhookReceiver } from '../bench/lib/webhooks';
import { send, type RetryPolicy } from '../faults/lib/client';
import type { FaultInfra } from '../faults/lib/infra';
import { Load, type Stack } from '../faults/lib/load';
import { parseOptions } from '../faults/lib/options';
import { readStores, SOURCES } from '../faults/lib/stores';
import { Table, verifyLoad, type FaultContext } from '../faults/lib/verify';
import { DELIVERY_ENV } from '../faults/scenarios/webhooks';

jest.setTimeout(300_000);

const NAMES: readonly ServiceName[] = ['agreements', 'milestones', 'alerts'];
const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const topicPrefix = `instances_${run}.`;
const dbName = (name: ServiceName) => `instances_${run}_${name}`;
const logDir = path.join(os.tmpdir(), `instances-${run}`);
const policy: RetryPolicy = { retryMs: 120_000, attemptTimeoutMs: 15_000 };
const ADMIN = { authorization: 'Bearer dev-admin', 'content-type': 'application/json' };
/** Milestones due within the 7-day window: the deadline scan raises one deadline.approaching each. */
const DUE_SOON = 3;

/** The pids of the workers of a supervisor (INSTANCES=n), from the `[instances] ... listening` lines of its log. */
function listeningWorkers(service: Service): number[] {
  const log = readFileSync(path.join(logDir, `${service.name}.log`), 'utf8');
  return [...log.matchAll(/\[instances\] instance \d+ \(pid (\d+)\) listening/g)].map((m) => Number(m[1]));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Live workers of a supervisor that are listening. */
const liveWorkers = (service: Service) => listeningWorkers(service).filter(alive);

/** `eventually` for a value: resolves with the first one that is not null or undefined. */
async function found<T>(
  check: () => Promise<T | null | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const value = await eventually(check, options);
  if (value === null || value === undefined) throw new Error('no value');
  return value;
}

/** The pid in a relay's lease owner (`relay-<host>-<pid>-<random>`). */
const pidOfOwner = (owner: string) => Number(/^relay-.+-(\d+)-[0-9a-f]{8}$/.exec(owner)?.[1]);

describe('two instances of every service (INSTANCES=2)', () => {
  let client: mongo.MongoClient;
  let kafka: Kafka;
  let stack: Stack;
  let ctx: FaultContext;
  let load: Load;
  let receiver: WebhookReceiver;
  const secret = randomBytes(24).toString('hex');
  const started: Service[] = [];

  beforeAll(async () => {
    const kafkaBrokers = process.env.KAFKA_BROKERS ?? '';
    const mongoUrl = process.env.MONGO_URL ?? '';
    client = await new mongo.MongoClient(mongoUrl, { serverSelectionTimeoutMS: 30_000 }).connect();
    kafka = createKafka({ brokers: kafkaBrokers, clientId: 'instances-test', logLevel: logLevel.NOTHING });
    // All settled before going on: one that fails to start must not leave the others running after the suite.
    const starts = await Promise.allSettled(
      NAMES.map((name) =>
        startService(name, {
          kafkaBrokers,
          mongoUrl,
          db: dbName(name),
          topicPrefix,
          logDir,
          env: {
            INSTANCES: '2',
            // Longer than the load client's keep-alive idle time (fetch/undici: 4 s, on a coarse timer): a
            // socket idle through the whole grace is then closed by the client first, not by the draining server
            // just as the client sends on it (a reset, "other side closed").
            SHUTDOWN_GRACE_MS: '6000',
            ...(name === 'alerts' && { ...DELIVERY_ENV, ALERT_SCAN_INTERVAL_MS: '1000' }),
          },
        }).then((s) => (started.push(s), s)),
      ),
    );
    const refused = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (refused) throw refused.reason;
    const services = starts.map((s) => (s as PromiseFulfilledResult<Service>).value);
    const [agreements, milestones, alerts] = services;
    stack = { agreements, milestones, alerts };
    // Ready answers as soon as one worker is: wait for both of each.
    await eventually(() => services.every((s) => liveWorkers(s).length === 2), {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    ctx = {
      options: { ...parseOptions(['--short']), boundSeconds: 90 },
      // The shared infrastructure: this test starts and kills none of it (verifyLoad does not use `infra`).
      infra: undefined as unknown as FaultInfra,
      stack,
      dbs: Object.fromEntries(SOURCES.map((s) => [s, client.db(dbName(s))])) as FaultContext['dbs'],
      kafka,
      run,
      topicPrefix,
      policy,
      stopping: () => false,
    };
    receiver = new WebhookReceiver(secret);
    await receiver.start();
    load = new Load(stack, 'I', run, policy);
    await load.setup(4, 3);
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    await receiver?.stop();
    // Clean up: the run's topics, consumer groups and databases.
    if (kafka) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix));
        if (topics.length) await admin.deleteTopics({ topics });
        const groups = (await admin.listGroups()).groups
          .map((g) => g.groupId)
          .filter((g) => g.startsWith(topicPrefix));
        if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
      } finally {
        await admin.disconnect();
      }
    }
    if (client) {
      for (const name of NAMES)
        await client
          .db(dbName(name))
          .dropDatabase()
          .catch(() => undefined);
      await client.close();
    }
  });

  it('subscribes a webhook and plans milestones due within a week (for the deadline scan)', async () => {
    const sub = await send(
      `${stack.alerts.url}/subscriptions`,
      {
        method: 'POST',
        headers: STAKEHOLDER,
        body: {
          name: `instances ${run}`,
          filters: { kinds: ['milestone.slipped', 'deadline.approaching'] },
          channel: { type: 'webhook', url: receiver.url, secret },
        },
      },
      policy,
    );
    expect(sub.status).toBe(201);
    const dueDate = addDays(calendarDateOf(new Date()), 5);
    for (let i = 0; i < DUE_SOON; i++) {
      const answer = await send(
        `${stack.milestones.url}/milestones`,
        {
          method: 'POST',
          headers: { ...MONITOR, 'idempotency-key': `${run}-due-${i}` },
          body: {
            agreementId: load.agreements[i].id,
            type: 'geological_survey',
            title: `due soon ${i}`,
            dueDate,
          },
        },
        policy,
      );
      expect(answer.status).toBe(201);
    }
  });

  it('a rolling restart of the milestones service under load fails no request', async () => {
    const before = liveWorkers(stack.milestones);
    const recordsBefore = load.records.length;
    const loading = load.run(80, 4);
    await load.whenDone(10);
    process.kill(stack.milestones.pid ?? 0, 'SIGHUP');
    // Both workers replaced (each new one listening before its old one drains), while the load goes on.
    await eventually(
      () => {
        const now = liveWorkers(stack.milestones);
        return (
          now.length === 2 && now.every((pid) => !before.includes(pid)) && before.every((pid) => !alive(pid))
        );
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await loading;
    const phase = load.records.slice(recordsBefore);
    const failed = phase.filter(
      (r) =>
        r.answer.unanswered + r.answer.retriedAnswers > 0 ||
        r.answer.status === null ||
        r.answer.status >= 300,
    );
    process.stderr.write(
      `[instances] rolling restart: ${phase.length} commands, ${failed.length} failed or retried; workers ${before.join(', ')} -> ${liveWorkers(stack.milestones).join(', ')}\n`,
    );
    expect(phase.length).toBe(80);
    expect(
      failed.map((r) => `${r.kind} ${r.answer.status} ${JSON.stringify(r.answer.body).slice(0, 120)}`),
    ).toEqual([]);
  });

  it('the outbox lease moves to another agreements instance when its holder is SIGKILLed', async () => {
    const leases = ctx.dbs.agreements.collection<{ _id: string; owner: string; expiresAt: Date }>('leases');
    const leaseId = `outbox:${topicPrefix}${Topics.agreements}`;
    const holder = await found(() => leases.findOne({ _id: leaseId, expiresAt: { $gt: new Date() } }));
    const workers = liveWorkers(stack.agreements);
    const victim = pidOfOwner(holder.owner);
    expect(workers).toContain(victim);
    const survivor = workers.find((pid) => pid !== victim);
    expect(survivor).toBeDefined();
    const loading = load.run(80, 4);
    await load.whenDone(20);
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now();
    const taken = await found(
      async () => {
        const doc = await leases.findOne({ _id: leaseId });
        return doc && doc.owner !== holder.owner && doc.expiresAt > new Date() ? doc : null;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const takeoverMs = Date.now() - killedAt;
    const taker = pidOfOwner(taken.owner);
    // Then one holder, for good (sampled for 3 s): no flapping between the instances.
    const holders = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const doc = await leases.findOne({ _id: leaseId });
      if (doc) holders.add(pidOfOwner(doc.owner));
      await sleep(100);
    }
    // The survivor, or the killed one's replacement when the supervisor's new worker (1 s back-off + start) polls
    // first as the lease expires: either is another live instance.
    const live = liveWorkers(stack.agreements);
    process.stderr.write(
      `[instances] outbox lease of ${Topics.agreements}: pid ${victim} SIGKILLed, taken over after ${(takeoverMs / 1000).toFixed(1)} s (lease 10 s) by pid ${taker} (${taker === survivor ? 'the other instance' : "the killed instance's replacement"}); holders in the 3 s after: ${[...holders].join(', ')}\n`,
    );
    expect(taker).not.toBe(victim);
    expect(live).toContain(taker);
    expect([...holders]).toEqual([taker]);
    expect(takeoverMs).toBeLessThan(12_000);
    await loading;
    // The supervisor replaces the killed worker: its consumers join the groups again (another rebalance).
    await eventually(() => liveWorkers(stack.agreements).length === 2, {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
  });

  it('the deadline scan on both alerts instances at once raises each alert once', async () => {
    const scans = await Promise.all(
      [0, 1].map(() =>
        send(`${stack.alerts.url}/admin/deadline-scans`, { method: 'POST', headers: ADMIN }, policy),
      ),
    );
    expect(scans.map((s) => s.status)).toEqual([200, 200]);
    const alertsDb = ctx.dbs.alerts;
    const approaching = await found(async () => {
      const raised = await alertsDb
        .collection('events')
        .find({ type: 'alert.raised', 'data.kind': 'deadline.approaching' })
        .toArray();
      return raised.length >= DUE_SOON ? raised : null;
    });
    // One more scan on each: nothing new.
    const again = await Promise.all(
      [0, 1].map(() =>
        send(`${stack.alerts.url}/admin/deadline-scans`, { method: 'POST', headers: ADMIN }, policy),
      ),
    );
    expect(again.map((s) => (s.body as { raised: number }).raised)).toEqual([0, 0]);
    const raisedAll = await alertsDb
      .collection<{ streamId: string; data: { dedupKey: string } }>('events')
      .find({ type: 'alert.raised' })
      .toArray();
    const byKey = new Map<string, number>();
    for (const e of raisedAll) byKey.set(e.data.dedupKey, (byKey.get(e.data.dedupKey) ?? 0) + 1);
    const twice = [...byKey].filter(([, n]) => n > 1);
    process.stderr.write(
      `[instances] alerts raised: ${raisedAll.length} (${approaching.length} deadline.approaching), dedup keys raised twice: ${twice.length}\n`,
    );
    expect(approaching).toHaveLength(DUE_SOON);
    expect(twice).toEqual([]);
    expect(new Set(raisedAll.map((e) => e.streamId)).size).toBe(raisedAll.length);
  });

  it('every event once and in order per agreement, every command once, read models as the stores say', async () => {
    const table = new Table();
    await verifyLoad(ctx, load, table, { since: Date.now(), sinceWhat: 'the load through', dlqBefore: 0 });
    // Order: per stream, the first copy of each event on its partition comes in stream version order, with no gap.
    const messages = await readTopicsToEnd(
      kafka,
      Object.values(Topics).map((t) => topicPrefix + t),
      { groupPrefix: topicPrefix, timeoutMs: 60_000 },
    );
    const seen = new Set<string>();
    const last = new Map<string, number>();
    const outOfOrder: string[] = [];
    for (const m of messages) {
      const e = JSON.parse(m.message.value?.toString() ?? '{}') as {
        eventId: string;
        streamId: string;
        streamVersion: number;
      };
      if (seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      const previous = last.get(e.streamId) ?? 0;
      if (e.streamVersion !== previous + 1)
        outOfOrder.push(`${e.streamId}: ${previous} then ${e.streamVersion}`);
      last.set(e.streamId, e.streamVersion);
    }
    process.stderr.write(
      `[instances]\n${table.rows.map((r) => `  ${r.count}: ${r.value} ${r.check}`).join('\n')}\n  messages on the topics: ${messages.length}, streams: ${last.size}, out of order: ${outOfOrder.length}\n`,
    );
    expect(table.failures).toEqual([]);
    expect(outOfOrder).toEqual([]);
    expect(last.size).toBeGreaterThan(12);
  });

  it('each webhook delivered once per subscription, every signature valid', async () => {
    const expectedEvents = async () => {
      const snapshot = await readStores(ctx.dbs, load.referencePrefix);
      return new Set(
        snapshot.events.alerts
          .filter((e) =>
            ['milestone.slipped', 'deadline.approaching'].includes(
              snapshot.alerts.get(String(e.data.alertId))?.kind ?? '',
            ),
          )
          .map((e) => e.eventId),
      );
    };
    const expected = await found(
      async () => {
        const events = await expectedEvents();
        const delivered = new Set([...receiver.receipts.values()].map((r) => r.eventId));
        return events.size > 0 && [...events].every((id) => delivered.has(id)) ? events : null;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // Nothing left to send: every delivery recorded delivered (a duplicate send would come from a pending one).
    const deliveries = ctx.dbs.alerts.collection<{ status: string }>('deliveries');
    await found(
      async () => ((await deliveries.countDocuments({ status: { $ne: 'delivered' } })) === 0 ? true : null),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    const receipts = [...receiver.receipts.values()];
    const perEvent = new Map<string, number>();
    for (const r of receipts) perEvent.set(r.eventId, (perEvent.get(r.eventId) ?? 0) + 1);
    process.stderr.write(
      `[instances] webhooks: ${expected.size} alert events matched, ${receipts.length} delivery ids, ${receiver.counts.duplicates} repeated ids, ${receiver.counts.badSignatures} bad signatures\n`,
    );
    expect(receiver.counts.badSignatures).toBe(0);
    expect(receiver.counts.duplicates).toBe(0);
    expect([...perEvent.values()].filter((n) => n > 1)).toEqual([]);
    expect(new Set(receipts.map((r) => r.eventId))).toEqual(expected);
  });
});
