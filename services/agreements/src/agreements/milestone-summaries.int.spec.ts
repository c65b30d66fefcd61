/**
 * The milestone-summaries projection folds a backlog at once (applyMany: each summary and list written once per
 * run) and must leave exactly what `apply`, event by event, leaves: the summaries, each agreement's list, its
 * activity time, and (for the status reactor) each agreement's milestones as they stood after each event. On the
 * real database, with redeliveries and an event of a milestone never planned in the stream.
 */
import type { MilestoneEventEnvelope, MilestoneSummary } from '@tracker/contracts';
import type { CollectionSource } from '@tracker/service-runtime';
import { ForeignEvents, scratchCollections, useTestDatabase } from '@tracker/testing';
import { AgreementReadModel, milestoneSummaries } from './agreement-read-model';

const AGREEMENTS = ['a-1', 'a-2'];

/** A milestone event on day `day` of March 2026 (stream versions counted per milestone, in call order). */
function eventsOn(events: ForeignEvents) {
  return (agreementId: string, milestoneId: string, type: string, data: Record<string, unknown>, day: number) => {
    const at = `2026-03-${String(day).padStart(2, '0')}T09:00:00.000Z`;
    return events.next(`milestone-${milestoneId}`, agreementId, type, { milestoneId, agreementId, ...data }, { occurredAt: at, recordedAt: at }) as MilestoneEventEnvelope;
  };
}

/** Four milestones over two agreements, interleaved as a partition would carry them, with two redeliveries. */
function backlog(): MilestoneEventEnvelope[] {
  const event = eventsOn(new ForeignEvents(() => new Date()));
  const planned = (a: string, m: string, day: number) =>
    event(a, m, 'milestone.planned', { type: 'financing', title: `Milestone ${m}`, dueDate: '2026-09-30', evidence: [] }, day);
  const events = [
    planned('a-1', 'm-1', 1),
    planned('a-1', 'm-2', 2),
    event('a-1', 'm-1', 'milestone.started', { startedOn: '2026-03-03' }, 3),
    planned('a-2', 'm-3', 3),
    event('a-1', 'm-1', 'milestone.progress-reported', { percent: 40, evidence: [], reportedOn: '2026-03-05' }, 5),
    // A milestone whose planning this stream never carried: nothing to count.
    event('a-2', 'm-9', 'milestone.started', { startedOn: '2026-03-06' }, 6),
    event('a-1', 'm-2', 'milestone.rescheduled', { previousDueDate: '2026-09-30', newDueDate: '2026-12-31', slipDays: 92, reason: 'permits', slipCount: 1, decidedOn: '2026-03-07' }, 7),
    planned('a-2', 'm-4', 8),
    event('a-2', 'm-3', 'milestone.started', { startedOn: '2026-03-09' }, 9),
    event('a-1', 'm-1', 'milestone.met', { metOn: '2026-03-10', evidence: [] }, 10),
    event('a-2', 'm-4', 'milestone.cancelled', { reason: 'merged into m-3' }, 11),
    event('a-2', 'm-3', 'milestone.progress-reported', { percent: 70, evidence: [], reportedOn: '2026-03-12' }, 12),
  ];
  // Redeliveries: a re-sent batch puts events on the topic again, later.
  return [...events.slice(0, 8), events[2], ...events.slice(8), events[6], events[9]];
}

describe('milestone-summaries: applyMany leaves what apply leaves', () => {
  const db = useTestDatabase('agr_summaries');

  async function source(): Promise<CollectionSource> {
    const into: CollectionSource = scratchCollections(db());
    // The agreements exist (their views carry the activity time the milestones move).
    await into.collection('agreement_views').insertMany(AGREEMENTS.map((id) => ({ _id: id as never, lastActivityAt: '2026-01-01T00:00:00.000Z' })));
    return into;
  }

  const sorted = (list: MilestoneSummary[] | undefined) => [...(list ?? [])].sort((a, b) => a.milestoneId.localeCompare(b.milestoneId));

  async function contents(into: CollectionSource) {
    const all = (name: string) => into.collection(name).find({}).sort({ _id: 1 }).toArray();
    const lists = await all('agreement_milestones');
    return {
      summaries: await all('milestone_summaries'),
      // Entries by key; the order fields were written in is not part of the model.
      lists: lists.map((l) => ({ _id: l._id, m: Object.fromEntries(Object.entries(l.m as object).sort(([a], [b]) => a.localeCompare(b))) })),
      views: await all('agreement_views'),
    };
  }

  it.each([1, 4, 100])('in runs of %i: the same read model, and the same lists after each event', async (runSize) => {
    const events = backlog();
    const oneByOne = await source();
    const listsAfter = new Map<string, MilestoneSummary[]>();
    for (const e of events) {
      await milestoneSummaries.apply(oneByOne, e);
      listsAfter.set(e.eventId, sorted((await new AgreementReadModel(oneByOne, 0).milestonesOf([e.agreementId])).get(e.agreementId)));
    }

    const together = await source();
    const projectedAfter = new Map<string, MilestoneSummary[]>();
    for (let i = 0; i < events.length; i += runSize) {
      const projected = await milestoneSummaries.applyMany!(together, events.slice(i, i + runSize));
      for (const [id, list] of projected ?? []) projectedAfter.set(id, sorted(list as MilestoneSummary[]));
    }

    const expected = await contents(oneByOne);
    expect(expected.summaries.map((s) => s._id)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    expect(expected.views.map((v) => v.lastActivityAt)).toEqual(['2026-03-10T09:00:00.000Z', '2026-03-12T09:00:00.000Z']);
    expect(await contents(together)).toEqual(expected);
    // A redelivery in a later run gives the list as stored then, as milestonesOf would.
    expect(Object.fromEntries(projectedAfter)).toEqual(Object.fromEntries(listsAfter));
  });
});
