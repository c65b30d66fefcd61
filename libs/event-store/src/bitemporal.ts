/**
 * Two clocks (ADR 0008): which of a stream's events make its state "as it was at `validAt` (business time), as
 * recorded by `knownAt` (record time)", and in which order to fold them.
 * - knownAt: the contiguous prefix of the stream recorded by then (what the tracker knew).
 * - validAt: of those, the facts whose business time is at or before validAt, in business-time order (ties by
 *   stream version). A correction (`*.corrected` naming `correctsEventId`) known by knownAt applies to the fact it
 *   corrects: it may move that fact's business time (`data.occurredAt`), and it is folded right after it.
 * Pure; the events are envelopes as read (upcast).
 */
import type { EventEnvelope } from '@tracker/contracts';

export interface TwoClocks {
  validAt?: Date;
  knownAt?: Date;
}

interface CorrectionLike {
  correctsEventId?: unknown;
  occurredAt?: unknown;
}

/** Whether an event corrects another (by the contracts' convention: `<aggregate>.corrected` with correctsEventId). */
export function isCorrection(event: EventEnvelope): boolean {
  return event.type.endsWith('.corrected') && typeof (event.data as CorrectionLike | null)?.correctsEventId === 'string';
}

/** The contiguous prefix of a stream (in version order, from version 1) recorded at or before `knownAt`. */
export function knownBy(events: readonly EventEnvelope[], knownAt: Date | undefined): EventEnvelope[] {
  const limit = knownAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const out: EventEnvelope[] = [];
  for (const event of [...events].sort((a, b) => a.streamVersion - b.streamVersion)) {
    // A version missing (not yet seen, or a later version recorded earlier: clock skew) ends the prefix.
    if (Date.parse(event.recordedAt) > limit || event.streamVersion !== out.length + 1) break;
    out.push(event);
  }
  return out;
}

/** Each fact's business time once the corrections among `events` are applied (eventId → ISO time). */
export function effectiveTimes(events: readonly EventEnvelope[]): Map<string, string> {
  const times = new Map<string, string>();
  for (const event of events) if (!isCorrection(event)) times.set(event.eventId, new Date(event.occurredAt).toISOString());
  for (const event of events) {
    if (!isCorrection(event)) continue;
    const { correctsEventId, occurredAt } = event.data as CorrectionLike;
    if (typeof occurredAt === 'string' && times.has(correctsEventId as string)) times.set(correctsEventId as string, new Date(occurredAt).toISOString());
  }
  // Nothing of a stream happened before the fact that created it (version 1): a fact dated earlier (an outcome dated
  // the day before the milestone was typed in without a date) counts from the creation on.
  const creation = events.find((e) => e.streamVersion === 1 && !isCorrection(e));
  const since = creation && times.get(creation.eventId);
  if (since) for (const [id, at] of times) if (at < since) times.set(id, since);
  return times;
}

/** The events to fold for the state at (validAt, knownAt), in the order to fold them. */
export function eventsAt(events: readonly EventEnvelope[], clocks: TwoClocks): EventEnvelope[] {
  const known = knownBy(events, clocks.knownAt);
  if (!clocks.validAt) return known;
  const validAt = clocks.validAt.toISOString();
  const times = effectiveTimes(known);
  const correctionsOf = new Map<string, EventEnvelope[]>();
  for (const event of known) {
    if (!isCorrection(event)) continue;
    const target = (event.data as CorrectionLike).correctsEventId as string;
    correctionsOf.set(target, [...(correctionsOf.get(target) ?? []), event]);
  }
  const facts = known
    .filter((e) => !isCorrection(e) && times.get(e.eventId)! <= validAt)
    .sort((a, b) => (times.get(a.eventId)! < times.get(b.eventId)! ? -1 : times.get(a.eventId)! > times.get(b.eventId)! ? 1 : a.streamVersion - b.streamVersion));
  return facts.flatMap((fact) => [fact, ...(correctionsOf.get(fact.eventId) ?? [])]);
}
