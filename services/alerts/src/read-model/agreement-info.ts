/**
 * What the alerts service knows of agreements, folded from `agreements.events`: the parties (names for the
 * payloads, countries for subscription filters) and the commodities, whether the agreement is finished, and when it was last active
 * (for agreement.stalled, by the rule the agreements service's `stalled` follows: activityTime in libs/contracts).
 * One version guard per agreement stream (applyOnce): a redelivered or older event never moves an entry
 * backwards. The activity time comes from both topics and only ever grows (`$max`), as do the milestones known to
 * be active (`$addToSet`), so they need no guard: applying an event twice gives the same result.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { activityTime, agreementStatusChange, milestoneActiveAfter, Topics, type AgreementEventEnvelope, type EventEnvelope, type Party } from '@tracker/contracts';
import { applyOnce, updateById } from '@tracker/mongo';
import { ReadModels, type CollectionSource, type TopicProjection } from '@tracker/service-runtime';
import type { AgreementForMatching } from '@tracker/alerts-domain';

export interface AgreementInfo {
  _id: string;
  /** Last applied version of the agreement's stream. */
  version: number;
  reference: string;
  title: string;
  /** Absent in documents written before names were kept (their payloads name countries only). */
  parties?: AgreementParty[];
  partyCountries: string[];
  commodities: string[];
  lifecycle: 'active' | 'suspended' | 'terminated' | 'expired';
  implementation: string;
  /** ISO time of the agreement's last activity (activityTime in libs/contracts). */
  lastActivityAt?: string;
  /** Its milestones active so far (started, reported on or decided): their reschedules and cancellations are activity. */
  activeMilestones?: string[];
}

/** A party as the payloads name it: a country's (ISO 3166-1 alpha-2, upper case) or an organisation's. */
export interface AgreementParty {
  country?: string;
  name: string;
}

const countriesOf = (parties: readonly Party[]) => [...new Set(parties.flatMap((p) => (p.country ? [p.country.toUpperCase()] : [])))];
const partiesOf = (parties: readonly Party[]): AgreementParty[] => parties.map((p) => ({ ...(p.country && { country: p.country.toUpperCase() }), name: p.name }));
/** What a party list sets here: the parties and their countries, always together. */
const partiesSet = (parties: readonly Party[]) => ({ parties: partiesOf(parties), partyCountries: countriesOf(parties) });

/** What subscription filters read of an agreement (null: not known here yet). */
export function forMatching(info: AgreementInfo | null): AgreementForMatching | null {
  return info && { partyCountries: info.partyCountries ?? [], commodities: info.commodities ?? [] };
}

/**
 * The agreements one piece of work reads (a request, an alert event, a stream's backlog, a digest), each read
 * once by `_id` however many alerts, filters and payloads ask for it.
 */
export class AgreementReads {
  private readonly read = new Map<string, Promise<AgreementInfo | null>>();
  constructor(private readonly store: Pick<AgreementInfoStore, 'get'>) {}

  get(agreementId: string): Promise<AgreementInfo | null> {
    let info = this.read.get(agreementId);
    if (!info) this.read.set(agreementId, (info = this.store.get(agreementId)));
    return info;
  }
}

/** On the live collections (ReadModels) or on ones a replay is filling. */
@Injectable()
export class AgreementInfoStore {
  constructor(@Inject(ReadModels) private readonly source: CollectionSource) {}

  get entries(): mongo.Collection<AgreementInfo> {
    return this.source.collection<AgreementInfo>('agreement_info');
  }

  get(agreementId: string): Promise<AgreementInfo | null> {
    return this.entries.findOne({ _id: agreementId });
  }

  /** A fresh set of reads for one piece of work (see AgreementReads). */
  reads(): AgreementReads {
    return new AgreementReads(this);
  }

  /** Agreements whose last activity is at or before `before` (ISO time). */
  idleSince(before: string) {
    return this.entries.find({ lastActivityAt: { $lte: before } }).sort({ lastActivityAt: 1, _id: 1 });
  }

  /** A milestone event: moves the agreement's last activity forward if it is activity (its milestone active after it). */
  async touch(envelope: EventEnvelope): Promise<void> {
    const milestoneId = (envelope.data as { milestoneId?: unknown }).milestoneId;
    if (typeof milestoneId !== 'string') return;
    // Milestone events come in stream order (keyed by agreement, one partition): a start comes before its reschedule.
    const becomesActive = milestoneActiveAfter(false, envelope.type);
    const active = becomesActive || (envelope.type !== 'milestone.planned' && ((await this.get(envelope.agreementId))?.activeMilestones ?? []).includes(milestoneId));
    const at = activityTime(envelope, active);
    if (!at) return;
    // By _id under the entry's key lock (apply writes the same document); a racing upsert of the same new
    // document (the registration) is retried as an update.
    await updateById(this.entries, envelope.agreementId, { $max: { lastActivityAt: at }, ...(becomesActive && { $addToSet: { activeMilestones: milestoneId } }) }, { upsert: true });
  }

  /** Applies one event of `agreements.events`; false for a redelivery or an event that changes nothing here. */
  async apply(envelope: EventEnvelope): Promise<boolean> {
    const event = envelope as AgreementEventEnvelope;
    let set: Partial<AgreementInfo>;
    switch (event.type) {
      case 'agreement.registered':
        set = {
          reference: event.data.reference,
          title: event.data.title,
          ...partiesSet(event.data.parties),
          commodities: [...event.data.commodities],
          ...agreementStatusChange(event),
        };
        break;
      case 'agreement.amended': {
        const c = event.data.changes;
        set = {
          ...(c.title !== undefined && { title: c.title }),
          ...(c.parties !== undefined && partiesSet(c.parties)),
          ...(c.commodities !== undefined && { commodities: [...c.commodities] }),
        };
        break;
      }
      default:
        // lifecycle and implementation status, read the same way by every service
        set = agreementStatusChange(event);
    }
    // The guard moves on every event of the stream, so later ones are never held back by a no-op.
    const at = activityTime(event);
    const update = at ? { $set: set, $max: { lastActivityAt: at } } : { $set: set };
    return applyOnce(this.entries as never, event.agreementId, { field: 'version', value: event.streamVersion }, update);
  }
}

/** `agreement_info`, from `agreements.events` and the activity in `milestones.events`, live and in a replay. */
export const agreementInfo: TopicProjection = {
  source: 'topics',
  name: 'agreement-info',
  collections: [{ name: 'agreement_info', indexes: [{ key: { lastActivityAt: 1 } }] }],
  topics: [Topics.agreements, Topics.milestones],
  async apply(into, event) {
    const info = new AgreementInfoStore(into);
    if (event.type.startsWith('agreement.')) await info.apply(event);
    else if (event.type.startsWith('milestone.')) await info.touch(event);
  },
};
