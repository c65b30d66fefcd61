/**
 * Silences (Alertmanager's): "do not deliver to me what this covers, until then". A silence belongs to its owner
 * (a stakeholder) and covers one of its subscriptions, or one agreement across all of its subscriptions, from its
 * creation until `until`, or until someone expires it early. Alerts it covers are still raised and recorded (the
 * inbox marks them `silenced`); only their delivery is held. Pure: the service keeps the records.
 */

export interface Silence {
  _id: string;
  /** The actor id whose subscriptions it silences. */
  owner: string;
  subscriptionId?: string;
  agreementId?: string;
  /** ISO time the silence was asked to end. */
  until: string;
  comment: string;
  createdAt: string;
  createdBy: string;
  /** Ended early (POST /silences/{id}/expire): when and by whom; the record stays. */
  expiredAt?: string;
  expiredBy?: string;
}

/** When the silence ends (ended): the earlier of `until` and an early expiry. */
export function endOf(silence: Pick<Silence, 'until' | 'expiredAt'>): string {
  return silence.expiredAt && silence.expiredAt < silence.until ? silence.expiredAt : silence.until;
}

/** True while the silence holds at `at`: from its creation (inclusive) to its end (exclusive). */
export function isActive(silence: Pick<Silence, 'createdAt' | 'until' | 'expiredAt'>, at: Date): boolean {
  const t = at.getTime();
  return Date.parse(silence.createdAt) <= t && t < Date.parse(endOf(silence));
}

/** True when the silence is about this subscription (of its owner) or this alert's agreement for that owner. */
export function covers(silence: Pick<Silence, 'owner' | 'subscriptionId' | 'agreementId'>, subscription: { _id: string; owner: string }, alert: { agreementId: string }): boolean {
  if (silence.owner !== subscription.owner) return false;
  return silence.subscriptionId === subscription._id || silence.agreementId === alert.agreementId;
}

/** The active silence among `silences` that covers the subscription and alert at `at` (the one ending last), or null. */
export function silenceOf<S extends Silence>(silences: Iterable<S>, subscription: { _id: string; owner: string }, alert: { agreementId: string }, at: Date): S | null {
  let found: S | null = null;
  for (const s of silences) {
    if (!covers(s, subscription, alert) || !isActive(s, at)) continue;
    if (!found || endOf(s) > endOf(found)) found = s;
  }
  return found;
}

/**
 * The silence that holds an alert back from all of an owner's subscriptions that match it (`matching`), or null:
 * one that covers its agreement, or, when every matching subscription is silenced, the one of those that ends
 * first (then deliveries resume). An alert still delivered through one of them is not marked.
 */
export function silenceOfAll<S extends Silence>(silences: readonly S[], matching: ReadonlyArray<{ _id: string; owner: string }>, alert: { agreementId: string }, at: Date): S | null {
  if (matching.length === 0) return null;
  const each = matching.map((subscription) => silenceOf(silences, subscription, alert, at));
  const agreementWide = each.find((s) => s?.agreementId === alert.agreementId);
  if (agreementWide) return agreementWide;
  if (each.some((s) => s === null)) return null;
  return (each as S[]).reduce((first, s) => (endOf(s) < endOf(first) ? s : first));
}
