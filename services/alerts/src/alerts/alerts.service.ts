/**
 * The alerts: each is an event-sourced stream `alert-<id>` (alert.raised, then alert.acknowledged and/or
 * alert.resolved) published to `alerts.events` by the outbox, and a document in the `alerts` collection for
 * queries. The id is derived from the dedup key (UUID v5), so whoever raises an alert (any instance, any number
 * of times) names the same stream: the event store's unique (stream, version) index lets exactly one `alert.raised`
 * in, and the collection's unique `_id` (and `dedupKey`) index keeps one document. Writes go event first, document
 * second; a crash in between is healed by the next attempt or by our own event coming back from Kafka.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import {
  AlertSeverities,
  alertStreamId,
  DomainError,
  type Actor,
  type AlertEventData,
  type AlertEventEnvelope,
  type AlertKind,
  type AlertResolution,
  type AlertSeverity,
  type AlertStatus,
  type EventEnvelope,
  type NewEvent,
} from '@tracker/contracts';
import { ConcurrencyError, type EventStore } from '@tracker/event-store';
import { Cursor } from '@tracker/platform';
import { EVENT_STORE, ReadModels, type CollectionSource } from '@tracker/service-runtime';
import { severityRank, type AlertDraft, type OpenAlertRef } from '@tracker/alerts-domain';

/** Namespace of the alert ids (UUID v5 of the dedup key). */
const ALERT_ID_NAMESPACE = '5b0f2f4e-7a51-4c36-9d1e-6a3f0c2b8e71';
const DUPLICATE_KEY = 11000;
const MAX_CONFLICT_RETRIES = 3;

export const SYSTEM_ACTOR: Actor = { id: 'alerts', role: 'system' };

export function alertIdOf(dedupKey: string): string {
  return uuidv5(dedupKey, ALERT_ID_NAMESPACE);
}

export interface AlertDoc extends Omit<AlertEventData['alert.raised'], 'alertId'> {
  _id: string;
  /** Last applied version of the alert's stream. */
  version: number;
  status: AlertStatus;
  severityRank: number;
  raisedAt: string;
  /** `<raisedAt>|<_id>`: the sort and cursor key (newest first). */
  seq: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolution?: AlertResolution;
  updatedAt: string;
}

export type AlertView = Omit<AlertDoc, '_id' | 'severityRank' | 'seq'> & { id: string };

export interface Cause {
  correlationId: string;
  causationId?: string | null;
  actor?: Actor;
}

/** A subscription's filters as a query: agreement ids already resolved from countries and commodities. */
export interface AlertScope {
  agreementIds?: readonly string[];
  kinds?: readonly AlertKind[];
  milestoneTypes?: readonly string[];
  minSeverity?: AlertSeverity;
}

export interface ListAlertsQuery {
  agreementId?: string;
  milestoneId?: string;
  kind?: AlertKind;
  status?: AlertStatus;
  minSeverity?: AlertSeverity;
  limit?: number;
  cursor?: string;
}

/** Folds an alert's events into its document (pure). */
export function evolveAlertDoc(doc: AlertDoc | null, e: EventEnvelope): AlertDoc | null {
  const event = e as AlertEventEnvelope;
  switch (event.type) {
    case 'alert.raised': {
      const { alertId, ...data } = event.data;
      return {
        _id: alertId,
        ...data,
        version: event.streamVersion,
        status: 'open',
        severityRank: severityRank(data.severity),
        raisedAt: event.occurredAt,
        seq: `${event.occurredAt}|${alertId}`,
        updatedAt: event.recordedAt,
      };
    }
    case 'alert.acknowledged':
      if (!doc) return null;
      return {
        ...doc,
        version: event.streamVersion,
        status: doc.status === 'resolved' ? 'resolved' : 'acknowledged',
        acknowledgedAt: event.occurredAt,
        acknowledgedBy: event.data.by,
        updatedAt: event.recordedAt,
      };
    case 'alert.resolved':
      if (!doc) return null;
      return { ...doc, version: event.streamVersion, status: 'resolved', resolvedAt: event.occurredAt, resolution: event.data.resolution, updatedAt: event.recordedAt };
    default:
      return doc ? { ...doc, version: e.streamVersion } : doc;
  }
}

/** The `alerts` collection, live (ReadModels) or being filled by a replay. */
export class AlertDocuments {
  constructor(private readonly source: CollectionSource) {}

  get collection(): mongo.Collection<AlertDoc> {
    return this.source.collection<AlertDoc>('alerts');
  }

  async init(): Promise<void> {
    await this.source.define('alerts', [
      { key: { dedupKey: 1 }, options: { unique: true } },
      { key: { milestoneId: 1, status: 1 } },
      { key: { seq: -1 } },
    ]);
  }

  /** Writes `doc` unless a newer version is there (insert, or a version-guarded update). */
  async save(doc: AlertDoc): Promise<void> {
    try {
      const { _id, ...rest } = doc;
      // A new alert is inserted: any document already there is as new or newer, and the primary key refuses the
      // insert. (An upsert behind a version guard scans the collection on FerretDB: each new alert cost one scan.)
      if (doc.version === 1) await this.collection.insertOne(doc);
      else await this.collection.updateOne({ _id, version: { $lt: doc.version } }, { $set: rest }, { upsert: true });
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    }
  }

  /** Folds one `alert.*` event (from `alerts.events`, in stream order) onto its document; redeliveries do nothing. */
  async project(event: EventEnvelope): Promise<void> {
    const { alertId } = event.data as { alertId?: string };
    if (!alertId) return;
    const doc = await this.collection.findOne({ _id: alertId });
    if (doc && doc.version >= event.streamVersion) return;
    const next = evolveAlertDoc(doc, event);
    if (next) await this.save(next);
  }
}

@Injectable()
export class AlertsService {
  private readonly logger = new Logger('AlertsService');
  private readonly documents: AlertDocuments;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    readModels: ReadModels,
  ) {
    this.documents = new AlertDocuments(readModels);
  }

  get alerts(): mongo.Collection<AlertDoc> {
    return this.documents.collection;
  }

  async init(): Promise<void> {
    await this.documents.init();
  }

  /**
   * Raises the alert unless it exists: at most one per dedup key, whoever asks and however often. Returns the
   * alert and whether this call created it.
   */
  async raise(draft: AlertDraft, cause: Cause, occurredAt?: Date): Promise<{ alert: AlertDoc; created: boolean }> {
    const alertId = alertIdOf(draft.dedupKey);
    const existing = await this.alerts.findOne({ _id: alertId });
    if (existing) return { alert: existing, created: false };
    const event: NewEvent = {
      type: 'alert.raised',
      schemaVersion: 1,
      data: { alertId, ...draft } satisfies AlertEventData['alert.raised'],
      ...(occurredAt && { occurredAt: occurredAt.toISOString() }),
    };
    try {
      const [raised] = await this.store.append(alertStreamId(alertId), [event], {
        expectedVersion: 0,
        agreementId: draft.agreementId,
        actor: cause.actor ?? SYSTEM_ACTOR,
        correlationId: cause.correlationId,
        causationId: cause.causationId ?? null,
      });
      const doc = evolveAlertDoc(null, raised)!;
      await this.save(doc);
      return { alert: doc, created: true };
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      // Raised already (another instance, or an earlier attempt that stopped before the document).
      const doc = await this.refresh(alertId, 1);
      if (!doc) throw err;
      return { alert: doc, created: false };
    }
  }

  private save(doc: AlertDoc): Promise<void> {
    return this.documents.save(doc);
  }

  /** Brings the document up to the event store when it is older than `atLeastVersion`. */
  async refresh(alertId: string, atLeastVersion: number): Promise<AlertDoc | null> {
    const doc = await this.alerts.findOne({ _id: alertId });
    if (doc && doc.version >= atLeastVersion) return doc;
    const events = await this.store.readStream(alertStreamId(alertId));
    const folded = events.reduce<AlertDoc | null>(evolveAlertDoc, null);
    if (!folded) return doc;
    await this.save(folded);
    return folded;
  }

  /**
   * Appends one event to an existing alert when `decide` says so (null = nothing to do), against the version of
   * the document read; a lost race re-reads the stream and decides again.
   */
  private async transition(
    alertId: string,
    decide: (doc: AlertDoc) => NewEvent | null,
    cause: Cause,
  ): Promise<AlertDoc> {
    let doc = await this.alerts.findOne({ _id: alertId });
    if (!doc) doc = await this.refresh(alertId, 1);
    if (!doc) throw new DomainError('not-found', `alert ${alertId} not found`);
    for (let attempt = 0; ; attempt++) {
      const event = decide(doc);
      if (!event) return doc;
      try {
        const appended = await this.store.append(alertStreamId(alertId), [event], {
          expectedVersion: doc.version,
          agreementId: doc.agreementId,
          actor: cause.actor ?? SYSTEM_ACTOR,
          correlationId: cause.correlationId,
          causationId: cause.causationId ?? null,
        });
        const next = appended.reduce<AlertDoc | null>(evolveAlertDoc, doc)!;
        await this.save(next);
        return next;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
        doc = (await this.refresh(alertId, err.actualVersion)) ?? doc;
      }
    }
  }

  /** Acknowledges an open alert; acknowledging again answers the alert as it is. A resolved alert: 409. */
  acknowledge(alertId: string, actor: Actor, correlationId: string, note?: string): Promise<AlertDoc> {
    return this.transition(
      alertId,
      (doc) => {
        if (doc.status === 'acknowledged') return null;
        if (doc.status === 'resolved') throw new DomainError('invalid-transition', `alert ${alertId} is already resolved (${doc.resolution})`);
        return {
          type: 'alert.acknowledged',
          schemaVersion: 1,
          data: { alertId, agreementId: doc.agreementId, by: actor.id, ...(note && { note }) } satisfies AlertEventData['alert.acknowledged'],
        };
      },
      { actor, correlationId },
    );
  }

  /** Closes an open or acknowledged alert; a resolved one stays as it is. */
  resolve(alertId: string, resolution: AlertResolution, cause: Cause): Promise<AlertDoc> {
    return this.transition(
      alertId,
      (doc) =>
        doc.status === 'resolved'
          ? null
          : {
              type: 'alert.resolved',
              schemaVersion: 1,
              data: {
                alertId,
                agreementId: doc.agreementId,
                resolution,
                ...(cause.causationId && { causedByEventId: cause.causationId }),
              } satisfies AlertEventData['alert.resolved'],
            },
      cause,
    );
  }

  /** Open or acknowledged alerts of a milestone. */
  async openAlertsOf(milestoneId: string): Promise<OpenAlertRef[]> {
    const docs = await this.alerts
      .find({ milestoneId, status: { $in: ['open', 'acknowledged'] } }, { projection: { _id: 1, kind: 1, dueDate: 1 } })
      .toArray();
    return docs.map((d) => ({ alertId: d._id, kind: d.kind, dueDate: d.dueDate }));
  }

  async get(alertId: string): Promise<AlertView> {
    const doc = (await this.alerts.findOne({ _id: alertId })) ?? (await this.refresh(alertId, 1));
    if (!doc) throw new DomainError('not-found', `alert ${alertId} not found`);
    return toView(doc);
  }

  /** Newest first; every filter optional; `nextCursor` pages on. */
  async list(query: ListAlertsQuery, scope: AlertScope = {}): Promise<{ items: AlertView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter: mongo.Filter<AlertDoc> = {};
    if (scope.agreementIds) filter.agreementId = { $in: [...scope.agreementIds] };
    if (scope.kinds?.length) filter.kind = { $in: [...scope.kinds] };
    if (scope.milestoneTypes?.length) filter.milestoneType = { $in: [...scope.milestoneTypes] } as never;
    if (scope.minSeverity) filter.severityRank = { $gte: severityRank(scope.minSeverity) };
    const and: Array<mongo.Filter<AlertDoc>> = [];
    if (query.agreementId) and.push({ agreementId: query.agreementId });
    if (query.milestoneId) filter.milestoneId = query.milestoneId;
    if (query.kind) and.push({ kind: query.kind });
    if (query.status) filter.status = query.status;
    if (query.minSeverity && query.minSeverity !== AlertSeverities[0]) and.push({ severityRank: { $gte: severityRank(query.minSeverity) } });
    if (query.cursor) filter.seq = { $lt: Cursor.decode(query.cursor) };
    if (and.length) filter.$and = and;
    const docs = await this.alerts.find(filter).sort({ seq: -1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return { items: page.map(toView), nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!.seq) : null };
  }

  /** Our own `alert.*` events coming back from Kafka: heals a document a crash left behind its stream. */
  async onOwnEvent(envelope: EventEnvelope): Promise<void> {
    const { alertId } = envelope.data as { alertId?: string };
    if (!alertId) return;
    const doc = await this.refresh(alertId, envelope.streamVersion);
    if (!doc) this.logger.warn(`alert ${alertId}: event ${envelope.eventId} arrived but its stream is not in this store`);
  }
}

export function toView(doc: AlertDoc): AlertView {
  const { _id, severityRank: _r, seq: _s, ...rest } = doc;
  return { id: _id, ...rest };
}
