/**
 * The agreements list and the milestone summaries this service keeps, in its own database.
 * - `agreement_views`: one document per agreement, the folded state at `version`, written after each append and
 *   repaired from the service's own topic; a write never replaces a newer version (version-guarded upsert).
 * - `milestone_summaries`: what each milestone contributes to its agreement, folded from `milestones.events`.
 * Counts and the stalled status depend on today's date, so they are computed when read, never stored.
 */
import type { mongo } from 'mongoose';

type Filter<T> = mongo.Filter<T>;
type Collection<T extends mongo.Document> = mongo.Collection<T>;
import {
  applyStall,
  countMilestones,
  summarizeMilestoneEvent,
  type MilestoneEventEnvelope,
  type AgreementStatus,
  type ImplementationStatus,
  type MilestoneCounts,
  type MilestoneSummary,
} from '@tracker/contracts';
import { statusOf, type AgreementState } from '@tracker/agreements-domain';
import type { CollectionSource } from '@tracker/service-runtime';

export type ExistingAgreement = AgreementState & { exists: true };

export interface AgreementViewDoc {
  _id: string;
  version: number;
  state: ExistingAgreement;
  partyCountries: string[];
  /** Sortable start of the signing period (YYYY-MM-DD), null when unknown. */
  signedFrom: string | null;
  titleLower: string;
  registeredAt: string;
  updatedAt: string;
  /** Last time anything happened to the agreement or one of its milestones (for `stalled`). */
  lastActivityAt: string;
}

export interface MilestoneSummaryDoc {
  _id: string;
  agreementId: string;
  version: number;
  summary: MilestoneSummary;
  lastEventAt: string;
}

export interface AgreementView extends Omit<ExistingAgreement, 'exists' | 'agreementId' | 'lifecycle' | 'implementation'> {
  id: string;
  version: number;
  status: AgreementStatus;
  lifecycle: ExistingAgreement['lifecycle'];
  implementationStatus: ImplementationStatus;
  milestones: MilestoneCounts;
  registeredAt: string;
  lastActivityAt: string;
}

const DUPLICATE_KEY = 11000;

function signedFrom(state: ExistingAgreement): string | null {
  if (!state.signedOn) return null;
  return state.datePrecision === 'year' ? `${state.signedOn}-01-01` : state.datePrecision === 'month' ? `${state.signedOn}-01` : state.signedOn;
}

/** On the live collections (ReadModels) or on ones a replay is filling (its Generation). */
export class AgreementReadModel {
  constructor(
    private readonly source: CollectionSource,
    private readonly stalledAfterDays: number,
  ) {}

  get views(): Collection<AgreementViewDoc> {
    return this.source.collection<AgreementViewDoc>('agreement_views');
  }

  get milestones(): Collection<MilestoneSummaryDoc> {
    return this.source.collection<MilestoneSummaryDoc>('milestone_summaries');
  }

  async init(): Promise<void> {
    await this.source.define('agreement_views', [
      { key: { partyCountries: 1, _id: 1 } },
      { key: { 'state.commodities': 1, _id: 1 } },
      { key: { 'state.reference': 1 } },
    ]);
    await this.source.define('milestone_summaries', [{ key: { agreementId: 1 } }]);
  }

  /** The whole document of an agreement whose events from `registeredAt` to `recordedAt` were folded into `state`. */
  static document(state: ExistingAgreement, version: number, at: { recordedAt: string; registeredAt: string }): AgreementViewDoc {
    return { _id: state.agreementId, ...AgreementReadModel.fields(state, version, at.recordedAt), registeredAt: at.registeredAt, lastActivityAt: at.recordedAt };
  }

  private static fields(state: ExistingAgreement, version: number, recordedAt: string): Omit<AgreementViewDoc, '_id' | 'registeredAt' | 'lastActivityAt'> {
    return {
      version,
      state,
      partyCountries: state.parties.flatMap((p) => (p.country ? [p.country] : [])),
      signedFrom: signedFrom(state),
      titleLower: state.title.toLowerCase(),
      updatedAt: recordedAt,
    };
  }

  /** Writes the agreement's state at `version` unless a newer one is already there. */
  async save(state: ExistingAgreement, version: number, at: { recordedAt: string; registeredAt?: string }): Promise<void> {
    const doc = AgreementReadModel.fields(state, version, at.recordedAt);
    try {
      await this.views.updateOne(
        { _id: state.agreementId, version: { $lt: version } },
        {
          $set: doc,
          $setOnInsert: { registeredAt: at.registeredAt ?? at.recordedAt },
          $max: { lastActivityAt: at.recordedAt },
        },
        { upsert: true },
      );
    } catch (err) {
      // The document exists with this version or a newer one: nothing to do.
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    }
  }

  async version(agreementId: string): Promise<number> {
    const doc = await this.views.findOne({ _id: agreementId }, { projection: { version: 1 } });
    return doc?.version ?? 0;
  }

  async findByReference(reference: string): Promise<AgreementViewDoc | null> {
    return this.views.findOne({ 'state.reference': reference });
  }

  /**
   * Folds a milestone event into its summary, once: an event at or below the stored version is a redelivery.
   * Returns whether it was applied.
   */
  async applyMilestone(summary: MilestoneSummary, agreementId: string, version: number, occurredAt: string): Promise<boolean> {
    try {
      const result = await this.milestones.updateOne(
        { _id: summary.milestoneId, version: { $lt: version } },
        { $set: { agreementId, version, summary, lastEventAt: occurredAt } },
        { upsert: true },
      );
      const applied = result.modifiedCount + result.upsertedCount > 0;
      if (applied && summary.active) {
        await this.views.updateOne({ _id: agreementId }, { $max: { lastActivityAt: occurredAt } });
      }
      return applied;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
      throw err;
    }
  }

  /**
   * Folds a milestone event (from `milestones.events`) into its summary unless it is a redelivery; the same
   * live and in a replay.
   */
  async projectMilestoneEvent(event: MilestoneEventEnvelope): Promise<void> {
    const previous = await this.milestoneSummary(event.data.milestoneId);
    if (previous && previous.version >= event.streamVersion) return;
    const summary = summarizeMilestoneEvent(previous?.summary, event.type, event.data as never);
    if (!summary) return; // an event of a milestone whose planning we never saw: nothing to count
    await this.applyMilestone(summary, event.agreementId, event.streamVersion, event.occurredAt);
  }

  async milestoneSummary(milestoneId: string): Promise<MilestoneSummaryDoc | null> {
    return this.milestones.findOne({ _id: milestoneId });
  }

  async milestonesOf(agreementIds: string[]): Promise<Map<string, MilestoneSummary[]>> {
    const byAgreement = new Map<string, MilestoneSummary[]>(agreementIds.map((id) => [id, []]));
    const docs = await this.milestones.find({ agreementId: { $in: agreementIds } }).toArray();
    for (const d of docs) byAgreement.get(d.agreementId)?.push(d.summary);
    return byAgreement;
  }

  toView(doc: AgreementViewDoc, milestones: MilestoneSummary[], now: Date): AgreementView {
    const { exists: _exists, agreementId: _id, lifecycle, implementation, ...rest } = doc.state;
    const implementationStatus = applyStall(implementation, doc.lastActivityAt, now, this.stalledAfterDays);
    return {
      ...rest,
      id: doc._id,
      version: doc.version,
      status: lifecycle === 'active' ? implementationStatus : statusOf(doc.state),
      lifecycle,
      implementationStatus,
      milestones: countMilestones(milestones, now.toISOString().slice(0, 10)),
      registeredAt: doc.registeredAt,
      lastActivityAt: doc.lastActivityAt,
    };
  }

  /** Filters of GET /agreements; `stalled` is the time-based part of the status. */
  filterFor(query: {
    country?: string;
    commodity?: string;
    kind?: string;
    status?: string;
    signedFrom?: string;
    signedTo?: string;
    q?: string;
  }, now: Date): Filter<AgreementViewDoc> {
    const filter: Filter<AgreementViewDoc> = {};
    if (query.country) filter.partyCountries = query.country;
    if (query.commodity) filter['state.commodities'] = query.commodity;
    if (query.kind) filter['state.kind'] = query.kind;
    if (query.signedFrom || query.signedTo) {
      filter.signedFrom = {
        ...(query.signedFrom && { $gte: query.signedFrom }),
        ...(query.signedTo && { $lte: query.signedTo }),
      };
    }
    if (query.q) {
      // Plain words only: regex metacharacters are escaped, so a query can never become a pattern.
      filter.titleLower = { $regex: query.q.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&') };
    }
    if (query.status) {
      const stallBefore = new Date(now.getTime() - this.stalledAfterDays * 86_400_000).toISOString();
      if (query.status === 'suspended' || query.status === 'terminated' || query.status === 'expired') {
        filter['state.lifecycle'] = query.status;
      } else if (query.status === 'stalled') {
        filter['state.lifecycle'] = 'active';
        filter['state.implementation'] = { $ne: 'completed' };
        filter.lastActivityAt = { $lte: stallBefore };
      } else {
        filter['state.lifecycle'] = 'active';
        filter['state.implementation'] = query.status;
        if (query.status !== 'completed') filter.lastActivityAt = { $gt: stallBefore };
      }
    }
    return filter;
  }
}
