/**
 * The public transparency view (issue 21): agreements a monitor made public, readable without a key. Facts from
 * `agreement_views`, milestones, timeline and feeds from the agreement journal (this service already holds every
 * agreement's milestone events, so no other service needs to learn the public flag). A private or unknown
 * agreement is the same 404: privacy does not tell that an agreement exists.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@tracker/contracts';
import { CLOCK, type Clock } from '@tracker/platform';
import { ReadModels } from '@tracker/service-runtime';
import { AgreementsService } from '../agreements/agreements.service';
import type { AgreementViewDoc } from '../agreements/agreement-read-model';
import { AgreementJournal, type JournalEntryDoc } from '../history/agreement-journal';
import { atomFeed, type FeedEntry } from './atom';
import {
  businessTimes,
  isPublicStep,
  milestoneTitles,
  publicAgreement,
  publicMilestones,
  publicStep,
  publicTimeline,
  type PublicAgreement,
} from './public-view';

/** How many entries a feed holds: the newest, as feed readers poll. */
export const FEED_ENTRIES = 100;

const notFound = (id: string) => new DomainError('not-found', `agreement ${id} not found`);

@Injectable()
export class PublicAgreementsService {
  private readonly journal: AgreementJournal;

  constructor(
    private readonly agreements: AgreementsService,
    readModels: ReadModels,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.journal = new AgreementJournal(readModels);
  }

  private async publicDocs(): Promise<AgreementViewDoc[]> {
    return this.agreements.readModel.views.find({ 'state.public': true }).sort({ _id: 1 }).toArray();
  }

  /** The view of a public agreement; 404 for a private one as for an unknown one. */
  private async publicDoc(agreementId: string): Promise<AgreementViewDoc> {
    const doc = await this.agreements.readModel.views.findOne({ _id: agreementId });
    if (!doc || doc.state.public !== true) throw notFound(agreementId);
    return doc;
  }

  private async facts(doc: AgreementViewDoc): Promise<PublicAgreement> {
    const milestones = await this.agreements.readModel.milestonesOf([doc._id]);
    return publicAgreement(
      this.agreements.readModel.toView(doc, milestones.get(doc._id) ?? [], this.clock.now()),
    );
  }

  private entries(agreementId: string): Promise<JournalEntryDoc[]> {
    return this.journal.entries.find({ agreementId }).toArray();
  }

  async list(): Promise<{ items: PublicAgreement[] }> {
    const docs = await this.publicDocs();
    return { items: await Promise.all(docs.map((d) => this.facts(d))) };
  }

  /** Facts, milestones (with slips and evidence) and the timeline of one public agreement. */
  async get(agreementId: string) {
    const doc = await this.publicDoc(agreementId);
    const entries = await this.entries(agreementId);
    return {
      ...(await this.facts(doc)),
      milestoneList: publicMilestones(entries),
      timeline: publicTimeline(entries),
    };
  }

  /** The Atom feed of one public agreement, or (no id) of all of them. */
  async feed(agreementId: string | undefined, baseUrl: string, selfPath: string): Promise<string> {
    const docs = agreementId ? [await this.publicDoc(agreementId)] : await this.publicDocs();
    const entries: Array<FeedEntry & { sortKey: string }> = [];
    for (const doc of docs) {
      const journal = await this.entries(doc._id);
      const titles = milestoneTitles(journal);
      const times = businessTimes(journal);
      const agreement = { id: doc._id, title: doc.state.title };
      for (const e of journal) {
        if (isPublicStep(e))
          entries.push({
            step: { ...publicStep(e, titles), occurredAt: times.get(e.eventId) ?? e.happenedAt },
            agreement,
            sortKey: e.sortKey,
          });
      }
    }
    // Newest recorded first (ties in the journal's order), the newest FEED_ENTRIES.
    const newest = entries
      .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0))
      .slice(0, FEED_ENTRIES);
    return atomFeed({
      ...(agreementId && { agreement: { id: docs[0]._id, title: docs[0].state.title } }),
      baseUrl,
      selfPath,
      entries: newest,
    });
  }
}
