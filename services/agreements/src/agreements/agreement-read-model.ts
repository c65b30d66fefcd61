/**
 * The agreements list and the milestone summaries this service keeps, in its own database.
 * - `agreement_views`: one document per agreement, the folded state at `version`, written after each append and
 *   repaired from the service's own topic; a write never replaces a newer version (version-guarded upsert).
 * - `milestone_summaries`: what each milestone contributes to its agreement, folded from `milestones.events`.
 * - `agreement_milestones`: the same summaries listed under their agreement (`_id` = agreement id, one entry per
 *   milestone guarded by its own version), so that an agreement's milestones are one `_id` lookup: every command
 *   answers with them and every milestone event derives the status from them, and a query on `agreementId` would
 *   read the whole collection on FerretDB. Written after the summary (a crash between the two is healed by the
 *   redelivery, which writes the entry again).
 * Counts and the stalled status depend on today's date, so they are computed when read, never stored.
 */
import type { mongo } from 'mongoose';

type Filter<T> = mongo.Filter<T>;
type Collection<T extends mongo.Document> = mongo.Collection<T>;
import {
  activityTime,
  agreementStreamId,
  applyStall,
  businessInstant,
  laterActivity,
  stalledIfActiveBy,
  Topics,
  countMilestones,
  summarizeMilestoneEvent,
  agreementSourcing,
  kindOf,
  signingPeriodStart,
  targetsWithProgress,
  type AgreementSourcing,
  type TargetWithProgress,
  type MilestoneEventEnvelope,
  type AgreementStatus,
  type ImplementationStatus,
  type MilestoneCounts,
  type MilestoneSummary,
} from '@tracker/contracts';
import { agreementDecider, statusOf, type AgreementState } from '@tracker/agreements-domain';
import { applyOnce, applyOnceEach, guardedUpsert, updateById } from '@tracker/mongo';
import { defineAggregate, streamView, type CollectionSource, type TopicProjection } from '@tracker/service-runtime';
import { searchFilter, searchQueryOf, searchTextOf, type AgreementSearchText } from './search';

export type ExistingAgreement = AgreementState & { exists: true };

export interface AgreementViewDoc {
  _id: string;
  version: number;
  state: ExistingAgreement;
  partyCountries: string[];
  /** Sortable start of the signing period (YYYY-MM-DD), null when unknown. */
  signedFrom: string | null;
  /** The folded words GET /agreements?q= searches (search.ts); written with the view. */
  search: AgreementSearchText;
  registeredAt: string;
  updatedAt: string;
  /** The agreement's last activity (for `stalled`; the rule shared with the alerts service: activityTime). */
  lastActivityAt: string;
}

export interface MilestoneSummaryDoc {
  _id: string;
  agreementId: string;
  version: number;
  summary: MilestoneSummary;
  lastEventAt: string;
}

/** An agreement's milestones: entries by (encoded) milestone id, each at the version it was folded at. */
export interface AgreementMilestonesDoc {
  _id: string;
  m: Record<string, { version: number; summary: MilestoneSummary }>;
}

/** A milestone id as a field name: no `.` and no leading `$` (both would be read as paths or operators). */
export const entryKey = (milestoneId: string) => milestoneId.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24');

export interface AgreementView extends Omit<ExistingAgreement, 'exists' | 'agreementId' | 'lifecycle' | 'implementation' | 'targets' | 'lastTargetNumber' | 'lastSourceNumber'> {
  /** Each target with what its milestones achieved, its share and whether it is on track (see targetProgress). */
  targets: TargetWithProgress[];
  /** How well the agreement and its milestones' status claims are sourced. */
  sourcing: AgreementSourcing;
  id: string;
  version: number;
  status: AgreementStatus;
  lifecycle: ExistingAgreement['lifecycle'];
  implementationStatus: ImplementationStatus;
  milestones: MilestoneCounts;
  registeredAt: string;
  lastActivityAt: string;
}

function signedFrom(state: ExistingAgreement): string | null {
  if (!state.signedOn) return null;
  return state.datePrecision === 'year' ? `${state.signedOn}-01-01` : state.datePrecision === 'month' ? `${state.signedOn}-01` : state.signedOn;
}

/**
 * The agreement's own last activity (activityTime): its events' latest business time, corrections left out, and
 * the times corrections moved its facts to, which the state carries (the signing, the current lifecycle state's
 * date), so that the view written after a command and the one folded from the stored stream agree.
 */
function lastOwnActivity(state: ExistingAgreement, latestOccurredAt: string): string {
  const signing = signingPeriodStart(state.signedOn, state.datePrecision);
  const corrected = laterActivity(signing && businessInstant(signing), state.lifecycleSince && businessInstant(state.lifecycleSince));
  return laterActivity(latestOccurredAt || null, corrected) ?? latestOccurredAt;
}

/**
 * An agreement's targets with their progress from its milestones, its sources with their kind (`other` when not
 * said) and its sourcing: the same for the live view and the as-of view.
 */
export function listsWithProgress(
  state: Pick<ExistingAgreement, 'targets' | 'sources' | 'signedOn' | 'datePrecision'>,
  milestones: readonly MilestoneSummary[],
  today: string,
): Pick<AgreementView, 'targets' | 'sources' | 'sourcing'> {
  return {
    targets: targetsWithProgress(state.targets, milestones, signingPeriodStart(state.signedOn, state.datePrecision), today),
    sources: state.sources.map((s) => ({ ...s, kind: kindOf(s) })),
    sourcing: agreementSourcing(state.sources, milestones),
  };
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

  get milestoneLists(): Collection<AgreementMilestonesDoc> {
    return this.source.collection<AgreementMilestonesDoc>('agreement_milestones');
  }

  /**
   * Folds a milestone event into its summary, once: an event at or below the stored version is a redelivery.
   * Returns whether it was applied.
   */
  async applyMilestone(summary: MilestoneSummary, event: MilestoneEventEnvelope): Promise<boolean> {
    const { agreementId, streamVersion: version } = event;
    const applied = await guardedUpsert(this.milestones, { _id: summary.milestoneId, agreementId, version, summary, lastEventAt: event.occurredAt });
    await this.listMilestone(agreementId, summary, version);
    const at = activityTime(event, summary.active);
    if (applied && at) {
      // By _id, under the view's key lock: the command path writes the same document (guardedUpsert).
      await updateById(this.views, agreementId, { $max: { lastActivityAt: at } });
    }
    return applied;
  }

  /** The milestone's entry in its agreement's list, at `version` unless the entry is as new (idempotent). */
  private listMilestone(agreementId: string, summary: MilestoneSummary, version: number): Promise<boolean> {
    const key = entryKey(summary.milestoneId);
    return applyOnce(this.milestoneLists, agreementId, { field: `m.${key}.version`, value: version }, { $set: { [`m.${key}.summary`]: summary } });
  }

  /**
   * Folds a milestone event (from `milestones.events`) into its summary unless it is a redelivery; the same
   * live and in a replay.
   */
  async projectMilestoneEvent(event: MilestoneEventEnvelope): Promise<void> {
    const previous = await this.milestoneSummary(event.data.milestoneId);
    if (previous && previous.version >= event.streamVersion) {
      // A redelivery: the first delivery may have stopped between the summary and its agreement's list.
      await this.listMilestone(previous.agreementId, previous.summary, previous.version);
      return;
    }
    const summary = summarizeMilestoneEvent(previous?.summary, event.type, event.data as never);
    if (!summary) return; // an event of a milestone whose planning we never saw: nothing to count
    await this.applyMilestone(summary, event);
  }

  /**
   * projectMilestoneEvent for each of `events` in turn (a run of one partition, in order), in fewer writes: each
   * milestone's summary folded in memory and written once, each agreement's list and activity written once.
   * Returns each agreement's milestones as they stood after each event (by eventId), for the status reactor.
   */
  async projectMilestoneEvents(events: readonly MilestoneEventEnvelope[]): Promise<Map<string, MilestoneSummary[]>> {
    const milestoneIds = [...new Set(events.map((e) => e.data.milestoneId))];
    const stored = await Promise.all(milestoneIds.map((id) => this.milestoneSummary(id)));
    const current = new Map(milestoneIds.map((id, i) => [id, stored[i]] as const));
    const changed = new Map<string, MilestoneSummaryDoc>();
    // An agreement's list as it will be: its stored entries, then each event's.
    const agreementIds = [...new Set([...events.map((e) => e.agreementId), ...stored.flatMap((d) => (d ? [d.agreementId] : []))])];
    const storedLists = await Promise.all(agreementIds.map((id) => this.milestoneLists.findOne({ _id: id })));
    const lists = new Map(agreementIds.map((id, i) => [id, new Map(Object.entries(storedLists[i]?.m ?? {}).map(([k, e]) => [k, e]))] as const));
    const listed = new Map<string, Map<string, { version: number; summary: MilestoneSummary }>>();
    const list = (agreementId: string, summary: MilestoneSummary, version: number) => {
      const key = entryKey(summary.milestoneId);
      const entries = lists.get(agreementId)!;
      if ((entries.get(key)?.version ?? -Infinity) >= version) return;
      entries.set(key, { version, summary });
      if (!listed.has(agreementId)) listed.set(agreementId, new Map());
      listed.get(agreementId)!.set(key, { version, summary });
    };
    const activity = new Map<string, string>();
    const after = new Map<string, MilestoneSummary[]>();
    for (const event of events) {
      const previous = current.get(event.data.milestoneId);
      if (previous && previous.version >= event.streamVersion) {
        // A redelivery: its entry is written again if the list lacks it (as projectMilestoneEvent does).
        list(previous.agreementId, previous.summary, previous.version);
      } else {
        const summary = summarizeMilestoneEvent(previous?.summary, event.type, event.data as never);
        if (summary) {
          const doc: MilestoneSummaryDoc = { _id: summary.milestoneId, agreementId: event.agreementId, version: event.streamVersion, summary, lastEventAt: event.occurredAt };
          current.set(summary.milestoneId, doc);
          changed.set(summary.milestoneId, doc);
          list(event.agreementId, summary, event.streamVersion);
          const at = laterActivity(activity.get(event.agreementId), activityTime(event, summary.active));
          if (at) activity.set(event.agreementId, at);
        }
      }
      after.set(event.eventId, [...lists.get(event.agreementId)!.values()].map((e) => e.summary));
    }
    // Summaries first, then the lists (a crash between them is healed by the redelivery, as one by one).
    await Promise.all([...changed.values()].map((doc) => guardedUpsert(this.milestones, doc)));
    await Promise.all(
      [...listed].map(([agreementId, entries]) =>
        applyOnceEach(
          this.milestoneLists,
          agreementId,
          [...entries].map(([key, e]) => ({ guard: { field: `m.${key}.version`, value: e.version }, $set: { [`m.${key}.summary`]: e.summary } })),
        ),
      ),
    );
    // By _id, under the view's key lock: the command path writes the same document (guardedUpsert).
    await Promise.all([...activity].map(([agreementId, at]) => updateById(this.views, agreementId, { $max: { lastActivityAt: at } })));
    return after;
  }

  async milestoneSummary(milestoneId: string): Promise<MilestoneSummaryDoc | null> {
    return this.milestones.findOne({ _id: milestoneId });
  }

  /** The milestones of each agreement: one `_id` lookup per agreement (agreement_milestones). */
  async milestonesOf(agreementIds: string[]): Promise<Map<string, MilestoneSummary[]>> {
    const lists = await Promise.all(agreementIds.map((id) => this.milestoneLists.findOne({ _id: id })));
    return new Map(agreementIds.map((id, i) => [id, Object.values(lists[i]?.m ?? {}).map((e) => e.summary)]));
  }

  toView(doc: AgreementViewDoc, milestones: MilestoneSummary[], now: Date): AgreementView {
    const { exists: _exists, agreementId: _id, lifecycle, implementation, lastTargetNumber: _t, lastSourceNumber: _s, ...rest } = doc.state;
    const implementationStatus = applyStall(implementation, doc.lastActivityAt, now, this.stalledAfterDays);
    return {
      ...rest,
      ...listsWithProgress(doc.state, milestones, now.toISOString().slice(0, 10)),
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
    reference?: string;
    country?: string;
    commodity?: string;
    kind?: string;
    status?: string;
    signedFrom?: string;
    signedTo?: string;
    q?: string;
  }, now: Date): Filter<AgreementViewDoc> {
    const filter: Filter<AgreementViewDoc> = {};
    if (query.reference) filter['state.reference'] = query.reference;
    if (query.country) filter.partyCountries = query.country;
    if (query.commodity) filter['state.commodities'] = query.commodity;
    if (query.kind) filter['state.kind'] = query.kind;
    if (query.signedFrom || query.signedTo) {
      filter.signedFrom = {
        ...(query.signedFrom && { $gte: query.signedFrom }),
        ...(query.signedTo && { $lte: query.signedTo }),
      };
    }
    if (query.q) Object.assign(filter, searchFilter(searchQueryOf(query.q)));
    if (query.status) {
      const stallBefore = stalledIfActiveBy(now, this.stalledAfterDays);
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

export const agreementAggregate = defineAggregate({
  name: 'agreement',
  decider: agreementDecider,
  streamId: agreementStreamId,
  idOf: (event) => event.agreementId,
  owns: (event) => event.type.startsWith('agreement.'),
  agreementId: ({ id }) => id,
});

/** `agreement_views`: one document per agreement, its folded state at `version` (see streamView). */
export const agreementViews = streamView<AgreementState, AgreementViewDoc>({
  name: 'agreement-views',
  aggregate: agreementAggregate,
  collection: {
    name: 'agreement_views',
    indexes: [{ key: { partyCountries: 1, _id: 1 } }, { key: { 'state.commodities': 1, _id: 1 } }, { key: { 'state.reference': 1 } }],
  },
  document: ({ state, version, first, last, latestOccurredAt }) =>
    state.exists
      ? {
          _id: state.agreementId,
          version,
          state,
          partyCountries: state.parties.flatMap((p) => (p.country ? [p.country] : [])),
          signedFrom: signedFrom(state),
          search: searchTextOf(state),
          updatedAt: last.recordedAt,
          registeredAt: first.recordedAt,
          // Activity in business time (what `stalled` is measured from): when it happened, however late recorded.
          lastActivityAt: lastOwnActivity(state, latestOccurredAt),
        }
      : null,
  // The registration time is the first write's; activity (also moved by milestone events) only grows.
  insertOnly: ['registeredAt'],
  max: ['lastActivityAt'],
});

/**
 * `milestone_summaries`: what each milestone contributes to its agreement, from `milestones.events`. Only the
 * summary: deriving the agreement's status appends events, which is the reactor's (live only).
 */
export const milestoneSummaries: TopicProjection = {
  source: 'topics',
  name: 'milestone-summaries',
  collections: [{ name: 'milestone_summaries', indexes: [{ key: { agreementId: 1 } }] }, { name: 'agreement_milestones' }],
  topics: [Topics.milestones],
  async apply(into, event) {
    // The stall period plays no part in what is written.
    if (event.type.startsWith('milestone.')) await new AgreementReadModel(into, 0).projectMilestoneEvent(event as MilestoneEventEnvelope);
  },
  // A backlog (after an outage, in a replay): each summary and list written once per run, not once per event.
  applyMany(into, events) {
    const milestoneEvents = events.filter((e): e is MilestoneEventEnvelope => e.type.startsWith('milestone.'));
    return new AgreementReadModel(into, 0).projectMilestoneEvents(milestoneEvents);
  },
};
