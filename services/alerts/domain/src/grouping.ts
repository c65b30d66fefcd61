/**
 * Grouping of a subscription's webhooks (Alertmanager's group_by / group_wait / group_interval): the alerts a
 * subscription matches are gathered per group key (the values of its `groupBy` fields; no field = one group). A
 * group's first batch goes `groupWaitSeconds` after its first alert, so a burst becomes one webhook; later alerts
 * go at most every `groupIntervalSeconds`, all pending ones in one webhook. A group that sent nothing for a whole
 * interval before its next alert starts afresh (waits `groupWaitSeconds` again), as Alertmanager's group does once
 * it is gone. Pure: the caller passes the clock's now.
 */
export const GroupByFields = ['agreement', 'country', 'kind'] as const;
export type GroupByField = (typeof GroupByFields)[number];

export interface Grouping {
  groupBy: readonly GroupByField[];
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
}

export interface AlertForGrouping {
  agreementId: string;
  kind: string;
  /** The agreement's party countries (empty while the agreement is not known here). */
  partyCountries: readonly string[];
}

/** The values a group is keyed by; `country` is the agreement's parties, sorted, comma-separated ("CN,TR"). */
export interface GroupBy {
  agreement?: string;
  country?: string;
  kind?: string;
}

/** The group an alert belongs to: `key` is canonical (fields in a fixed order), `by` names the values. */
export function groupOf(grouping: Grouping, alert: AlertForGrouping): { key: string; by: GroupBy } {
  const by: GroupBy = {};
  for (const field of GroupByFields) {
    if (!grouping.groupBy.includes(field)) continue;
    if (field === 'agreement') by.agreement = alert.agreementId;
    if (field === 'country') by.country = [...new Set(alert.partyCountries.map((c) => c.toUpperCase()))].sort().join(',');
    if (field === 'kind') by.kind = alert.kind;
  }
  const parts = Object.entries(by).map(([k, v]) => `${k}=${v}`);
  return { key: parts.length ? parts.join('|') : '*', by };
}

/** What the dispatcher keeps of a group: alerts not sent yet (id, when gathered) and when the last batch went. */
export interface GroupState {
  pending: ReadonlyArray<{ id: string; at: string }>;
  lastSentAt: string | null;
}

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000);

/** When the group's next batch is due; null with nothing pending. */
export function groupDueAt(grouping: Grouping, state: GroupState): Date | null {
  if (state.pending.length === 0) return null;
  const oldest = state.pending.reduce((min, p) => (p.at < min ? p.at : min), state.pending[0].at);
  if (state.lastSentAt === null) return plus(oldest, grouping.groupWaitSeconds);
  const nextSlot = plus(state.lastSentAt, grouping.groupIntervalSeconds);
  // Quiet for a whole interval before this alert came: a fresh group, which waits to gather a burst.
  if (nextSlot.getTime() <= Date.parse(oldest)) return plus(oldest, grouping.groupWaitSeconds);
  return nextSlot;
}

/**
 * The batch to send at `now` (oldest first, at most `max` alerts, the rest left for the next slot) and the state
 * after sending it; null when the group is not due.
 */
export function takeBatch(grouping: Grouping, state: GroupState, now: Date, max: number): { batch: string[]; after: GroupState } | null {
  const due = groupDueAt(grouping, state);
  if (!due || due.getTime() > now.getTime()) return null;
  const sorted = [...state.pending].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const batch = sorted.slice(0, Math.max(1, max));
  return { batch: batch.map((p) => p.id), after: { pending: sorted.slice(batch.length), lastSentAt: now.toISOString() } };
}
