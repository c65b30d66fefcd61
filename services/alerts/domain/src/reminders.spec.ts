import { reminderDecision, type ReminderDecision, type ReminderFacts } from './reminders';

const repeat = { intervalHours: 24, maxReminders: 3 };
const sent = '2026-03-01T09:00:00.000Z';
const hoursLater = (h: number) => new Date(Date.parse(sent) + h * 3_600_000);
const facts = (extra: Partial<ReminderFacts> = {}): ReminderFacts => ({ status: 'open', acknowledgedByOwner: false, lastSentAt: sent, sent: 0, ...extra });

describe('reminders: given an alert sent to a subscription, when the dispatcher looks, then', () => {
  it.each<[string, ReminderFacts, number, ReminderDecision]>([
    ['nothing before the interval: look again at its end', facts(), 23, { kind: 'later', at: hoursLater(24) }],
    ['reminder 1 at the interval, the next one an interval later', facts(), 24, { kind: 'send', n: 1, nextAt: hoursLater(48) }],
    ['reminder 2 after the first', facts({ sent: 1 }), 30, { kind: 'send', n: 2, nextAt: hoursLater(54) }],
    ['the last reminder says there is no next', facts({ sent: 2 }), 24, { kind: 'send', n: 3, nextAt: null }],
    ['no more once all are sent', facts({ sent: 3 }), 100, { kind: 'stop', why: 'all sent' }],
    ['none for a resolved alert', facts({ status: 'resolved' }), 24, { kind: 'stop', why: 'resolved' }],
    ['none once the owner acknowledged it (own stand)', facts({ ownerStand: { state: 'acknowledged' } }), 24, { kind: 'stop', why: 'acknowledged' }],
    ['none once the owner acknowledged the alert', facts({ status: 'acknowledged', acknowledgedByOwner: true }), 24, { kind: 'stop', why: 'acknowledged' }],
    ['still one when someone else acknowledged the alert', facts({ status: 'acknowledged' }), 24, { kind: 'send', n: 1, nextAt: hoursLater(48) }],
    ['none once the owner marked it done', facts({ ownerStand: { state: 'done' } }), 24, { kind: 'stop', why: 'done' }],
    ['not while snoozed: at the snooze end', facts({ ownerStand: { state: 'snoozed', until: hoursLater(30).toISOString() } }), 24, { kind: 'later', at: hoursLater(30) }],
    ['as usual after a snooze that ended', facts({ ownerStand: { state: 'snoozed', until: hoursLater(2).toISOString() } }), 24, { kind: 'send', n: 1, nextAt: hoursLater(48) }],
  ])('%s', (_, given, afterHours, decision) => {
    expect(reminderDecision(repeat, given, hoursLater(afterHours))).toEqual(decision);
  });
});
