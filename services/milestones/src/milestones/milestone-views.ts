/**
 * `milestone_views`: one document per milestone, its folded state at `version`; on the live collections
 * (ReadModels) or on ones a replay is filling. A write never replaces a newer version (version-guarded upsert).
 */
import type { mongo } from 'mongoose';
import type { CollectionSource } from '@tracker/platform';
import type { MilestoneState } from '@tracker/milestones-domain';

export type ExistingMilestone = MilestoneState & { exists: true };

export interface MilestoneViewDoc {
  _id: string;
  version: number;
  state: ExistingMilestone;
  plannedAt: string;
  updatedAt: string;
}

const DUPLICATE_KEY = 11000;

export class MilestoneViews {
  constructor(private readonly source: CollectionSource) {}

  get collection(): mongo.Collection<MilestoneViewDoc> {
    return this.source.collection<MilestoneViewDoc>('milestone_views');
  }

  async init(): Promise<void> {
    await this.source.define('milestone_views', [
      { key: { 'state.agreementId': 1, _id: 1 } },
      { key: { 'state.dueDate': 1, _id: 1 } },
      { key: { 'state.status': 1, _id: 1 } },
    ]);
  }

  /** The whole document of a milestone whose events from `plannedAt` to `updatedAt` were folded into `state`. */
  static document(state: ExistingMilestone, version: number, at: { plannedAt: string; updatedAt: string }): MilestoneViewDoc {
    return { _id: state.milestoneId, version, state, plannedAt: at.plannedAt, updatedAt: at.updatedAt };
  }

  /** Writes the milestone's state at `version` unless a newer one is already there. */
  async save(state: ExistingMilestone, version: number, at: { plannedAt: string; updatedAt: string }): Promise<void> {
    // The whole document, except that an existing one keeps the time it was planned.
    const { _id, plannedAt, ...fields } = MilestoneViews.document(state, version, at);
    try {
      await this.collection.updateOne({ _id, version: { $lt: version } }, { $set: fields, $setOnInsert: { plannedAt } }, { upsert: true });
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    }
  }
}
