/**
 * What the journal says about an agreement's milestones and alerts at a past time, on both clocks (ADR 0008):
 * pure folds over the journal entries. Each stream takes what was recorded by `knownAt` (in version order,
 * stopping at a gap, as the event store's as-of does) and, with `validAt`, what had happened by then, in
 * business-time order with its corrections applied (eventsAt of libs/event-store).
 */
import {
  activityTime,
  foldMilestoneOverview,
  laterActivity,
  type AlertEventData,
  type AlertKind,
  type AlertSeverity,
  type MilestoneEventType,
  type MilestoneOverview,
} from '@tracker/contracts';
import { eventsAt, type TwoClocks } from '@tracker/event-store';
import type { JournalEntryDoc } from './agreement-journal';

export type JournalEntry = Pick<
  JournalEntryDoc,
  'eventId' | 'source' | 'type' | 'streamId' | 'streamVersion' | 'recordedAt' | 'occurredAt' | 'at' | 'data' | 'sortKey'
>;

export interface MilestoneAsOf {
  id: string;
  title: string;
  type: MilestoneOverview['type'];
  status: MilestoneOverview['status'];
  dueDate: string;
  plannedDueDate: string;
  slipCount: number;
  percent: number;
  outcomeOn: string | null;
  /** The milestone's stream version at that time. */
  version: number;
}

export interface AlertAsOf {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  status: 'open' | 'acknowledged';
  milestoneId: string | null;
  milestoneTitle: string | null;
  dueDate: string | null;
  window: number | null;
  raisedAt: string;
  acknowledgedAt: string | null;
}

export interface SurroundingsAsOf {
  milestones: Array<MilestoneAsOf & { overview: MilestoneOverview }>;
  openAlerts: AlertAsOf[];
  /** The agreement's last activity then (the rule shared with the alerts service: activityTime in libs/contracts). */
  lastActivityAt: string | null;
}

/** Each stream's entries in version order, streams in the order they were first recorded. */
function streams(entries: readonly JournalEntry[], source: JournalEntry['source']): JournalEntry[][] {
  const byStream = new Map<string, JournalEntry[]>();
  for (const e of [...entries].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))) {
    if (e.source !== source) continue;
    const list = byStream.get(e.streamId) ?? [];
    list.push(e);
    byStream.set(e.streamId, list);
  }
  return [...byStream.values()].map((list) => list.sort((a, b) => a.streamVersion - b.streamVersion));
}

/** Folds the entries of one stream that make its state at `clocks` (see eventsAt), in the order they apply. */
function foldStream<S>(
  stream: readonly JournalEntry[],
  clocks: TwoClocks,
  initial: S,
  evolve: (state: S, e: JournalEntry) => S,
): { state: S; version: number } {
  let state = initial;
  let version = 0;
  for (const e of eventsAt(stream as never, clocks) as unknown as JournalEntry[]) {
    state = evolve(state, e);
    version = Math.max(version, e.streamVersion);
  }
  return { state, version };
}

/** `entries`: the journal entries of one agreement (any order); `clocks`: the business and record times asked. */
export function surroundingsAsOf(entries: readonly JournalEntry[], clocks: TwoClocks): SurroundingsAsOf {
  let lastActivityAt: string | null = null;
  const validAt = clocks.validAt?.toISOString();
  // Activity in business time: when it happened, however late it was typed in; nothing after the time asked (a
  // fact a correction moved to before it is folded, its first, later time is not activity then).
  const active = (at: string | null) => {
    if (at && (!validAt || at <= validAt)) lastActivityAt = laterActivity(lastActivityAt, at);
  };
  for (const stream of streams(entries, 'agreements')) {
    foldStream(stream, clocks, null, (_, e) => {
      active(activityTime(e));
      return null;
    });
  }

  const milestones: SurroundingsAsOf['milestones'] = [];
  for (const stream of streams(entries, 'milestones')) {
    const { state, version } = foldStream<MilestoneOverview | undefined>(stream, clocks, undefined, (overview, e) => {
      const next = foldMilestoneOverview(overview, e.type as MilestoneEventType, e.data as never, e.eventId);
      // As the agreement list counts it: an event that leaves the milestone active is activity on the agreement.
      active(activityTime(e, next?.active));
      return next;
    });
    if (!state) continue;
    milestones.push({
      id: state.milestoneId,
      title: state.title,
      type: state.type,
      status: state.status,
      dueDate: state.dueDate,
      plannedDueDate: state.plannedDueDate,
      slipCount: state.slipCount,
      percent: state.percent,
      outcomeOn: state.outcomeOn,
      version,
      overview: state,
    });
  }

  const openAlerts: AlertAsOf[] = [];
  for (const stream of streams(entries, 'alerts')) {
    const { state } = foldStream<(AlertAsOf & { resolved: boolean }) | undefined>(
      stream,
      clocks,
      undefined,
      (alert, e) => {
        if (e.type === 'alert.raised') {
          const d = e.data as AlertEventData['alert.raised'];
          return {
            id: d.alertId,
            kind: d.kind,
            severity: d.severity,
            status: 'open',
            milestoneId: d.milestoneId,
            milestoneTitle: d.milestoneTitle,
            dueDate: d.dueDate,
            window: d.window,
            raisedAt: e.recordedAt,
            acknowledgedAt: null,
            resolved: false,
          };
        }
        if (!alert) return undefined;
        if (e.type === 'alert.acknowledged')
          return { ...alert, status: 'acknowledged', acknowledgedAt: alert.acknowledgedAt ?? e.recordedAt };
        if (e.type === 'alert.resolved') return { ...alert, resolved: true };
        return alert;
      },
    );
    if (state && !state.resolved) {
      const { resolved: _resolved, ...alert } = state;
      openAlerts.push(alert);
    }
  }
  return { milestones, openAlerts, lastActivityAt };
}
