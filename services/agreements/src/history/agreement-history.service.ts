/**
 * The agreement-wide history and as-of view (issue 8), answered from the agreement journal: the agreement's own
 * events and those of its milestones and alerts, as the three services published them.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import {
  agreementStreamId,
  applyStall,
  calendarDateOf,
  countMilestones,
  deriveImplementationStatus,
  DomainError,
} from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { Cursor } from '@tracker/platform';
import { EVENT_STORE, ReadModels, type TwoClocks } from '@tracker/service-runtime';
import { AgreementsService } from '../agreements/agreements.service';
import { listsWithProgress } from '../agreements/agreement-read-model';
import { AgreementsConfig } from '../config';
import { surroundingsAsOf } from './agreement-as-of';
import { AgreementJournal, type JournalEntryDoc } from './agreement-journal';
import { eventTypesOf, type AgreementHistoryQuery } from './dto';

export type HistoryItem = Pick<
  JournalEntryDoc,
  | 'source'
  | 'eventId'
  | 'type'
  | 'schemaVersion'
  | 'streamId'
  | 'streamVersion'
  | 'position'
  | 'recordedAt'
  | 'occurredAt'
  | 'actor'
  | 'correlationId'
  | 'causationId'
  | 'hash'
  | 'prevHash'
  | 'data'
>;

const toItem = (d: JournalEntryDoc): HistoryItem => ({
  source: d.source,
  eventId: d.eventId,
  type: d.type,
  schemaVersion: d.schemaVersion,
  streamId: d.streamId,
  streamVersion: d.streamVersion,
  position: d.position,
  recordedAt: d.recordedAt,
  occurredAt: d.occurredAt,
  actor: d.actor,
  correlationId: d.correlationId,
  causationId: d.causationId,
  hash: d.hash,
  prevHash: d.prevHash,
  data: d.data,
});

@Injectable()
export class AgreementHistoryService {
  private readonly journal: AgreementJournal;
  private readonly stalledAfterDays: number;

  constructor(
    readModels: ReadModels,
    private readonly agreements: AgreementsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    config: AgreementsConfig,
  ) {
    this.journal = new AgreementJournal(readModels);
    this.stalledAfterDays = config.STALLED_AFTER_DAYS;
  }

  /** The merged history in recorded order (or, with order=business, in the order things happened), a page at a time. */
  async history(
    agreementId: string,
    query: AgreementHistoryQuery,
  ): Promise<{ items: HistoryItem[]; nextCursor: string | null }> {
    const limit = query.limit ?? 100;
    const business = query.order === 'business';
    const key = business ? 'businessKey' : 'sortKey';
    const filter: mongo.Filter<JournalEntryDoc> = { agreementId };
    if (query.cursor) filter[key] = { $gt: Cursor.decode(query.cursor) };
    if (query.from || query.to) {
      filter[business ? 'happenedAt' : 'at'] = {
        ...(query.from && { $gte: new Date(query.from).toISOString() }),
        ...(query.to && { $lte: new Date(query.to).toISOString() }),
      };
    }
    if (query.type) filter.type = { $in: eventTypesOf(query.type) };
    if (query.actor) filter['actor.id'] = query.actor;
    if (query.source) filter.source = query.source;

    const docs = await this.journal.entries
      .find(filter)
      .sort({ [key]: 1 })
      .limit(limit + 1)
      .toArray();
    if (docs.length === 0 && !(await this.exists(agreementId)))
      throw new DomainError('not-found', `agreement ${agreementId} not found`);
    const page = docs.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toItem),
      nextCursor: docs.length > limit && last ? Cursor.encode(last[key]) : null,
    };
  }

  /** Known by an event of any service, or by its own store before its events came back through Kafka. */
  private async exists(agreementId: string): Promise<boolean> {
    if (await this.journal.entries.findOne({ agreementId }, { projection: { _id: 1 } })) return true;
    return (await this.store.streamVersion(agreementStreamId(agreementId))) > 0;
  }

  /**
   * The agreement at business time `validAt` as recorded by `knownAt` (its own store, as GET /agreements/{id}
   * answers), with its milestones, counts and status as their events say then, and the alerts open then.
   */
  async asOf(agreementId: string, clocks: TwoClocks) {
    const { asOf: _asOf, ...agreement } = await this.agreements.getAt(agreementId, clocks);
    const entries = await this.journal.entries.find({ agreementId }).toArray();
    const { milestones, openAlerts, lastActivityAt } = surroundingsAsOf(entries, clocks);
    const overviews = milestones.map((m) => m.overview);
    // Time-based like the live view: idle for STALLED_AFTER_DAYS at that time means stalled then.
    const at = clocks.validAt ?? clocks.knownAt!;
    const derived = deriveImplementationStatus(overviews);
    const implementationStatus = lastActivityAt ? applyStall(derived, lastActivityAt, at, this.stalledAfterDays) : derived;
    return {
      // `asOf`: the time the view is of (the business time when asked, else the record time).
      asOf: at.toISOString(),
      validAt: agreement.validAt,
      knownAt: agreement.knownAt,
      agreement: {
        ...agreement,
        status: agreement.lifecycle === 'active' ? implementationStatus : agreement.lifecycle,
        implementationStatus,
        milestones: countMilestones(overviews, calendarDateOf(at)),
        // Targets against what the milestones had achieved then, and the sourcing then.
        ...listsWithProgress(agreement, overviews, calendarDateOf(at)),
        lastActivityAt,
      },
      milestones: milestones.map(({ overview: _overview, ...m }) => m),
      openAlerts,
    };
  }
}
