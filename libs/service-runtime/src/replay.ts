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
 * One replay at a time per service (a Lease renewed on a timer); progress is kept in `replays`.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Connection, mongo } from 'mongoose';
import type { Actor, EventEnvelope } from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { Lease, TopicReplay, type TopicRange } from '@tracker/messaging';
import { latestOccurredAt, type FoldedStream, type StoreProjection, type TopicProjection } from './projections';
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

const LOCK_STALE_MS = 60_000;
/** The leases of replays, one per service (`_id` = the service name, owner = the run id). */
const LEASES = 'replay_leases';
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

type History = mongo.Collection<ReplayStatus & { _id: string }>;

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

  private get history(): History {
    return this.connection.collection('replays');
  }

  /** The service's replay lease as run `runId` holds (or tries to hold) it. */
  private leaseOf(runId: string): Lease {
    return new Lease(this.connection, { name: this.service.name, owner: runId, ttlMs: LOCK_STALE_MS, collection: LEASES });
  }

  /** Starts a replay in the background; its status at once. Throws ReplayInProgressError if one runs. */
  async start(actor: Actor): Promise<ReplayStatus> {
    const id = randomUUID();
    const lease = await this.lock(id);
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
    const run = new ReplayRun(status, lease, this.history, this.logger, {
      projections: this.service.projections,
      prefix: this.settings.topicPrefix,
      serviceName: this.service.name,
      store: this.store,
      kafka: this.kafka,
      readModels: this.readModels,
    });
    this.running = { id, done: run.execute().finally(() => (this.running = undefined)) };
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
   * A run recorded as running that does not hold the lease: the process running it stopped. It is recorded as
   * failed, and the collections it was filling are dropped (unless it had switched to them: then they are live).
   * Should it be alive after all, its next progress save finds it recorded failed and it stops.
   */
  private async unlessAbandoned(status: ReplayStatus): Promise<ReplayStatus> {
    if (status.status !== 'running' || status.service !== this.service.name) return status;
    if ((await this.leaseOf(status.id).holder())?.owner === status.id) return status;
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

  /** Takes the service's replay lease for run `runId`; runs recorded running without it died and are recorded so. */
  private async lock(runId: string): Promise<Lease> {
    if (this.running) throw new ReplayInProgressError(this.running.id);
    const lease = this.leaseOf(runId);
    if (!(await lease.acquire())) throw new ReplayInProgressError((await lease.holder())?.owner ?? 'unknown');
    const stale = await this.history.find({ service: this.service.name, status: 'running', _id: { $ne: runId } }).toArray();
    for (const { _id, ...status } of stale) await this.unlessAbandoned(status);
    return lease;
  }
}

interface RunDependencies {
  projections: readonly (StoreProjection | TopicProjection)[];
  prefix: string;
  serviceName: string;
  store: EventStore;
  kafka: Kafka;
  readModels: ReadModels;
}

/** One replay, phase by phase (see the top of this file). */
class ReplayRun {
  private readonly started = Date.now();
  private lastSaved = 0;
  private phaseStarted = Date.now();
  private lockLost = false;
  private readonly storeProjections: StoreProjection[];
  private readonly topicProjections: TopicProjection[];
  private readonly names: string[];
  private reader?: TopicReplay;
  private ranges: TopicRange[] = [];
  private generation?: Generation;
  /** Where topic projections write: the new generation until the switch, then the live (= new) collections. */
  private target: CollectionSource;
  private switched = false;
  private previous: string[] = [];
  private readonly folds: Map<StoreProjection, Map<string, FoldedStream<unknown>>>;
  private lastPosition = 0;
  private readonly missing: number[] = [];

  constructor(
    private readonly status: ReplayStatus,
    private readonly lease: Lease,
    private readonly history: History,
    private readonly logger: Logger,
    private readonly deps: RunDependencies,
  ) {
    this.storeProjections = deps.projections.filter((p): p is StoreProjection => p.source === 'store');
    this.topicProjections = deps.projections.filter((p): p is TopicProjection => p.source === 'topics');
    this.names = [...new Set(deps.projections.flatMap((p) => p.collections.map((c) => c.name)))];
    this.folds = new Map(this.storeProjections.map((p) => [p, new Map()]));
    this.target = deps.readModels;
  }

  async execute(): Promise<void> {
    const { status } = this;
    // On a timer, not with progress: a phase can be long without progress (the store's first, sorted batch). On a busy
    // connection pool a beat can still wait behind a long query: a run whose lease went stale meanwhile and
    // was taken over stops at its next progress, before it switches anything.
    const heartbeat = setInterval(() => {
      void this.lease
        .acquire()
        .then((held) => {
          if (!held) this.lockLost = true;
        })
        .catch(() => undefined);
    }, LOCK_STALE_MS / 6);
    try {
      await this.prepare();
      if (this.storeProjections.length > 0) {
        await this.phase('reading-store');
        await this.readStore();
        await this.phase('writing');
        await this.writeStore();
      }
      if (this.reader) {
        await this.phase('reading-topics');
        await this.reader.start();
        await this.reader.readToEnd(this.ranges);
      }
      await this.phase('switching');
      await this.switchOver();
      await this.phase('catching-up');
      await this.catchUp();
      await this.phase('cleaning-up');
      await this.cleanUp();
      await this.phase('done');
      status.status = 'succeeded';
    } catch (err) {
      status.status = 'failed';
      status.error = (err as Error).message;
      this.logger.error(`replay ${status.id} failed in ${status.phase}: ${(err as Error).stack ?? err}`);
      await this.reader?.stop();
      // Not switched yet: the new collections are of no use. Switched: they are live, keep them.
      if (this.generation && !this.switched) {
        await this.deps.readModels.drop([...this.generation.physical.values()]).catch(() => undefined);
      }
    } finally {
      clearInterval(heartbeat);
      status.finishedAt = new Date().toISOString();
      await this.progress(true).catch(() => undefined);
      await this.lease.release().catch(() => undefined);
    }
  }

  private async progress(force = false): Promise<void> {
    const { status } = this;
    const seconds = (Date.now() - this.started) / 1000;
    status.eventsPerSecond = seconds > 0 ? Math.round(status.eventsDone / seconds) : 0;
    const left = Math.max(0, status.eventsTotal - status.eventsDone);
    status.secondsLeft = status.eventsPerSecond > 0 ? Math.ceil(left / status.eventsPerSecond) : null;
    if (!force && Date.now() - this.lastSaved < 1000) return;
    this.lastSaved = Date.now();
    const { id, ...rest } = status;
    // Only while recorded as running: never over the "abandoned" another instance recorded.
    const saved = await this.history.updateOne({ _id: id, status: 'running' }, { $set: rest });
    if (status.status === 'running' && (this.lockLost || saved.matchedCount === 0)) throw new Error(LOCK_LOST);
  }

  private async phase(p: ReplayPhase): Promise<void> {
    const { status } = this;
    status.phaseSeconds[status.phase] = (status.phaseSeconds[status.phase] ?? 0) + (Date.now() - this.phaseStarted) / 1000;
    this.phaseStarted = Date.now();
    status.phase = p;
    this.logger.log(`replay ${status.id}: ${p} (${status.eventsDone}/${status.eventsTotal} events)`);
    await this.progress(true);
  }

  /** Fresh collections, the topic reader and its ranges, and the estimate of events to read. */
  private async prepare(): Promise<void> {
    const { status, deps } = this;
    for (const name of deps.readModels.names()) {
      if (!this.names.includes(name)) status.warnings.push(`read model ${name} has no projection in this service: it was not rebuilt`);
    }
    this.generation = await deps.readModels.newGeneration(this.names, generationTag(status));
    this.target = this.generation;
    const topics = [...new Set(this.topicProjections.flatMap((p) => p.topics))];
    if (topics.length > 0) {
      this.reader = new TopicReplay({
        kafka: deps.kafka,
        groupId: `${deps.prefix}${deps.serviceName}.replay-${status.id}`,
        topics: topics.map((t) => deps.prefix + t),
        // Upcast per projection, as live: a raw one (the journal) reads events as published.
        handler: async (published, topic) => {
          const ofTopic = this.topicProjections.filter((p) => p.topics.some((t) => deps.prefix + t === topic));
          const upcast = published.map((e) => deps.store.upcasters.upcast(e));
          const eventsFor = (p: TopicProjection) => (p.raw ? published : upcast);
          for (let i = 0; i < published.length; i++) for (const p of ofTopic) if (!p.applyMany) await p.apply(this.target, eventsFor(p)[i]);
          for (const p of ofTopic) await p.applyMany?.(this.target, eventsFor(p));
          status.eventsDone += published.length;
          await this.progress();
        },
      });
      this.ranges = await this.reader.ranges();
      for (const r of this.ranges) {
        if (BigInt(r.low) > 0n) status.warnings.push(`${r.topic} partition ${r.partition} starts at offset ${r.low}: older events were deleted by the topic's retention and cannot be replayed (set KAFKA_TOPIC_RETENTION_MS=-1)`);
      }
    }
    // Positions handed out, not a count: an upper bound (burned positions) read by _id, where a count of the
    // store is a scan on FerretDB.
    status.eventsTotal =
      (this.storeProjections.length > 0 ? await deps.store.highestPosition() : 0) +
      this.ranges.reduce((n, r) => n + Number(BigInt(r.high) - BigInt(r.low)), 0);
  }

  /** Folds one stored event into every store projection that views its aggregate; notes the streams it moved. */
  private fold(event: EventEnvelope, touched?: Set<string>): void {
    for (const [p, streams] of this.folds) {
      if (!p.aggregate.owns(event)) continue;
      const s = streams.get(event.streamId);
      if (s && s.version >= event.streamVersion) continue;
      streams.set(event.streamId, {
        streamId: event.streamId,
        state: p.aggregate.decider.evolve(s ? s.state : p.aggregate.decider.initialState(), event as never),
        version: event.streamVersion,
        first: s?.first ?? event,
        last: event,
        latestOccurredAt: latestOccurredAt([event], s?.latestOccurredAt),
      });
      touched?.add(event.streamId);
    }
  }

  /** 1. The store, in position order, folded in memory; positions missing from the sequence are remembered. */
  private async readStore(): Promise<void> {
    for await (const event of this.deps.store.readAll({ batchSize: 1000 })) {
      for (let p = this.lastPosition + 1; p < event.position; p++) this.missing.push(p);
      this.lastPosition = event.position;
      this.fold(event);
      this.status.eventsDone++;
      await this.progress();
    }
  }

  /** Each stream's documents, inserted in batches into the fresh collections. */
  private async writeStore(): Promise<void> {
    const byCollection = new Map<string, Array<{ _id: string }>>();
    for (const [p, streams] of this.folds) {
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
        await this.generation!.collection(collection).insertMany(docs.slice(i, i + WRITE_BATCH) as never[], { ordered: false });
      }
    }
  }

  /** 3. Switch, then give other instances time to see it. */
  private async switchOver(): Promise<void> {
    const { readModels } = this.deps;
    this.previous = await readModels.switchTo(this.generation!);
    this.switched = true;
    this.target = readModels;
    await new Promise((r) => setTimeout(r, readModels.refreshMs > 0 ? readModels.refreshMs + 1000 : 0));
  }

  /** 4. What was recorded meanwhile, into the live collections: late and new store events, the topics' rest. */
  private async catchUp(): Promise<void> {
    const { store, readModels } = this.deps;
    if (this.storeProjections.length > 0) {
      const touched = new Set<string>();
      const late = this.missing.length > 0 ? await store.readPositions(this.missing) : [];
      // Only if positions were handed out since: a read of the store is a scan of it on FerretDB.
      if ((await store.highestPosition()) > this.lastPosition) {
        for await (const event of store.readAll({ fromPosition: this.lastPosition, batchSize: 1000 })) late.push(event);
      }
      for (const event of late) {
        this.fold(event, touched);
        this.status.eventsDone++;
      }
      for (const [p, streams] of this.folds) {
        for (const streamId of touched) {
          const folded = streams.get(streamId);
          if (folded) await p.write(readModels, folded);
        }
      }
    }
    if (this.reader) await this.reader.readToEnd();
  }

  private async cleanUp(): Promise<void> {
    const { readModels } = this.deps;
    await this.reader?.stop();
    this.reader = undefined;
    const fresh = new Set(this.generation!.physical.values());
    await readModels.drop(this.previous.filter((name) => !fresh.has(name)));
    for (const name of this.names) this.status.documents[name] = await readModels.collection(name).countDocuments({});
    this.status.eventsTotal = this.status.eventsDone; // the estimate counted unused positions and offsets
  }
}
