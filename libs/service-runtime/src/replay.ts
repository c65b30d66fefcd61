/**
 * Rebuilds a service's read models while it keeps serving (issue 8): into a fresh generation of collections,
 * then a switch of the generation pointers, then a catch-up of what happened meanwhile.
 *
 * 1. Store projections: every event of the service's store in position order, folded in memory per stream, then
 *    written once per stream. Positions missing from the sequence are remembered: an append still in flight
 *    holds a lower position than one already visible, and is read again in the catch-up.
 * 2. Topic projections: the topics from their beginning under a new consumer group, up to the end offsets of
 *    that moment (after 1, so a read model of both, e.g. activity times, finds its documents).
 * 3. Switch: queries and live writes move to the new collections (other instances within the refresh interval,
 *    which the catch-up waits out).
 * 4. Catch-up: store events after the last position read (and the missing ones), folded onto the states of 1
 *    and written version-guarded; topics read on to their new end offsets. Live writes made to the old
 *    collections before the switch are redone here; writes after it land in the new ones. Then the old
 *    collections and the consumer group are deleted.
 * One replay at a time per service (a lock document with a heartbeat); progress is kept in `replays`.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Connection, mongo } from 'mongoose';
import type { Actor, EventEnvelope } from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { TopicReplay, type TopicRange } from '@tracker/messaging';
import { isDuplicateKey } from '@tracker/mongo';
import type { FoldedStream, StoreProjection, TopicProjection } from './projections';
import { RUNTIME_SETTINGS, type RuntimeSettings } from './runtime';
import type { ResolvedService } from './service-definition';
import { EVENT_STORE, KAFKA, MONGO_CONNECTION, SERVICE } from './tokens';
import { ReadModels, type CollectionSource, type Generation } from './read-models';

export type ReplayPhase = 'preparing' | 'reading-store' | 'writing' | 'reading-topics' | 'switching' | 'catching-up' | 'cleaning-up' | 'done';

export interface ReplayStatus {
  id: string;
  service: string;
  requestedBy: string;
  status: 'running' | 'succeeded' | 'failed';
  phase: ReplayPhase;
  startedAt: string;
  finishedAt: string | null;
  /** Events to read (store size plus topic offsets at the start; an estimate while running). */
  eventsTotal: number;
  eventsDone: number;
  eventsPerSecond: number;
  /** Estimated from the rate so far; null until there is one. */
  secondsLeft: number | null;
  /** Documents per read model, when done. */
  documents: Record<string, number>;
  /** Seconds spent in each phase so far (where a slow replay spends its time). */
  phaseSeconds: Partial<Record<ReplayPhase, number>>;
  /** e.g. a topic whose oldest events were deleted by retention. */
  warnings: string[];
  error: string | null;
}

interface LockDoc {
  _id: string;
  runId: string;
  heartbeatAt: Date;
}

const LOCK_STALE_MS = 60_000;
/** `r<the start time's 14 digits>_<the run id's first 8 characters>`: names the run that built a generation. */
const generationTag = (run: { id: string; startedAt: string }) => `r${run.startedAt.replace(/\D/g, '').slice(0, 14)}_${run.id.slice(0, 8)}`;
/** The collections of a run's generation: `<read model>__<its tag>`. */
const ofRunGeneration = (runId: string) => new RegExp(`__r\\d{14}_${runId.slice(0, 8)}$`);
const LOCK_LOST =
  'this replay lost its lock (no heartbeat for 60 s, e.g. behind a slow database) and another replay may have taken over: it stopped without switching';
/** Documents per insert into a fresh collection. */
const WRITE_BATCH = 1000;

export class ReplayInProgressError extends Error {
  constructor(readonly runningId: string) {
    super(`a replay of this service is already running (${runningId}); follow it at GET /admin/replays/${runningId}`);
  }
}

@Injectable()
export class ReplayRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('ReplayRunner');
  private readonly runs = new Map<string, ReplayStatus>();
  private running?: { id: string; done: Promise<void> };

  constructor(
    @Inject(SERVICE) private readonly service: ResolvedService,
    @Inject(RUNTIME_SETTINGS) private readonly settings: RuntimeSettings,
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly readModels: ReadModels,
  ) {}

  private get history(): mongo.Collection<ReplayStatus & { _id: string }> {
    return this.connection.collection('replays');
  }

  private get locks(): mongo.Collection<LockDoc> {
    return this.connection.collection<LockDoc>('replay_locks');
  }

  /** Starts a replay in the background; its status at once. Throws ReplayInProgressError if one runs. */
  async start(actor: Actor): Promise<ReplayStatus> {
    const id = randomUUID();
    await this.lock(id);
    const status: ReplayStatus = {
      id,
      service: this.service.name,
      requestedBy: actor.id,
      status: 'running',
      phase: 'preparing',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      eventsTotal: 0,
      eventsDone: 0,
      eventsPerSecond: 0,
      secondsLeft: null,
      documents: {},
      phaseSeconds: {},
      warnings: [],
      error: null,
    };
    this.runs.set(id, status);
    await this.history.insertOne({ _id: id, ...status });
    this.running = { id, done: this.run(status).finally(() => (this.running = undefined)) };
    return { ...status };
  }

  /** Waits for the replay this instance runs, if any (tests, tools). */
  async settled(): Promise<void> {
    await this.running?.done;
  }

  async get(id: string): Promise<ReplayStatus | null> {
    const mine = this.runs.get(id);
    if (mine) return structuredClone(mine);
    const doc = await this.history.findOne({ _id: id });
    if (!doc) return null;
    const { _id, ...status } = doc;
    return this.unlessAbandoned(status);
  }

  async list(limit = 20): Promise<ReplayStatus[]> {
    // The service's own runs: several services may share one database.
    const docs = await this.history.find({ service: this.service.name }).sort({ startedAt: -1 }).limit(limit).toArray();
    const out: ReplayStatus[] = [];
    for (const { _id, ...status } of docs) out.push(this.runs.get(_id) ?? (await this.unlessAbandoned(status)));
    return out;
  }

  /**
   * A run recorded as running whose lock is gone or stale: the process running it stopped. It is recorded as
   * failed, and the collections it was filling are dropped (unless it had switched to them: then they are live).
   */
  private async unlessAbandoned(status: ReplayStatus): Promise<ReplayStatus> {
    if (status.status !== 'running' || status.service !== this.service.name) return status;
    const lock = await this.locks.findOne({ _id: this.service.name });
    if (lock && lock.runId === status.id && Date.now() - lock.heartbeatAt.getTime() < LOCK_STALE_MS) return status;
    const abandoned: ReplayStatus = {
      ...status,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      error: `abandoned in phase ${status.phase}: the process running it stopped (no heartbeat for ${LOCK_STALE_MS / 1000} s); start a new replay`,
    };
    const marked = await this.history.updateOne(
      { _id: status.id, status: 'running' },
      { $set: { status: abandoned.status, finishedAt: abandoned.finishedAt, error: abandoned.error } },
    );
    // Its stale lock goes too: a new replay may start, and the run, should it be alive after all, stops.
    await this.locks.deleteOne({ _id: this.service.name, runId: status.id });
    if (marked.modifiedCount === 0) {
      // It ended meanwhile (its last save came between our two reads).
      const { _id, ...now } = (await this.history.findOne({ _id: status.id })) ?? { _id: status.id, ...status };
      return now;
    }
    await this.dropLeftovers(status.id);
    return abandoned;
  }

  /** Drops the collections of run `runId`'s generation that no pointer names. */
  private async dropLeftovers(runId: string): Promise<void> {
    await this.readModels.refresh();
    const live = new Set(this.readModels.names().map((n) => this.readModels.physicalName(n)));
    const ofRun = ofRunGeneration(runId);
    const names = (await this.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const leftovers = names.filter((n) => ofRun.test(n) && !live.has(n));
    if (leftovers.length > 0) {
      this.logger.warn(`dropping ${leftovers.join(', ')}: half-built by abandoned replay ${runId}`);
      await this.readModels.drop(leftovers);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // A replay stopped half-way leaves only an unused generation behind: the pointers still name the old one.
    await this.running?.done.catch(() => undefined);
  }

  private async lock(runId: string): Promise<void> {
    const _id = this.service.name;
    if (this.running) throw new ReplayInProgressError(this.running.id);
    const held = await this.locks.findOne({ _id });
    if (held && Date.now() - held.heartbeatAt.getTime() < LOCK_STALE_MS) throw new ReplayInProgressError(held.runId);
    if (held) {
      await this.locks.deleteOne({ _id, runId: held.runId });
      const stale = await this.history.findOne({ _id: held.runId });
      if (stale) await this.unlessAbandoned(stale);
    }
    try {
      await this.locks.insertOne({ _id, runId, heartbeatAt: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const winner = await this.locks.findOne({ _id });
      throw new ReplayInProgressError(winner?.runId ?? 'unknown');
    }
  }

  private async run(status: ReplayStatus): Promise<void> {
    const started = Date.now();
    let lastSaved = 0;
    const progress = async (force = false) => {
      const seconds = (Date.now() - started) / 1000;
      status.eventsPerSecond = seconds > 0 ? Math.round(status.eventsDone / seconds) : 0;
      const left = Math.max(0, status.eventsTotal - status.eventsDone);
      status.secondsLeft = status.eventsPerSecond > 0 ? Math.ceil(left / status.eventsPerSecond) : null;
      if (!force && Date.now() - lastSaved < 1000) return;
      lastSaved = Date.now();
      const { id, ...rest } = status;
      // Only while recorded as running: never over the "abandoned" another instance recorded.
      const saved = await this.history.updateOne({ _id: id, status: 'running' }, { $set: rest });
      if (status.status === 'running' && (lockLost || saved.matchedCount === 0)) throw new Error(LOCK_LOST);
    };
    // On a timer, not with progress: a phase can be long without progress (the store's first, sorted batch). On one
    // connection (maxPoolSize=1) a beat still waits behind a long query: a run whose lock went stale meanwhile and
    // was taken over stops at its next progress, before it switches anything.
    let lockLost = false;
    const heartbeat = setInterval(() => {
      void this.locks
        .updateOne({ _id: this.service.name, runId: status.id }, { $set: { heartbeatAt: new Date() } })
        .then((r) => {
          if (r.matchedCount === 0) lockLost = true;
        })
        .catch(() => undefined);
    }, LOCK_STALE_MS / 6);
    let phaseStarted = Date.now();
    const phase = async (p: ReplayPhase) => {
      status.phaseSeconds[status.phase] = (status.phaseSeconds[status.phase] ?? 0) + (Date.now() - phaseStarted) / 1000;
      phaseStarted = Date.now();
      status.phase = p;
      this.logger.log(`replay ${status.id}: ${p} (${status.eventsDone}/${status.eventsTotal} events)`);
      await progress(true);
    };

    const { projections } = this.service;
    const storeProjections = projections.filter((p): p is StoreProjection => p.source === 'store');
    const topicProjections = projections.filter((p): p is TopicProjection => p.source === 'topics');
    const prefix = this.settings.topicPrefix;
    const topics = [...new Set(topicProjections.flatMap((p) => p.topics))];
    let reader: TopicReplay | undefined;
    let generation: Generation | undefined;
    // Where topic projections write: the new generation until the switch, then the live (= new) collections.
    let target: CollectionSource = this.readModels;
    let switched = false;
    try {
      const names = [...new Set(projections.flatMap((p) => p.collections.map((c) => c.name)))];
      for (const name of this.readModels.names()) {
        if (!names.includes(name)) status.warnings.push(`read model ${name} has no projection in this service: it was not rebuilt`);
      }
      generation = await this.readModels.newGeneration(names, generationTag(status));
      const into: CollectionSource = generation;
      target = into;

      let ranges: TopicRange[] = [];
      if (topics.length > 0) {
        reader = new TopicReplay({
          kafka: this.kafka,
          groupId: `${prefix}${this.service.name}.replay-${status.id}`,
          topics: topics.map((t) => prefix + t),
          upcasters: this.store.upcasters,
          handler: async (events, topic) => {
            const ofTopic = topicProjections.filter((p) => p.topics.some((t) => prefix + t === topic));
            for (const event of events) for (const p of ofTopic) if (!p.applyMany) await p.apply(target, event);
            for (const p of ofTopic) await p.applyMany?.(target, events);
            status.eventsDone += events.length;
            await progress();
          },
        });
        ranges = await reader.ranges();
        for (const r of ranges) {
          if (BigInt(r.low) > 0n) status.warnings.push(`${r.topic} partition ${r.partition} starts at offset ${r.low}: older events were deleted by the topic's retention and cannot be replayed (set KAFKA_TOPIC_RETENTION_MS=-1)`);
        }
      }
      // Positions handed out, not a count: an upper bound (burned positions) read by _id, where a count of the
      // store is a scan on FerretDB.
      status.eventsTotal =
        (storeProjections.length > 0 ? await this.store.highestPosition() : 0) +
        ranges.reduce((n, r) => n + Number(BigInt(r.high) - BigInt(r.low)), 0);

      // 1. The store, folded in memory.
      const folds = new Map<StoreProjection, Map<string, FoldedStream<unknown>>>(storeProjections.map((p) => [p, new Map()]));
      const fold = (event: EventEnvelope, touched?: Set<string>) => {
        for (const [p, streams] of folds) {
          if (!p.aggregate.owns(event)) continue;
          const s = streams.get(event.streamId);
          if (s && s.version >= event.streamVersion) continue;
          streams.set(event.streamId, {
            streamId: event.streamId,
            state: p.aggregate.decider.evolve(s ? s.state : p.aggregate.decider.initialState(), event as never),
            version: event.streamVersion,
            first: s?.first ?? event,
            last: event,
          });
          touched?.add(event.streamId);
        }
      };
      let lastPosition = 0;
      const missing: number[] = [];
      if (storeProjections.length > 0) {
        await phase('reading-store');
        for await (const event of this.store.readAll({ batchSize: 1000 })) {
          for (let p = lastPosition + 1; p < event.position; p++) missing.push(p);
          lastPosition = event.position;
          fold(event);
          status.eventsDone++;
          await progress();
        }
        await phase('writing');
        const byCollection = new Map<string, Array<{ _id: string }>>();
        for (const [p, streams] of folds) {
          for (const folded of streams.values()) {
            for (const { collection, document } of p.documents(folded)) {
              const docs = byCollection.get(collection);
              if (docs) docs.push(document);
              else byCollection.set(collection, [document]);
            }
          }
        }
        for (const [collection, docs] of byCollection) {
          for (let i = 0; i < docs.length; i += WRITE_BATCH) {
            await into.collection(collection).insertMany(docs.slice(i, i + WRITE_BATCH) as never[], { ordered: false });
          }
        }
      }

      // 2. The topics, to their end offsets of the start.
      if (reader) {
        await phase('reading-topics');
        await reader.start();
        await reader.readToEnd(ranges);
      }

      // 3. Switch, then give other instances time to see it.
      await phase('switching');
      const previous = await this.readModels.switchTo(generation);
      switched = true;
      target = this.readModels;
      await new Promise((r) => setTimeout(r, this.readModels.refreshMs > 0 ? this.readModels.refreshMs + 1000 : 0));

      // 4. Catch up on what was recorded meanwhile, into the live collections.
      await phase('catching-up');
      if (storeProjections.length > 0) {
        const touched = new Set<string>();
        const late = missing.length > 0 ? await this.store.readPositions(missing) : [];
        // Only if positions were handed out since: a read of the store is a scan of it on FerretDB.
        if ((await this.store.highestPosition()) > lastPosition) {
          for await (const event of this.store.readAll({ fromPosition: lastPosition, batchSize: 1000 })) late.push(event);
        }
        for (const event of late) {
          fold(event, touched);
          status.eventsDone++;
        }
        for (const [p, streams] of folds) {
          for (const streamId of touched) {
            const folded = streams.get(streamId);
            if (folded) await p.write(this.readModels, folded);
          }
        }
      }
      if (reader) await reader.readToEnd();

      await phase('cleaning-up');
      await reader?.stop();
      reader = undefined;
      await this.readModels.drop(previous.filter((name) => ![...generation!.physical.values()].includes(name)));
      for (const name of names) status.documents[name] = await this.readModels.collection(name).countDocuments({});
      status.eventsTotal = status.eventsDone; // the estimate counted unused positions and offsets
      await phase('done');
      status.status = 'succeeded';
    } catch (err) {
      status.status = 'failed';
      status.error = (err as Error).message;
      this.logger.error(`replay ${status.id} failed in ${status.phase}: ${(err as Error).stack ?? err}`);
      await reader?.stop();
      // Not switched yet: the new collections are of no use. Switched: they are live, keep them.
      if (generation && !switched) {
        await this.readModels.drop([...generation.physical.values()]).catch(() => undefined);
      }
    } finally {
      clearInterval(heartbeat);
      status.finishedAt = new Date().toISOString();
      await progress(true).catch(() => undefined);
      await this.locks.deleteOne({ _id: this.service.name, runId: status.id }).catch(() => undefined);
    }
  }
}
