/**
 * Reminders of a subscription (Alertmanager's repeat_interval, a Jira SLA timer): an alert still open that the
 * subscription's owner has not acknowledged, marked done or snoozed (until a later time) is sent again
 * `intervalHours` after its last sending, at most `maxReminders` times. Pure: the caller passes what it read.
 */
import type { AlertStatus, RecipientState } from '@tracker/contracts';

export interface Repeat {
  intervalHours: number;
  maxReminders: number;
}

export interface ReminderFacts {
  status: AlertStatus;
  /** The owner's own stand on the alert (absent: the owner did nothing). */
  ownerStand?: { state: RecipientState; until?: string };
  /** Whether the owner acknowledged the alert itself (the alert-wide acknowledgement). */
  acknowledgedByOwner: boolean;
  /** The last time the alert went to the subscription (first sending or reminder). */
  lastSentAt: string;
  /** Reminders sent so far. */
  sent: number;
}

export type ReminderDecision =
  /** Send reminder number `n`; the next one is looked at `nextAt` (null: that was the last). */
  | { kind: 'send'; n: number; nextAt: Date | null }
  /** Nothing now; look again at `at`. */
  | { kind: 'later'; at: Date }
  /** No more reminders for this alert and subscription. */
  | { kind: 'stop'; why: 'resolved' | 'acknowledged' | 'done' | 'all sent' };

const hours = (h: number) => h * 3_600_000;

export function reminderDecision(repeat: Repeat, facts: ReminderFacts, now: Date): ReminderDecision {
  if (facts.status === 'resolved') return { kind: 'stop', why: 'resolved' };
  if (facts.ownerStand?.state === 'done') return { kind: 'stop', why: 'done' };
  if (facts.ownerStand?.state === 'acknowledged' || facts.acknowledgedByOwner) return { kind: 'stop', why: 'acknowledged' };
  if (facts.sent >= repeat.maxReminders) return { kind: 'stop', why: 'all sent' };
  const due = Date.parse(facts.lastSentAt) + hours(repeat.intervalHours);
  // Snoozed: not before the snooze ends (a snooze that has ended counts as no stand).
  const until = facts.ownerStand?.state === 'snoozed' && facts.ownerStand.until ? Date.parse(facts.ownerStand.until) : 0;
  const at = Math.max(due, until);
  if (at > now.getTime()) return { kind: 'later', at: new Date(at) };
  const n = facts.sent + 1;
  return { kind: 'send', n, nextAt: n < repeat.maxReminders ? new Date(now.getTime() + hours(repeat.intervalHours)) : null };
}
