/**
 * The alerts: each is an event-sourced stream `alert-<id>` (alert.raised, then alert.acknowledged and/or
 * alert.resolved) decided by the Alert decider (@tracker/alerts-domain), published to `alerts.events` by the
 * outbox, and a document in the `alerts` collection for queries. The id is derived from the dedup key (UUID v5), so whoever raises an alert (any instance, any number
 * of times) names the same stream: the event store's unique (stream, version) index lets exactly one `alert.raised`
 * in, and the collection's unique `_id` (and `dedupKey`) index keeps one document. Writes go event first, document
 * second; a crash in between is healed by the next attempt or by our own event coming back from Kafka.
 *
 * `milestone_alerts` lists the alerts of each milestone that may be open (`_id` = milestone id), so that the
 * milestone events that close alerts find them by one `_id` lookup instead of a query on `milestoneId` (which
 * reads the whole collection on FerretDB). It is a hint kept on the safe side: an alert is listed before its
 * open document is written and unlisted after its resolved one is, and readers check each listed alert's
 * document, so a crash in between leaves at worst a stale entry, never a missing one.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import {
  AlertSeverities,
  alertStreamId,
  DomainError,
  Topics,
  type Actor,
  type AlertEventData,
  type AlertEventEnvelope,
  type AlertInhibition,
  type AlertKind,
  type AlertResolution,
  type AlertSeverity,
  type AlertStatus,
  type EventEnvelope,
  RecipientStates,
  type RecipientState,
} from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { addToSortedList, guardedUpsert, removeFromSortedList, unlessDuplicate } from '@tracker/mongo';
import { Cursor } from '@tracker/platform';
import { Aggregates, agreementOfStream, defineAggregate, EVENT_STORE, ReadModels, type CollectionSource, type TopicProjection } from '@tracker/service-runtime';
import { alertDecider, severityRank, type AlertCommand, type AlertDraft, type AlertState, type OpenAlertRef } from '@tracker/alerts-domain';

/** Namespace of the alert ids (UUID v5 of the dedup key). */
const ALERT_ID_NAMESPACE = '5b0f2f4e-7a51-4c36-9d1e-6a3f0c2b8e71';

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
  /** Business time: when its cause happened (a back-filled report's date). */
  raisedAt: string;
  /** System time: when the tracker recorded it, however far back its cause lies. */
  recordedAt: string;
  /**
   * `<position of alert.raised in the service's log, zero-padded>|<_id>`: the inbox's sort and cursor key (newest
   * first) and the live stream's position. In the order the tracker learned of alerts, so an alert raised today
   * about last month (a back-filled report) is at the top of the inbox and replayed to a reconnecting stream.
   */
  seq: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  /** Every acknowledgement, with its note (shown on the alert). */
  acknowledgements?: Array<{ by: string; at: string; note?: string }>;
  /** Each recipient that acted on the alert: where it stands now (one entry per recipient). */
  recipients?: RecipientStand[];
  /** Why it is held back, while it is (its agreement suspended), and since when. */
  inhibited?: AlertInhibition;
  inhibitedAt?: string;
  resolvedAt?: string;
  /** System time of the resolution (`resolvedAt` is business time): what a digest counts as changed since. */
  resolvedRecordedAt?: string;
  resolution?: AlertResolution;
  updatedAt: string;
}

/**
 * An alert's `seq` (above): padded so that positions compare as strings, after `p` so that it sorts above the
 * `<ISO time>|<id>` of documents folded before it (until `npm run replay -- alerts` rewrites them), keeping an
 * upgraded inbox newest first.
 */
export function alertSeq(position: number, alertId: string): string {
  return `p${String(position).padStart(16, '0')}|${alertId}`;
}

/** One recipient's own stand on an alert (`by`: the subscription owner's actor id). */
export interface RecipientStand {
  by: string;
  state: RecipientState;
  at: string;
  note?: string;
  /** snoozed: until when (ISO time). */
  until?: string;
}

/** Where recipient `by` stands on the alert now: absent = not acted on; a snooze that ran out counts as absent. */
export function standOf(doc: Pick<AlertDoc, 'recipients'>, by: string, now?: Date): RecipientStand | undefined {
  const stand = doc.recipients?.find((r) => r.by === by);
  if (stand?.state === 'snoozed' && now && stand.until && Date.parse(stand.until) <= now.getTime()) return undefined;
  return stand;
}

function withStand(doc: AlertDoc, stand: RecipientStand): AlertDoc['recipients'] {
  return [...(doc.recipients ?? []).filter((r) => r.by !== stand.by), stand];
}

/** The alerts of one milestone that may be open (see above). */
export interface MilestoneAlertsDoc {
  _id: string;
  alertIds: string[];
}

const isOpen = (status: AlertStatus) => status === 'open' || status === 'acknowledged';

export type AlertView = Omit<AlertDoc, '_id' | 'severityRank' | 'seq' | 'resolvedRecordedAt'> & { id: string };

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
        recordedAt: event.recordedAt,
        seq: alertSeq(event.position, alertId),
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
        acknowledgements: [...(doc.acknowledgements ?? []), { by: event.data.by, at: event.occurredAt, ...(event.data.note && { note: event.data.note }) }],
        recipients: withStand(doc, { by: event.data.by, state: 'acknowledged', at: event.occurredAt, ...(event.data.note && { note: event.data.note }) }),
        updatedAt: event.recordedAt,
      };
    case 'alert.snoozed':
      if (!doc) return null;
      return {
        ...doc,
        version: event.streamVersion,
        recipients: withStand(doc, { by: event.data.by, state: 'snoozed', at: event.occurredAt, until: event.data.until, ...(event.data.note && { note: event.data.note }) }),
        updatedAt: event.recordedAt,
      };
    case 'alert.markedDone':
      if (!doc) return null;
      return {
        ...doc,
        version: event.streamVersion,
        recipients: withStand(doc, { by: event.data.by, state: 'done', at: event.occurredAt, ...(event.data.note && { note: event.data.note }) }),
        updatedAt: event.recordedAt,
      };
    case 'alert.inhibited':
      if (!doc) return null;
      return { ...doc, version: event.streamVersion, inhibited: event.data.reason, inhibitedAt: event.occurredAt, updatedAt: event.recordedAt };
    case 'alert.released': {
      if (!doc) return null;
      const { inhibited: _i, inhibitedAt: _a, ...rest } = doc;
      return { ...rest, version: event.streamVersion, updatedAt: event.recordedAt };
    }
    case 'alert.resolved': {
      if (!doc) return null;
      const { inhibited: _i, inhibitedAt: _a, ...rest } = doc;
      return { ...rest, version: event.streamVersion, status: 'resolved', resolvedAt: event.occurredAt, resolvedRecordedAt: event.recordedAt, resolution: event.data.resolution, updatedAt: event.recordedAt };
    }
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

  get byMilestone(): mongo.Collection<MilestoneAlertsDoc> {
    return this.source.collection<MilestoneAlertsDoc>('milestone_alerts');
  }

  /** The alerts of each agreement that may be open (`_id` = agreement id), kept like `milestone_alerts`. */
  get byAgreement(): mongo.Collection<MilestoneAlertsDoc> {
    return this.source.collection<MilestoneAlertsDoc>('agreement_alerts');
  }

  /** Writes `doc` unless a newer version is there (insert, or a version-guarded update). */
  async save(doc: AlertDoc): Promise<void> {
    const milestoneId = typeof doc.milestoneId === 'string' ? doc.milestoneId : null;
    // Listed before an open document is written, unlisted after a resolved one is (see above).
    if (isOpen(doc.status)) await addToSortedList(this.byAgreement, doc.agreementId, 'alertIds', doc._id);
    if (milestoneId && isOpen(doc.status)) await addToSortedList(this.byMilestone, milestoneId, 'alertIds', doc._id);
    // A new alert is inserted: any document already there is as new or newer, and the primary key refuses the
    // insert. (An upsert behind a version guard scans the collection on FerretDB: each new alert cost one scan.)
    if (doc.version === 1) await unlessDuplicate(() => this.collection.insertOne(doc));
    else await guardedUpsert(this.collection, doc, { unset: ['inhibited', 'inhibitedAt'] });
    if (milestoneId && !isOpen(doc.status)) await removeFromSortedList(this.byMilestone, milestoneId, 'alertIds', doc._id);
    if (!isOpen(doc.status)) await removeFromSortedList(this.byAgreement, doc.agreementId, 'alertIds', doc._id);
  }

  /** Open or acknowledged alerts of an agreement (milestone and agreement-level ones), each checked like openOf's. */
  async openOfAgreement(agreementId: string): Promise<AlertDoc[]> {
    const list = await this.byAgreement.findOne({ _id: agreementId });
    const docs = await Promise.all((list?.alertIds ?? []).map((id) => this.collection.findOne({ _id: id })));
    return docs.filter((d): d is AlertDoc => d !== null && d.agreementId === agreementId && isOpen(d.status));
  }

  /** Open or acknowledged alerts of a milestone: its list, each entry checked against the alert's document. */
  async openOf(milestoneId: string): Promise<AlertDoc[]> {
    const list = await this.byMilestone.findOne({ _id: milestoneId });
    const docs = await Promise.all((list?.alertIds ?? []).map((id) => this.collection.findOne({ _id: id })));
    return docs.filter((d): d is AlertDoc => d !== null && d.milestoneId === milestoneId && isOpen(d.status));
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

export const alertAggregate = defineAggregate({
  name: 'alert',
  decider: alertDecider,
  streamId: alertStreamId,
  idOf: (event) => (event.data as { alertId: string }).alertId,
  owns: (event) => event.type.startsWith('alert.'),
  agreementId: agreementOfStream,
});

/**
 * `alerts`, folded from `alerts.events` (the service's own topic): written after each command by AlertsService,
 * brought up to date by this projection when a process stopped in between, rebuilt from the topic by a replay.
 */
export const alertViews: TopicProjection = {
  source: 'topics',
  name: 'alert-views',
  collections: [
    {
      name: 'alerts',
      // seq: the inbox's order; agreementId+seq: an agreement's alerts, newest first (the agreement page), on MongoDB.
      indexes: [{ key: { dedupKey: 1 }, options: { unique: true } }, { key: { milestoneId: 1, status: 1 } }, { key: { seq: -1 } }, { key: { agreementId: 1, seq: -1 } }],
    },
    { name: 'milestone_alerts' },
    { name: 'agreement_alerts' },
  ],
  topics: [Topics.alerts],
  async apply(into, event) {
    if (event.type.startsWith('alert.')) await new AlertDocuments(into).project(event);
  },
};

/** The decider's state as the document knows it (what decide reads: status, resolution, the raised facts). */
function stateOf(doc: AlertDoc): AlertState {
  const {
    _id,
    version: _v,
    status,
    severityRank: _r,
    raisedAt: _ra,
    recordedAt: _rc,
    seq: _s,
    acknowledgedAt: _aa,
    acknowledgedBy,
    acknowledgements: _acks,
    recipients,
    inhibited,
    inhibitedAt: _ia,
    resolvedAt: _rs,
    resolvedRecordedAt: _rr,
    resolution,
    updatedAt: _u,
    ...draft
  } = doc;
  return {
    exists: true,
    alertId: _id,
    ...draft,
    status,
    ...(acknowledgedBy !== undefined && { acknowledgedBy }),
    ...(resolution !== undefined && { resolution }),
    ...(inhibited !== undefined && { inhibited }),
    ...(recipients?.length && { recipients: Object.fromEntries(recipients.map((r) => [r.by, { state: r.state, ...(r.until && { until: r.until }) }])) }),
  } as AlertState;
}

@Injectable()
export class AlertsService {
  private readonly documents: AlertDocuments;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly aggregates: Aggregates,
    readModels: ReadModels,
  ) {
    this.documents = new AlertDocuments(readModels);
  }

  get alerts(): mongo.Collection<AlertDoc> {
    return this.documents.collection;
  }

  /**
   * Runs one command on an alert, deciding on the state its document shows (a stale document costs a reload of
   * the stream: the append at its version is refused), then writes the document.
   */
  private async execute(alertId: string, command: AlertCommand, cause: Cause, doc: AlertDoc | null): Promise<{ doc: AlertDoc | null; created: boolean }> {
    const result = await this.aggregates.execute(alertAggregate, alertId, command, {
      actor: cause.actor ?? SYSTEM_ACTOR,
      correlationId: cause.correlationId,
      causationId: cause.causationId ?? null,
      assume: doc ? { state: stateOf(doc), version: doc.version } : { state: alertDecider.initialState(), version: 0 },
    });
    if (result.newEvents.length === 0) return { doc: await this.refresh(alertId, result.version), created: false };
    const created = result.newEvents[0].type === 'alert.raised';
    // Decided on the document's state: fold the new events onto it. Decided after a reload (the document was
    // behind its stream): fold the whole stream instead, so nothing the document missed is lost.
    if (result.newEvents[0].streamVersion !== (doc?.version ?? 0) + 1) return { doc: await this.refresh(alertId, result.version), created };
    const next = result.newEvents.reduce<AlertDoc | null>(evolveAlertDoc, doc);
    if (next) await this.save(next);
    return { doc: next, created };
  }

  /**
   * Raises the alert unless it exists: at most one per dedup key, whoever asks and however often. Returns the
   * alert and whether this call created it.
   */
  async raise(draft: AlertDraft, cause: Cause, occurredAt?: Date): Promise<{ alert: AlertDoc; created: boolean }> {
    const alertId = alertIdOf(draft.dedupKey);
    const existing = await this.alerts.findOne({ _id: alertId });
    if (existing) return { alert: existing, created: false };
    // Raised already by another instance, or by an attempt that stopped before the document: nothing is decided.
    const { doc, created } = await this.execute(alertId, { kind: 'raise', alertId, draft, ...(occurredAt && { occurredAt: occurredAt.toISOString() }) }, cause, null);
    if (!doc) throw new DomainError('not-found', `alert ${alertId} not found`);
    return { alert: doc, created };
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

  /** An existing alert's document (healed from the stream if missing), or 404. */
  private async existing(alertId: string): Promise<AlertDoc> {
    const doc = (await this.alerts.findOne({ _id: alertId })) ?? (await this.refresh(alertId, 1));
    if (!doc) throw new DomainError('not-found', `alert ${alertId} not found`);
    return doc;
  }

  /** Acknowledges an open alert; acknowledging again answers the alert as it is. A resolved alert: 409. */
  async acknowledge(alertId: string, actor: Actor, correlationId: string, note?: string): Promise<AlertDoc> {
    const doc = await this.existing(alertId);
    return (await this.execute(alertId, { kind: 'acknowledge', alertId, by: actor.id, ...(note && { note }) }, { actor, correlationId }, doc)).doc ?? doc;
  }

  /** Out of `actor`'s inbox and reminders until `until`; the alert stays open for everyone else. */
  async snooze(alertId: string, actor: Actor, correlationId: string, until: string, now: Date, note?: string): Promise<AlertDoc> {
    const doc = await this.existing(alertId);
    const command: AlertCommand = { kind: 'snooze', alertId, by: actor.id, until, now: now.toISOString(), ...(note && { note }) };
    return (await this.execute(alertId, command, { actor, correlationId }, doc)).doc ?? doc;
  }

  /** `actor` dealt with the alert: out of its inbox and reminders for good. */
  async markDone(alertId: string, actor: Actor, correlationId: string, note?: string): Promise<AlertDoc> {
    const doc = await this.existing(alertId);
    return (await this.execute(alertId, { kind: 'markDone', alertId, by: actor.id, ...(note && { note }) }, { actor, correlationId }, doc)).doc ?? doc;
  }

  /** Holds an open alert back while `reason` lasts (nothing if resolved or inhibited already). */
  async inhibit(alertId: string, reason: AlertInhibition, cause: Cause): Promise<AlertDoc> {
    const doc = await this.existing(alertId);
    return (await this.execute(alertId, { kind: 'inhibit', alertId, reason, causedByEventId: cause.causationId ?? null }, cause, doc)).doc ?? doc;
  }

  /** Brings an inhibited alert back (nothing if it is not inhibited or resolved). */
  async release(alertId: string, cause: Cause): Promise<AlertDoc> {
    const doc = await this.existing(alertId);
    return (await this.execute(alertId, { kind: 'release', alertId, causedByEventId: cause.causationId ?? null }, cause, doc)).doc ?? doc;
  }

  /** Closes an open or acknowledged alert; a resolved one stays as it is. */
  async resolve(alertId: string, resolution: AlertResolution, cause: Cause): Promise<AlertDoc> {
    const doc = await this.existing(alertId);
    return (await this.execute(alertId, { kind: 'resolve', alertId, resolution, causedByEventId: cause.causationId ?? null }, cause, doc)).doc ?? doc;
  }

  /** Open or acknowledged alerts of an agreement, whole documents (inhibition and closing on termination need them). */
  openAlertsOfAgreement(agreementId: string): Promise<AlertDoc[]> {
    return this.documents.openOfAgreement(agreementId);
  }

  /** Open or acknowledged alerts of a milestone. */
  async openAlertsOf(milestoneId: string): Promise<OpenAlertRef[]> {
    const docs = await this.documents.openOf(milestoneId);
    return docs.map((d) => ({ alertId: d._id, kind: d.kind, dueDate: d.dueDate }));
  }

  /** An alert's document (healed from the stream if missing), or 404. */
  async document(alertId: string): Promise<AlertDoc> {
    const doc = (await this.alerts.findOne({ _id: alertId })) ?? (await this.refresh(alertId, 1));
    if (!doc) throw new DomainError('not-found', `alert ${alertId} not found`);
    return doc;
  }

  async get(alertId: string): Promise<AlertView> {
    return toView(await this.document(alertId));
  }

  /**
   * Newest first; every filter optional; `nextCursor` pages on. `scopes`: the alerts any of them matches (a
   * stakeholder's subscriptions; none: nothing; absent: every alert). `keep`: a test on each document the query
   * cannot express (a recipient's stand, which depends on now): the query's documents are read in order until a
   * page is full, a scan this user route may afford (never a hot path).
   */
  async list(
    query: ListAlertsQuery,
    options: { scopes?: readonly AlertScope[]; keep?: (doc: AlertDoc) => boolean } = {},
  ): Promise<{ items: AlertDoc[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const scoped = options.scopes ? scopesFilter(options.scopes) : {};
    if (scoped === null) return { items: [], nextCursor: null };
    const filter: mongo.Filter<AlertDoc> = {};
    const and: Array<mongo.Filter<AlertDoc>> = Object.keys(scoped).length ? [scoped] : [];
    if (query.agreementId) and.push({ agreementId: query.agreementId });
    if (query.milestoneId) filter.milestoneId = query.milestoneId;
    if (query.kind) and.push({ kind: query.kind });
    if (query.status) filter.status = query.status;
    if (query.minSeverity && query.minSeverity !== AlertSeverities[0]) and.push({ severityRank: { $gte: severityRank(query.minSeverity) } });
    if (query.cursor) filter.seq = { $lt: Cursor.decode(query.cursor) };
    if (and.length) filter.$and = and;
    const found = this.alerts.find(filter).sort({ seq: -1 });
    const docs: AlertDoc[] = [];
    if (!options.keep) docs.push(...(await found.limit(limit + 1).toArray()));
    else {
      for await (const doc of found) {
        if (options.keep(doc)) docs.push(doc);
        if (docs.length > limit) break;
      }
      await found.close();
    }
    const page = docs.slice(0, limit);
    return { items: page, nextCursor: docs.length > limit ? Cursor.encode(page[page.length - 1].seq) : null };
  }
}

/** One scope as a query (`{}`: every alert; null: none, e.g. countries that match no agreement). */
function scopeFilter(scope: AlertScope): mongo.Filter<AlertDoc> | null {
  if (scope.agreementIds && scope.agreementIds.length === 0) return null;
  const filter: mongo.Filter<AlertDoc> = {};
  if (scope.agreementIds) filter.agreementId = { $in: [...scope.agreementIds] };
  if (scope.kinds?.length) filter.kind = { $in: [...scope.kinds] };
  if (scope.milestoneTypes?.length) filter.milestoneType = { $in: [...scope.milestoneTypes] } as never;
  if (scope.minSeverity) filter.severityRank = { $gte: severityRank(scope.minSeverity) };
  return filter;
}

/** The union of scopes as a query (`{}`: every alert; null: no alert). */
export function scopesFilter(scopes: readonly AlertScope[]): mongo.Filter<AlertDoc> | null {
  const filters = scopes.map(scopeFilter).filter((f): f is mongo.Filter<AlertDoc> => f !== null);
  if (filters.length === 0) return null;
  if (filters.some((f) => Object.keys(f).length === 0)) return {};
  return filters.length === 1 ? filters[0] : { $or: filters };
}

/** Where a recipient stands on an alert, in its inbox: `open` until it acts (or its snooze runs out). */
export const MineStates = ['open', ...RecipientStates] as const;
export type MineState = (typeof MineStates)[number];

export interface Mine {
  state: MineState;
  /** When it acted. */
  at?: string;
  note?: string;
  /** snoozed: until when. */
  until?: string;
}

/** What the inbox shows of a silence that covers an alert: recorded, not delivered. */
export interface SilencedMark {
  id: string;
  until: string;
  comment: string;
}

/**
 * An alert as a recipient sees it: the shared facts and its own stand; not the other recipients' stands nor who
 * acknowledged (one stakeholder's acknowledgement is not another's business).
 */
export type InboxAlertView = Omit<AlertView, 'acknowledgedAt' | 'acknowledgedBy' | 'acknowledgements' | 'recipients'> & {
  mine: Mine;
  silenced?: SilencedMark;
};

export function mineOf(doc: Pick<AlertDoc, 'recipients'>, by: string, now: Date): Mine {
  const stand = standOf(doc, by, now);
  if (!stand) return { state: 'open' };
  return { state: stand.state, at: stand.at, ...(stand.note && { note: stand.note }), ...(stand.until && { until: stand.until }) };
}

/** An alert as recipient `by` sees it at `now`. */
export function toInboxView(doc: AlertDoc, by: string, now: Date, silenced?: SilencedMark | null): InboxAlertView {
  const { acknowledgedAt: _at, acknowledgedBy: _by, acknowledgements: _acks, recipients: _r, ...shared } = toView(doc);
  return { ...shared, mine: mineOf(doc, by, now), ...(silenced && { silenced }) };
}

export function toView(doc: AlertDoc): AlertView {
  const { _id, severityRank: _r, seq: _s, resolvedRecordedAt: _rr, ...rest } = doc;
  // Documents folded before recordedAt was kept have only the business time until a replay.
  return { id: _id, ...rest, recordedAt: rest.recordedAt ?? rest.raisedAt };
}
