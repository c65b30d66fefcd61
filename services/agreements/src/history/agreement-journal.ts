/**
 * The agreement journal (issue 8): a copy of every published event that is about an agreement, from the three
 * topics, so that this service can tell an agreement's whole history and its state at a past time without
 * calling the other services. Insert-only (FerretDB scans on every update): one document per event, `_id` =
 * `<source>:<eventId>`, so a redelivered event is refused by the primary key and recorded once.
 */
import type { mongo } from 'mongoose';
import { Topics, type EventEnvelope } from '@tracker/contracts';
import { hashedPart } from '@tracker/event-store';
import { isDuplicateKey, onlyDuplicateKeys } from '@tracker/mongo';
import type { CollectionSource, IndexDefinition, TopicProjection } from '@tracker/service-runtime';

export const JOURNAL = 'agreement_journal';

export const JournalSources = ['agreements', 'milestones', 'alerts'] as const;
export type JournalSource = (typeof JournalSources)[number];

/** The envelope as published, plus where it came from and its place in the history. */
export interface JournalEntryDoc extends EventEnvelope {
  _id: string;
  source: JournalSource;
  /** recordedAt as a UTC ISO string, whatever form it was published in: compared as a string by time filters. */
  at: string;
  /** `<at>|<source>|<position>|<eventId>`: the history's order (ties by source, then position) and its cursor. */
  sortKey: string;
  /** occurredAt as a UTC ISO string: business time, compared as a string. */
  happenedAt: string;
  /** `<happenedAt>|<source>|<position>|<eventId>`: the history in business order, and its cursor. */
  businessKey: string;
}

const INDEXES: readonly IndexDefinition[] = [{ key: { agreementId: 1, sortKey: 1 } }, { key: { agreementId: 1, businessKey: 1 } }];

/** The source of an event from its type: each service publishes only its own `<aggregate>.*` types. */
export function sourceOfType(type: string): JournalSource | undefined {
  if (type.startsWith('agreement.')) return 'agreements';
  if (type.startsWith('milestone.')) return 'milestones';
  if (type.startsWith('alert.')) return 'alerts';
  return undefined;
}

function normalizedTime(value: string): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? String(value) : time.toISOString();
}

export function journalSortKey(at: string, source: JournalSource, position: number, eventId: string): string {
  const pos =
    Number.isSafeInteger(position) && position >= 0 ? String(position).padStart(16, '0') : '0'.repeat(16);
  return `${at}|${source}|${pos}|${eventId}`;
}

/** The journal in one set of collections: the live ones, or those a replay is building. */
export class AgreementJournal {
  constructor(private readonly source: CollectionSource) {}

  /** Resolved on every use: a replay switches the live collection underneath. */
  get entries(): mongo.Collection<JournalEntryDoc> {
    return this.source.collection<JournalEntryDoc>(JOURNAL);
  }


  /** Records an event once; false when it is not about an agreement or was recorded before (a redelivery). */
  async record(envelope: EventEnvelope, source: JournalSource): Promise<boolean> {
    if (!aboutAnAgreement(envelope)) return false;
    try {
      await this.entries.insertOne(entryOf(envelope, source));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Records many events at once (a replay), each once: those recorded before are left as they are. */
  async recordMany(events: ReadonlyArray<{ envelope: EventEnvelope; source: JournalSource }>): Promise<void> {
    const docs = events.filter((e) => aboutAnAgreement(e.envelope)).map((e) => entryOf(e.envelope, e.source));
    if (docs.length === 0) return;
    try {
      await this.entries.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
  }
}

function aboutAnAgreement(envelope: EventEnvelope): boolean {
  return typeof envelope.agreementId === 'string' && envelope.agreementId !== '';
}

function entryOf(envelope: EventEnvelope, source: JournalSource): JournalEntryDoc {
  const at = normalizedTime(envelope.recordedAt);
  return {
    _id: `${source}:${envelope.eventId}`,
    source,
    // The envelope's own fields only (the hashed ones and the hash), whatever else the message carried.
    ...hashedPart(envelope),
    causationId: envelope.causationId ?? null,
    prevHash: envelope.prevHash ?? null,
    hash: envelope.hash,
    at,
    sortKey: journalSortKey(at, source, envelope.position, envelope.eventId),
    happenedAt: normalizedTime(envelope.occurredAt),
    businessKey: journalSortKey(normalizedTime(envelope.occurredAt), source, envelope.position, envelope.eventId),
  };
}

/** The journal from the three topics, live and in a replay (from their beginning), each event recorded once. */
export const agreementJournalProjection: TopicProjection = {
  source: 'topics',
  name: 'agreement-journal',
  collections: [{ name: JOURNAL, indexes: INDEXES }],
  topics: [Topics.agreements, Topics.milestones, Topics.alerts],
  // As published: an entry keeps the event's hash, which only the stored (not upcast) form matches.
  raw: true,
  async apply(into, event) {
    // No topic here: the type's prefix names the publishing service just as well.
    const source = sourceOfType(event.type);
    if (source) await new AgreementJournal(into).record(event, source);
  },
  async applyMany(into, events) {
    const known = events.flatMap((envelope) => {
      const source = sourceOfType(envelope.type);
      return source ? [{ envelope, source }] : [];
    });
    await new AgreementJournal(into).recordMany(known);
  },
};
