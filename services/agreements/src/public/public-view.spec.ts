/** The public view and feed, pure: what is picked from the journal, in which order, and the feed's stable ids. */
import { XMLParser } from 'fast-xml-parser';
import type { JournalEntryDoc } from '../history/agreement-journal';
import { atomFeed, entryIdOf } from './atom';
import { publicMilestones, publicTimeline } from './public-view';

const A = '0197a3c2-0000-7000-8000-0000000000aa';
const M = '0197a3c2-0000-7000-8000-000000000001';
let n = 0;
const versions = new Map<string, number>();
const entry = (
  source: JournalEntryDoc['source'],
  type: string,
  data: object,
  occurredAt: string,
  recordedAt = occurredAt,
): JournalEntryDoc => {
  n += 1;
  const eventId = `0197a3c2-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const at = new Date(recordedAt).toISOString();
  const happenedAt = new Date(occurredAt).toISOString();
  const streamId =
    source === 'milestones' ? `milestone-${M}` : source === 'alerts' ? 'alert-al' : `agreement-${A}`;
  const streamVersion = (versions.get(streamId) ?? 0) + 1;
  versions.set(streamId, streamVersion);
  return {
    _id: `${source}:${eventId}`,
    source,
    eventId,
    type,
    schemaVersion: 1,
    streamId,
    streamVersion,
    position: n,
    agreementId: A,
    occurredAt,
    recordedAt,
    actor: { id: 'dev-monitor', role: 'monitor' },
    correlationId: 'c',
    causationId: null,
    data,
    hash: 'h',
    prevHash: null,
    at,
    sortKey: `${at}|${source}|${String(n).padStart(16, '0')}|${eventId}`,
    happenedAt,
    businessKey: `${happenedAt}|${source}|${String(n).padStart(16, '0')}|${eventId}`,
  } as JournalEntryDoc;
};

describe('public view', () => {
  const journal = [
    entry(
      'agreements',
      'agreement.registered',
      { agreementId: A, title: 'MoU' },
      '2026-01-29T00:00:00.000Z',
      '2026-02-01T09:00:00.000Z',
    ),
    entry(
      'agreements',
      'agreement.visibility-changed',
      { agreementId: A, public: true, reason: 'published' },
      '2026-02-02T09:00:00.000Z',
    ),
    entry(
      'milestones',
      'milestone.planned',
      {
        milestoneId: M,
        agreementId: A,
        type: 'financing',
        title: 'Credit line',
        dueDate: '2026-06-30',
        evidence: [{ url: 'https://example.org/plan' }],
      },
      '2026-03-01T09:00:00.000Z',
    ),
    entry(
      'milestones',
      'milestone.progress-reported',
      {
        milestoneId: M,
        agreementId: A,
        percent: 30,
        note: 'private note',
        evidence: [],
        reportedOn: '2026-04-01',
      },
      '2026-04-01T00:00:00.000Z',
    ),
    entry(
      'agreements',
      'agreement.status-derived',
      {
        agreementId: A,
        from: 'signed',
        to: 'inImplementation',
        causedBy: { eventId: 'x', type: 'milestone.progress-reported', milestoneId: M },
      },
      '2026-04-01T00:00:00.000Z',
      '2026-04-01T00:00:01.000Z',
    ),
    entry('alerts', 'alert.raised', { alertId: 'al', agreementId: A }, '2026-05-01T00:00:00.000Z'),
    entry(
      'milestones',
      'milestone.cancelled',
      { milestoneId: M, agreementId: A, reason: 'merged', on: '2026-05-02' },
      '2026-05-02T00:00:00.000Z',
    ),
  ];

  it('folds milestones with evidence and closing reasons, never notes', () => {
    const [m] = publicMilestones(journal);
    expect(m).toMatchObject({
      id: M,
      title: 'Credit line',
      status: 'cancelled',
      percent: 30,
      evidence: [{ url: 'https://example.org/plan' }],
      closingReason: 'merged',
      closedOn: '2026-05-02',
    });
    expect(JSON.stringify(m)).not.toContain('private note');
  });

  it('orders the timeline in business time, a derived status after what moved it, without alerts or visibility decisions', () => {
    const steps = publicTimeline(journal);
    expect(steps.map((s) => s.type)).toEqual([
      'agreement.registered',
      'milestone.planned',
      'milestone.progress-reported',
      'agreement.status-derived',
      'milestone.cancelled',
    ]);
    expect(steps[2]).toMatchObject({
      milestoneTitle: 'Credit line',
      summary: 'Progress on Credit line: 30%',
    });
    expect(JSON.stringify(steps)).not.toMatch(/dev-monitor|private note/);
  });

  it('places a fact at the business time a correction moved it to', () => {
    const registered = journal[0];
    const corrected = entry(
      'agreements',
      'agreement.corrected',
      {
        agreementId: A,
        correctsEventId: registered.eventId,
        correctsType: 'agreement.registered',
        changes: { signedOn: '2026-03-15' },
        occurredAt: '2026-03-15T00:00:00.000Z',
        reason: 'dated wrongly',
      },
      '2026-06-01T00:00:00.000Z',
    );
    const steps = publicTimeline([...journal, corrected]);
    const signing = steps.find((s) => s.type === 'agreement.registered');
    expect(signing?.occurredAt).toBe('2026-03-15T00:00:00.000Z');
    // Now after the milestone's planning (1 March), as it happened.
    expect(steps.map((s) => s.type).slice(0, 2)).toEqual(['milestone.planned', 'agreement.registered']);
  });

  it('writes an Atom feed with ids from event ids, escaped text, record time as updated and business time as published', () => {
    const steps = publicTimeline(journal);
    const xml = atomFeed({
      agreement: { id: A, title: 'MoU <draft> & co' },
      baseUrl: 'https://tracker.example',
      selfPath: `/public/agreements/${A}/feed.atom`,
      entries: steps.map((step) => ({
        step: { ...step, summary: `${step.summary} <b>` },
        agreement: { id: A, title: 'MoU' },
      })),
    });
    const feed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'entry' }).parse(
      xml,
    ).feed;
    expect(feed.title).toBe('Agreement tracker: MoU <draft> & co');
    expect(feed.entry.map((e: { id: string }) => e.id)).toEqual(steps.map((s) => entryIdOf(s.id)));
    const registered = feed.entry[0];
    expect(registered).toMatchObject({
      updated: '2026-02-01T09:00:00.000Z',
      published: '2026-01-29T00:00:00.000Z',
    });
    expect(registered.title['#text']).toBe('Agreement signed &lt;b&gt;');
    // The feed is as new as its newest entry: the same journal gives the same document.
    expect(feed.updated).toBe('2026-05-02T00:00:00.000Z');
  });
});
