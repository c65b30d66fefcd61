/**
 * The milestone-deadlines projection folds a backlog at once (applyMany: each milestone's document written once per
 * run, listed under its final date) and must leave exactly what `apply`, event by event, leaves: the deadline
 * documents, the due-date lists the scheduler reads, and (for the alerts reactor) each milestone's document as it
 * stood after each event. On the real database, with redeliveries and an event of a milestone never planned.
 */
import type { MilestoneEventEnvelope } from '@tracker/contracts';
import type { CollectionSource } from '@tracker/service-runtime';
import { ForeignEvents, scratchCollections, useTestDatabase } from '@tracker/testing';
import { DeadlineStore, milestoneDeadlines, type DeadlineDoc } from './deadlines';

/** A milestone event of agreement a-1 on day `day` of March 2026 (versions counted per milestone, in call order). */
function eventsOn(events: ForeignEvents) {
  return (milestoneId: string, type: string, data: Record<string, unknown>, day: number) => {
    const at = `2026-03-${String(day).padStart(2, '0')}T09:00:00.000Z`;
    return events.next(`milestone-${milestoneId}`, 'a-1', type, { milestoneId, agreementId: 'a-1', ...data }, { occurredAt: at, recordedAt: at }) as MilestoneEventEnvelope;
  };
}


/** Plans, progress, two slips of one milestone within a run (the middle date never shown), outcomes, redeliveries. */
function backlog(): MilestoneEventEnvelope[] {
  const event = eventsOn(new ForeignEvents(() => new Date()));
  const planned = (m: string, dueDate: string, day: number) =>
    event(m, 'milestone.planned', { type: 'financing', title: `Milestone ${m}`, dueDate, evidence: [] }, day);
  const rescheduled = (m: string, from: string, to: string, slipCount: number, day: number) =>
    event(m, 'milestone.rescheduled', { previousDueDate: from, newDueDate: to, slipDays: 30, reason: 'permits', slipCount, decidedOn: `2026-03-0${day}` }, day);
  const events = [
    planned('m-1', '2026-06-30', 1),
    planned('m-2', '2026-06-30', 1),
    planned('m-3', '2026-09-30', 2),
    event('m-1', 'milestone.started', { startedOn: '2026-03-02' }, 2),
    rescheduled('m-2', '2026-06-30', '2026-07-31', 1, 3),
    event('m-1', 'milestone.progress-reported', { percent: 30, evidence: [], reportedOn: '2026-03-03' }, 3),
    rescheduled('m-2', '2026-07-31', '2026-08-31', 2, 4),
    event('m-9', 'milestone.started', { startedOn: '2026-03-04' }, 4),
    event('m-3', 'milestone.met', { metOn: '2026-03-05', evidence: [] }, 5),
    event('m-1', 'milestone.progress-reported', { percent: 60, evidence: [], reportedOn: '2026-03-06' }, 6),
    rescheduled('m-1', '2026-06-30', '2026-09-30', 1, 7),
  ];
  return [...events.slice(0, 6), events[4], ...events.slice(6), events[8], events[1]];
}

describe('milestone-deadlines: applyMany leaves what apply leaves', () => {
  const db = useTestDatabase('alerts_deadlines');
  const source = (): CollectionSource => scratchCollections(db());

  async function contents(into: CollectionSource) {
    const all = (name: string) => into.collection(name).find({}).sort({ _id: 1 }).toArray();
    return { deadlines: await all('milestone_deadlines'), dueDates: await all('milestone_due_dates') };
  }

  async function due(into: CollectionSource): Promise<string[]> {
    const out: string[] = [];
    for await (const d of new DeadlineStore(into).dueBy('2099-12-31')) out.push(`${d.dueDate} ${d._id}`);
    return out;
  }

  it.each([1, 3, 100])('in runs of %i: the same documents and due dates, and the same document after each event', async (runSize) => {
    const events = backlog();
    const oneByOne = source();
    const store = new DeadlineStore(oneByOne);
    const docsAfter = new Map<string, DeadlineDoc | null>();
    for (const e of events) {
      await milestoneDeadlines.apply(oneByOne, e);
      docsAfter.set(e.eventId, await store.get(e.data.milestoneId));
    }

    const together = source();
    const projectedAfter = new Map<string, unknown>();
    for (let i = 0; i < events.length; i += runSize) {
      const projected = await milestoneDeadlines.applyMany!(together, events.slice(i, i + runSize));
      for (const [id, doc] of projected ?? []) projectedAfter.set(id, doc);
    }

    // What the scheduler finds: m-1 and m-2 at their last dates, m-3 met (not watched), m-9 never planned.
    expect(await due(oneByOne)).toEqual(['2026-08-31 m-2', '2026-09-30 m-1']);
    expect(await due(together)).toEqual(await due(oneByOne));
    expect(await contents(together)).toEqual(await contents(oneByOne));
    expect(Object.fromEntries(projectedAfter)).toEqual(Object.fromEntries(docsAfter));
  });
});
