/**
 * The daily digest of a subscription: its open alerts grouped by agreement and severity, and what changed since
 * the last digest (raised, resolved, acknowledged by the subscription's owner). And when it is due: at a local
 * hour in an IANA time zone, safe across daylight-saving changes. Pure: the caller passes the times.
 *
 * DST: an hour the clocks skip that day (02:00 in Europe/Berlin on the last Sunday of March) gives the digest at
 * the moment they jump over it (03:00 local, the same instant); an hour that happens twice (the night clocks go
 * back) gives it at the first one only. Once per local date either way.
 */
import { addDays, AlertSeverities, type AlertSeverity, type AlertStatus } from '@tracker/contracts';

/** One alert as the digest sees it; `A` is whatever the caller shows of it (the payload, in the service). */
export interface DigestAlert {
  id: string;
  severity: AlertSeverity;
  status: AlertStatus;
  raisedAt: string;
  resolvedAt: string | null;
  agreement: { id: string; reference: string | null; title: string | null };
}

export interface DigestEntry<A extends DigestAlert> {
  alert: A;
  /** When the subscription's owner acknowledged it (null: they did not). */
  acknowledgedByOwnerAt: string | null;
  /**
   * When the tracker recorded the alert and its resolution (system time). What changed since the last digest is
   * what the tracker learned since: an alert raised today by a report back-filled to last month is news today.
   * Absent: the alert's own times.
   */
  recordedAt?: string;
  resolvedRecordedAt?: string | null;
}

export interface DigestAgreementGroup<A> {
  agreement: { id: string; reference: string | null; title: string | null };
  count: number;
  /** Most severe first; only severities with alerts. */
  severities: Array<{ severity: AlertSeverity; alerts: A[] }>;
}

export interface Digest<A> {
  /** What "changed" counts from: the last digest's time (or the subscription's creation, for the first). */
  since: string;
  at: string;
  open: { count: number; agreements: Array<DigestAgreementGroup<A>> };
  changes: { raised: A[]; resolved: A[]; acknowledged: A[] };
}

const isOpen = (status: AlertStatus) => status === 'open' || status === 'acknowledged';
const within = (t: string | null | undefined, since: string, at: string) => !!t && Date.parse(t) > Date.parse(since) && Date.parse(t) <= Date.parse(at);
const byRaised = (a: DigestAlert, b: DigestAlert) => a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id);
const rank = (s: AlertSeverity) => AlertSeverities.indexOf(s);

/**
 * The digest at `at`: open alerts (open or acknowledged) grouped by agreement (the agreement with the most severe
 * alert first, then the most alerts, then by reference) and severity (most severe first), oldest alert first in
 * each; and the alerts raised, resolved and acknowledged by the owner in (since, at], as the tracker recorded them.
 * Entries are the subscription's alerts (already filtered); an alert recorded after `at` is not in it yet.
 */
export function buildDigest<A extends DigestAlert>(entries: ReadonlyArray<DigestEntry<A>>, since: string, at: string): Digest<A> {
  const learned = (e: DigestEntry<A>) => e.recordedAt ?? e.alert.raisedAt;
  const resolvedLearned = (e: DigestEntry<A>) => e.resolvedRecordedAt ?? e.alert.resolvedAt;
  const known = entries.filter((e) => Date.parse(learned(e)) <= Date.parse(at));
  const resolvedAfter = (e: DigestEntry<A>) => {
    const t = resolvedLearned(e);
    return t != null && Date.parse(t) > Date.parse(at);
  };
  const open = known.filter((e) => isOpen(e.alert.status) || resolvedAfter(e)).map((e) => e.alert);
  const groups = new Map<string, A[]>();
  for (const a of open) groups.set(a.agreement.id, [...(groups.get(a.agreement.id) ?? []), a]);
  const agreements = [...groups.values()].map((alerts): DigestAgreementGroup<A> & { top: number } => {
    const severities = [...AlertSeverities]
      .reverse()
      .map((severity) => ({ severity, alerts: alerts.filter((a) => a.severity === severity).sort(byRaised) }))
      .filter((s) => s.alerts.length > 0);
    return { agreement: { ...alerts[0].agreement }, count: alerts.length, severities, top: rank(severities[0].severity) };
  });
  agreements.sort(
    (x, y) =>
      y.top - x.top ||
      y.count - x.count ||
      (x.agreement.reference ?? x.agreement.title ?? '').localeCompare(y.agreement.reference ?? y.agreement.title ?? '') ||
      x.agreement.id.localeCompare(y.agreement.id),
  );
  return {
    since,
    at,
    open: { count: open.length, agreements: agreements.map(({ top: _top, ...g }) => g) },
    changes: {
      raised: known.filter((e) => within(learned(e), since, at)).map((e) => e.alert).sort(byRaised),
      resolved: known.filter((e) => within(resolvedLearned(e), since, at)).map((e) => e.alert).sort(byRaised),
      acknowledged: known.filter((e) => within(e.acknowledgedByOwnerAt, since, at)).map((e) => e.alert).sort(byRaised),
    },
  };
}

// ---- when ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at `instant` (ms) in `timeZone`, as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The local date (YYYY-MM-DD) at `at` in `timeZone`. */
export function localDateOf(at: Date, timeZone: string): string {
  return new Date(wallClock(at.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The instant of `hour`:00 on `localDate` in `timeZone` (see above for the hours DST skips or repeats). */
export function digestInstant(localDate: string, hour: number, timeZone: string): Date {
  const [y, m, d] = localDate.split('-').map(Number);
  const wanted = Date.UTC(y, m - 1, d, hour);
  // The zone's offsets half a day either side: a DST change that day is between them.
  const offsets = [...new Set([wanted - 12 * 3_600_000, wanted + 12 * 3_600_000].map((t) => wallClock(t, timeZone) - t))];
  const candidates = offsets.map((o) => wanted - o);
  const exact = candidates.filter((t) => wallClock(t, timeZone) === wanted);
  // Twice (clocks back): the first. Never (clocks forward): the later candidate, the moment the clocks jump.
  return new Date(exact.length > 0 ? Math.min(...exact) : Math.max(...candidates));
}

/** The first digest time strictly after `after`. */
export function nextDigestAt(hour: number, timeZone: string, after: Date): Date {
  const today = localDateOf(after, timeZone);
  for (let k = 0; ; k++) {
    const t = digestInstant(addDays(today, k), hour, timeZone);
    if (t.getTime() > after.getTime()) return t;
  }
}

/** The latest digest time at or before `now`, and the local date it is the digest of. */
export function latestDigestAt(hour: number, timeZone: string, now: Date): { at: Date; localDate: string } {
  const today = localDateOf(now, timeZone);
  for (let k = 0; ; k++) {
    const localDate = addDays(today, -k);
    const at = digestInstant(localDate, hour, timeZone);
    if (at.getTime() <= now.getTime()) return { at, localDate };
  }
}
