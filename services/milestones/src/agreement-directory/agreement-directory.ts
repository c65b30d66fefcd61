/**
 * What this service knows of agreements: folded from `agreements.events` into its own database. A milestone can
 * only be planned for an agreement known here, and not for a terminated one. Version-guarded: a redelivered or
 * older event never moves an entry backwards.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { agreementStatusChange, Topics, type AgreementEventEnvelope, type DatePrecision, type EventEnvelope } from '@tracker/contracts';
import { applyOnce } from '@tracker/mongo';
import { ReadModels, type CollectionSource, type TopicProjection } from '@tracker/service-runtime';
import type { AgreementFacts } from '@tracker/milestones-domain';

/** An agreement's own step as the timeline shows it (registration, lifecycle changes and their corrections). */
export interface AgreementStep {
  eventId: string;
  type: string;
  streamVersion: number;
  occurredAt: string;
  recordedAt: string;
  actor: EventEnvelope['actor'];
  data: Record<string, unknown>;
}

export interface AgreementEntry {
  _id: string;
  version: number;
  reference: string;
  title: string;
  signedOn: string | null;
  datePrecision?: DatePrecision;
  /** signed, inImplementation, delivering, completed (from `agreement.status-derived`). */
  implementation: string;
  lifecycle: 'active' | 'suspended' | 'terminated' | 'expired';
  registeredAt: string;
  /** Ids of its targets, for milestones to name (unset when an older event named one without its id). */
  targetIds?: string[];
  /** The registration, suspensions, resumptions, termination, expiry and corrections of them, in stream order. */
  steps?: AgreementStep[];
}

/** The agreement events the timeline shows among the milestones' steps. */
const TIMELINE_TYPES = new Set(['agreement.registered', 'agreement.suspended', 'agreement.resumed', 'agreement.terminated', 'agreement.expired', 'agreement.corrected']);

const stepOf = (e: EventEnvelope): AgreementStep => ({
  eventId: e.eventId,
  type: e.type,
  streamVersion: e.streamVersion,
  occurredAt: e.occurredAt,
  recordedAt: e.recordedAt,
  actor: e.actor,
  data: e.data as Record<string, unknown>,
});

/** On the live collections (ReadModels) or on ones a replay is filling. */
@Injectable()
export class AgreementDirectory {
  constructor(@Inject(ReadModels) private readonly source: CollectionSource) {}

  get entries(): mongo.Collection<AgreementEntry> {
    return this.source.collection<AgreementEntry>('agreement_directory');
  }

  async facts(agreementId: string): Promise<AgreementFacts | null> {
    const entry = await this.entries.findOne({ _id: agreementId });
    if (!entry) return null;
    return {
      agreementId,
      status: entry.lifecycle === 'active' ? entry.implementation : entry.lifecycle,
      terminated: entry.lifecycle === 'terminated',
      signedOn: entry.signedOn,
      ...(entry.datePrecision && { datePrecision: entry.datePrecision }),
      ...(entry.targetIds && { targetIds: entry.targetIds }),
    };
  }

  async get(agreementId: string): Promise<AgreementEntry | null> {
    return this.entries.findOne({ _id: agreementId });
  }

  /** Applies one event of `agreements.events`; returns false for a redelivery. */
  async apply(envelope: EventEnvelope): Promise<boolean> {
    const event = envelope as AgreementEventEnvelope;
    const id = event.agreementId;
    // Read by _id and written by _id behind the version guard (applyOnce): no filter that scans on FerretDB.
    const guard = { field: 'version', value: event.streamVersion };
    const step = TIMELINE_TYPES.has(event.type) ? { $push: { steps: stepOf(event) } } : {};
    let set: Partial<AgreementEntry>;
    switch (event.type) {
      case 'agreement.registered':
        return applyOnce(this.entries, id, guard, {
          $set: {
            reference: event.data.reference,
            title: event.data.title,
            signedOn: event.data.signedOn,
            datePrecision: event.data.datePrecision,
            // Registrations stored before targets had ids number them in order, as the agreement does.
            targetIds: event.data.targets.map((t, i) => t.targetId ?? `T${i + 1}`),
          },
          $setOnInsert: { implementation: 'signed', lifecycle: 'active', registeredAt: event.recordedAt },
          ...step,
        } as never);
      case 'agreement.amended':
        set = {
          ...(event.data.changes.title !== undefined && { title: event.data.changes.title }),
          ...(event.data.changes.signedOn !== undefined && { signedOn: event.data.changes.signedOn }),
          ...(event.data.changes.datePrecision !== undefined && { datePrecision: event.data.changes.datePrecision }),
        };
        break;
      case 'agreement.target-added':
        // An older event without the id: which number it had is not known here, so targets are no longer checked.
        if (!event.data.target.targetId) return applyOnce(this.entries, id, guard, { $unset: { targetIds: '' } } as never, { upsert: false });
        return applyOnce(this.entries, id, guard, { $push: { targetIds: event.data.target.targetId } } as never, { upsert: false });
      case 'agreement.target-removed':
        return applyOnce(this.entries, id, guard, { $pull: { targetIds: event.data.targetId } } as never, { upsert: false });
      case 'agreement.corrected': {
        const c = event.data.changes;
        set = {
          ...(c.signedOn !== undefined && { signedOn: c.signedOn }),
          ...(c.datePrecision !== undefined && { datePrecision: c.datePrecision }),
        };
        break;
      }
      default:
        // lifecycle and implementation status, read the same way by every service
        set = agreementStatusChange(event);
    }
    // Later events of an agreement always follow its registration on the same partition, so the entry exists.
    return applyOnce(this.entries, id, guard, { $set: set, ...step } as never, { upsert: false });
  }
}

/** `agreement_directory`, folded from `agreements.events`, live and in a replay. */
export const agreementDirectory: TopicProjection = {
  source: 'topics',
  name: 'agreement-directory',
  collections: [{ name: 'agreement_directory' }],
  topics: [Topics.agreements],
  async apply(into, event) {
    if (event.type.startsWith('agreement.')) await new AgreementDirectory(into).apply(event);
  },
};
