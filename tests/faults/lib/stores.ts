/**
 * What the three event stores hold for a scenario (the source of truth every count is checked against): the
 * scenario's agreements are those whose reference starts with its prefix, and its events are every event of those
 * agreements in each service's `events` collection (read directly, with the suite's own client). From them: each
 * stream's head version, each milestone's summary (folded as the agreements service folds it, with the shared
 * `summarizeMilestoneEvent`), each alert's kind and cause; and per command of the load, how many events it left.
 */
import type { mongo } from 'mongoose';
import { summarizeMilestoneEvent, type MilestoneEventType, type MilestoneSummary } from '@tracker/contracts';
import { ok } from './client';
import type { CommandRecord } from './load';

export type Source = 'agreements' | 'milestones' | 'alerts';
export const SOURCES: readonly Source[] = ['agreements', 'milestones', 'alerts'];
export type Databases = Record<Source, mongo.Db>;

export interface StoredEvent {
  eventId: string;
  type: string;
  streamId: string;
  streamVersion: number;
  agreementId: string;
  causationId: string | null;
  data: Record<string, unknown>;
}

export interface Snapshot {
  events: Record<Source, StoredEvent[]>;
  /** Agreement id → head version of its stream. */
  agreements: Map<string, number>;
  milestones: Map<string, { agreementId: string; head: number; summary: MilestoneSummary | undefined }>;
  alerts: Map<string, { agreementId: string; head: number; kind: string; causationId: string | null }>;
}

const FIELDS = {
  _id: 0,
  eventId: 1,
  type: 1,
  streamId: 1,
  streamVersion: 1,
  agreementId: 1,
  causationId: 1,
  data: 1,
};

export async function readStores(dbs: Databases, referencePrefix: string): Promise<Snapshot> {
  const registrations = await dbs.agreements
    .collection<StoredEvent>('events')
    .find({ type: 'agreement.registered' }, { projection: { _id: 0, agreementId: 1, data: 1 } })
    .toArray();
  const ids = registrations
    .filter((e) => String(e.data.reference).startsWith(referencePrefix))
    .map((e) => e.agreementId);
  const read = (source: Source) =>
    dbs[source]
      .collection<StoredEvent>('events')
      .find({ agreementId: { $in: ids } }, { projection: FIELDS })
      .toArray() as Promise<StoredEvent[]>;
  const [agreementEvents, milestoneEvents, alertEvents] = await Promise.all(SOURCES.map(read));
  const byVersion = (a: StoredEvent, b: StoredEvent) => a.streamVersion - b.streamVersion;

  const agreements = new Map<string, number>();
  for (const e of agreementEvents)
    agreements.set(e.agreementId, Math.max(agreements.get(e.agreementId) ?? 0, e.streamVersion));

  const milestones: Snapshot['milestones'] = new Map();
  for (const e of [...milestoneEvents].sort(byVersion)) {
    const id = String(e.data.milestoneId);
    const before = milestones.get(id);
    milestones.set(id, {
      agreementId: e.agreementId,
      head: Math.max(before?.head ?? 0, e.streamVersion),
      summary: summarizeMilestoneEvent(before?.summary, e.type as MilestoneEventType, e.data as never),
    });
  }

  const alerts: Snapshot['alerts'] = new Map();
  for (const e of [...alertEvents].sort(byVersion)) {
    const id = String(e.data.alertId);
    const before = alerts.get(id);
    const raised = e.type === 'alert.raised';
    alerts.set(id, {
      agreementId: e.agreementId,
      head: Math.max(before?.head ?? 0, e.streamVersion),
      kind: raised ? String(e.data.kind) : (before?.kind ?? 'unknown'),
      causationId: raised ? e.causationId : (before?.causationId ?? null),
    });
  }
  return {
    events: { agreements: agreementEvents, milestones: milestoneEvents, alerts: alertEvents },
    agreements,
    milestones,
    alerts,
  };
}

export function eventCount(s: Snapshot): number {
  return SOURCES.reduce((n, source) => n + s.events[source].length, 0);
}

/** Which event a command leaves, and the field of its data that carries the command's marker. */
const MARKED: Record<
  CommandRecord['kind'],
  { source: Source; type: string; field: string; resource: string }
> = {
  register: {
    source: 'agreements',
    type: 'agreement.registered',
    field: 'reference',
    resource: 'agreementId',
  },
  plan: { source: 'milestones', type: 'milestone.planned', field: 'title', resource: 'milestoneId' },
  progress: {
    source: 'milestones',
    type: 'milestone.progress-reported',
    field: 'note',
    resource: 'milestoneId',
  },
  reschedule: {
    source: 'milestones',
    type: 'milestone.rescheduled',
    field: 'reason',
    resource: 'milestoneId',
  },
};

export interface CommandCounts {
  sent: number;
  /** 2xx answers. */
  accepted: number;
  /** …of which replayed (Idempotent-Replayed: true). */
  replayed: number;
  /** …of which 202 "stored" (stored, the view not read back). */
  storedNotShown: number;
  /** Commands that got no answer or a 5xx/429/"in progress" first and were sent again. */
  retried: number;
  /** Changes answered 409 after an attempt without answer (that attempt's change landed). */
  conflictAfterUnanswered: number;
  /** Still no answer when the client's retry time was up. */
  gaveUp: number;
  /** Final answers other than 2xx (and not the 409 above): 4xx, or a 5xx when the retry time was up. */
  refused: number;
  /** Commands whose event is in the store (once or more). */
  stored: number;
  /** Stored although the client never got a 2xx for it. */
  storedWithoutSuccess: number;
  /** Accepted (or resolved by the 409 above) but no event: lost. */
  lost: string[];
  /** More than one event for one command (a second resource for one key, a change applied twice). */
  duplicated: string[];
  /** A 2xx to a creation naming another resource than the one stored. */
  wrongResource: string[];
  /** Keyed creations: retried keys, and keys with exactly one resource and one event. */
  keysRetried: number;
  keysExactlyOnce: number;
  keys: number;
}

export function countCommands(records: readonly CommandRecord[], s: Snapshot): CommandCounts {
  const found = new Map<string, StoredEvent[]>();
  for (const { source, type, field } of Object.values(MARKED)) {
    for (const e of s.events[source]) {
      if (e.type !== type) continue;
      const key = `${type}|${String(e.data[field])}`;
      found.set(key, [...(found.get(key) ?? []), e]);
    }
  }
  const c: CommandCounts = {
    sent: records.length,
    accepted: 0,
    replayed: 0,
    storedNotShown: 0,
    retried: 0,
    conflictAfterUnanswered: 0,
    gaveUp: 0,
    refused: 0,
    stored: 0,
    storedWithoutSuccess: 0,
    lost: [],
    duplicated: [],
    wrongResource: [],
    keysRetried: 0,
    keysExactlyOnce: 0,
    keys: 0,
  };
  for (const r of records) {
    const m = MARKED[r.kind];
    const events = found.get(`${m.type}|${r.marker}`) ?? [];
    const accepted = ok(r.answer);
    const resolved = accepted || r.conflictAfterUnanswered;
    if (accepted) c.accepted++;
    if (r.answer.replayed) c.replayed++;
    if (r.answer.status === 202) c.storedNotShown++;
    if (r.answer.attempts > 1) c.retried++;
    if (r.conflictAfterUnanswered) c.conflictAfterUnanswered++;
    else if (r.answer.gaveUp) c.gaveUp++;
    else if (!accepted) c.refused++;
    if (events.length > 0) c.stored++;
    if (events.length > 0 && !accepted) c.storedWithoutSuccess++;
    const what = `${r.kind} ${r.id} (${r.answer.status ?? 'no answer'} after ${r.answer.attempts} attempt(s))`;
    if (resolved && events.length === 0) c.lost.push(what);
    if (events.length > 1) c.duplicated.push(`${what}: ${events.length} events`);
    const creation = r.kind === 'register' || r.kind === 'plan';
    if (creation && accepted && events.length > 0 && !events.some((e) => e.data[m.resource] === r.resourceId))
      c.wrongResource.push(
        `${what}: answered ${r.resourceId}, stored ${events.map((e) => String(e.data[m.resource])).join(', ')}`,
      );
    if (creation && !r.setup) {
      c.keys++;
      if (r.answer.attempts > 1) c.keysRetried++;
      if (accepted && events.length === 1 && events[0].data[m.resource] === r.resourceId) c.keysExactlyOnce++;
    }
  }
  return c;
}
