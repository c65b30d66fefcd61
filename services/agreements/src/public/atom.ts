/**
 * The Atom feeds (RFC 4287) of public agreements' changes, written by the `feed` library. Ids are stable, so a
 * feed reader never shows an entry twice: an entry is `urn:uuid:<event id>` (event ids are UUID v7, never reused),
 * a feed a tag URI (RFC 4151) naming the agreement or "all". `updated` is when the tracker recorded the change
 * (record time), `published` when it happened (business time, ADR 0008); the feed's `updated` is its newest
 * entry's, so two requests without a change in between answer the same document.
 */
import { Feed } from 'feed';
import type { PublicStep } from './public-view';

export const ATOM_MEDIA_TYPE = 'application/atom+xml';
const TAG = 'tag:agreement-tracker.example,2026';
const EPOCH = new Date(0);

export const feedIdOf = (agreementId?: string): string =>
  agreementId ? `${TAG}:feed:agreement:${agreementId}` : `${TAG}:feed:all`;
export const entryIdOf = (eventId: string): string => `urn:uuid:${eventId}`;

/** Text for an `html`-typed Atom element (the library writes titles and summaries as html). */
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface FeedEntry {
  step: PublicStep;
  agreement: { id: string; title: string };
}

/**
 * `baseUrl`: the service's public origin (from the request), for links; `selfPath` the feed's own path. Entries
 * newest (by record time) first.
 */
export function atomFeed(options: {
  agreement?: { id: string; title: string };
  baseUrl: string;
  selfPath: string;
  entries: readonly FeedEntry[];
}): string {
  const { agreement, baseUrl, entries } = options;
  const updated = entries.reduce(
    (latest, e) => (new Date(e.step.recordedAt) > latest ? new Date(e.step.recordedAt) : latest),
    EPOCH,
  );
  const feed = new Feed({
    id: feedIdOf(agreement?.id),
    title: agreement ? `Agreement tracker: ${agreement.title}` : 'Agreement tracker: public agreements',
    description:
      'Changes to public agreements and their milestones: when they were recorded and when they happened.',
    link: `${baseUrl}${agreement ? `/public/agreements/${agreement.id}` : '/public/agreements'}`,
    feedLinks: { atom: `${baseUrl}${options.selfPath}` },
    updated,
    author: { name: 'Agreement tracker' },
    generator: 'agreement-tracker',
    copyright: 'Facts from public reporting; see each agreement’s sources.',
  });
  for (const { step, agreement: of } of entries) {
    feed.addItem({
      id: entryIdOf(step.id),
      title: html(agreement ? step.summary : `${of.title}: ${step.summary}`),
      link: `${baseUrl}/public/agreements/${of.id}`,
      date: new Date(step.recordedAt),
      published: new Date(step.occurredAt),
      description: html(`${step.summary} (${step.occurredAt.slice(0, 10)})`),
    });
  }
  return feed.atom1();
}
