/**
 * Whether a subscription's filters match an alert: the pure rule (matchesSubscription) fed with what this service
 * knows of the alert's agreement (its countries and commodities, read by `_id`). Used by the live stream, its
 * catch-up and the digest.
 */
import { Injectable } from '@nestjs/common';
import { matchesSubscription, type AgreementForMatching, type AlertForMatching, type SubscriptionFilters } from '@tracker/alerts-domain';
import { AgreementInfoStore } from '../read-model/agreement-info';

/** Agreements already read, across calls (a backlog or a digest: one read per agreement). */
export type AgreementsSeen = Map<string, AgreementForMatching | null>;

@Injectable()
export class SubscriptionMatcher {
  constructor(private readonly agreements: AgreementInfoStore) {}

  async agreementOf(agreementId: string, seen?: AgreementsSeen): Promise<AgreementForMatching | null> {
    if (seen?.has(agreementId)) return seen.get(agreementId) ?? null;
    const info = await this.agreements.get(agreementId);
    const agreement = info && { partyCountries: info.partyCountries ?? [], commodities: info.commodities ?? [] };
    seen?.set(agreementId, agreement);
    return agreement;
  }

  async matches(filters: SubscriptionFilters, alert: AlertForMatching, seen?: AgreementsSeen): Promise<boolean> {
    return matchesSubscription(filters, alert, await this.agreementOf(alert.agreementId, seen));
  }
}
