/** Which alerts a subscription wants. Pure: the service hands it the alert and what it knows of the agreement. */
import type { AlertKind, AlertSeverity, MilestoneType } from '@tracker/contracts';
import { atLeast } from './rules';

/** Every list is "any of"; an absent or empty list does not filter. */
export interface SubscriptionFilters {
  agreementIds?: readonly string[];
  /** ISO 3166-1 alpha-2 codes of the agreement's parties. */
  partyCountries?: readonly string[];
  commodities?: readonly string[];
  milestoneTypes?: readonly MilestoneType[];
  kinds?: readonly AlertKind[];
  minSeverity?: AlertSeverity;
}

export interface AlertForMatching {
  kind: AlertKind;
  severity: AlertSeverity;
  agreementId: string;
  milestoneType: MilestoneType | null;
}

export interface AgreementForMatching {
  partyCountries: readonly string[];
  commodities: readonly string[];
}

const any = <T>(wanted: readonly T[] | undefined, test: (w: T) => boolean) => !wanted || wanted.length === 0 || wanted.some(test);
const norm = (s: string) => s.trim().toLowerCase();

/**
 * True when the alert passes every filter. Country and commodity filters need the agreement: an alert of an
 * agreement not known (yet) does not match them. Commodities compare case-insensitively.
 */
export function matchesSubscription(filters: SubscriptionFilters, alert: AlertForMatching, agreement: AgreementForMatching | null): boolean {
  if (!atLeast(alert.severity, filters.minSeverity)) return false;
  if (!any(filters.kinds, (k) => k === alert.kind)) return false;
  if (!any(filters.agreementIds, (id) => id === alert.agreementId)) return false;
  // Agreement-level alerts (no milestone) pass a milestone-type filter only when it is empty.
  if (!any(filters.milestoneTypes, (t) => t === alert.milestoneType)) return false;
  if (filters.partyCountries?.length) {
    const countries = new Set((agreement?.partyCountries ?? []).map((c) => c.toUpperCase()));
    if (!filters.partyCountries.some((c) => countries.has(c.toUpperCase()))) return false;
  }
  if (filters.commodities?.length) {
    const commodities = new Set((agreement?.commodities ?? []).map(norm));
    if (!filters.commodities.some((c) => commodities.has(norm(c)))) return false;
  }
  return true;
}

/** Kinds raised about an agreement, not one of its milestones: their alerts have no milestone type. */
export const AgreementLevelKinds: readonly AlertKind[] = ['agreement.stalled'];

/**
 * Why `filters` ask for alerts they can never let through (null: they can): an agreement-level kind together with
 * milestone types, which no alert of that kind has. Refused when subscribing rather than matching nothing silently.
 */
export function unmatchableFilters(filters: SubscriptionFilters): { field: string; message: string } | null {
  const agreementLevel = (filters.kinds ?? []).filter((k) => AgreementLevelKinds.includes(k));
  if (agreementLevel.length === 0 || !filters.milestoneTypes?.length) return null;
  return {
    field: 'filters.milestoneTypes',
    message:
      `${agreementLevel.join(', ')} is about an agreement, not a milestone, so it has no milestone type and milestoneTypes would never let it through: ` +
      'subscribe to it without milestoneTypes (a second subscription for the milestone kinds)',
  };
}
