/**
 * Whether a subscription's filters match an alert: the pure rule (matchesSubscription) fed with what this service
 * knows of the alert's agreement (its countries and commodities, read by `_id`). Used by the live stream, its
 * catch-up and the digest.
 */
import { Injectable } from '@nestjs/common';
import { matchesSubscription, type AgreementForMatching, type AlertForMatching, type SubscriptionFilters } from '@tracker/alerts-domain';
import { AgreementInfoStore, forMatching, type AgreementReads } from '../read-model/agreement-info';

@Injectable()
export class SubscriptionMatcher {
  constructor(private readonly agreements: AgreementInfoStore) {}

  /** Reads to share across many matches and payloads (a backlog, a digest: one read per agreement). */
  reads(): AgreementReads {
    return this.agreements.reads();
  }

  async agreementOf(agreementId: string, reads: Pick<AgreementReads, 'get'> = this.agreements): Promise<AgreementForMatching | null> {
    return forMatching(await reads.get(agreementId));
  }

  async matches(filters: SubscriptionFilters, alert: AlertForMatching, reads?: AgreementReads): Promise<boolean> {
    return matchesSubscription(filters, alert, await this.agreementOf(alert.agreementId, reads));
  }
}
