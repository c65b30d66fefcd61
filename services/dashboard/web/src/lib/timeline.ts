/**
 * The agreement timeline's layout, from the milestones service's timeline (every step in business time): one
 * lane per milestone with its planned span, original and current due date, each slip, progress and outcome; the
 * suspension periods; the signing date; and the range to draw, from signing to the last due date. Pure, so the
 * chart only draws what this decides.
 */
import {
  daysBetween,
  isCalendarDate,
  signingPeriodStart,
  type DatePrecision,
  type EvidenceLink,
} from '@tracker/contracts';
import type { TimelineStep } from '../api/types';

export type Outcome = 'met' | 'partiallyMet' | 'notMet' | 'cancelled';

export interface LaneSlip {
  from: string;
  to: string;
  /** Positive: later (a slip); negative: brought forward. */
  days: number;
  reason: string;
  decidedOn: string;
}

export interface Lane {
  milestoneId: string;
  title: string;
  type: string;
  /** The business date it was planned on (the span starts here). */
  plannedOn: string;
  originalDue: string;
  currentDue: string;
  slips: LaneSlip[];
  startedOn: string | null;
  percent: number;
  progress: { on: string; percent: number; note?: string }[];
  outcome: { kind: Outcome; on: string; evidence: EvidenceLink[]; note?: string } | null;
}

export interface Period {
  from: string;
  /** Null while it lasts. */
  to: string | null;
  reason: string;
}

export interface TimelineLayout {
  signedOn: string | null;
  /** The range to draw: from signing (or the first step) to the last due date (or today, if later). */
  from: string;
  to: string;
  today: string;
  lanes: Lane[];
  suspensions: Period[];
  /** The day the agreement ended, terminated or expired, if it did. */
  endedOn: { on: string; how: 'terminated' | 'expired' } | null;
}

const day = (iso: string): string => iso.slice(0, 10);

/** A step's data with the corrections made to it applied, under the names the data uses. */
function corrected(step: TimelineStep): Record<string, unknown> {
  const data: Record<string, unknown> = { ...step.data };
  for (const c of step.corrections) {
    const changes = c.data.changes ?? {};
    for (const [field, value] of Object.entries(changes)) {
      // A rescheduled event's corrected due date is its new due date.
      if (field === 'dueDate' && step.type === 'milestone.rescheduled') data['newDueDate'] = value;
      else data[field] = value;
    }
  }
  return data;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const evidenceOf = (v: unknown): EvidenceLink[] => (Array.isArray(v) ? (v as EvidenceLink[]) : []);

export function layoutTimeline(
  steps: readonly TimelineStep[],
  today: string,
  signing: { signedOn?: string | null; datePrecision?: DatePrecision | null } = {},
): TimelineLayout {
  const lanes = new Map<string, Lane>();
  const suspensions: Period[] = [];
  let endedOn: TimelineLayout['endedOn'] = null;
  let signed = signing.signedOn ?? null;
  let precision = signing.datePrecision ?? undefined;

  for (const step of steps) {
    const data = corrected(step);
    const on = day(step.occurredAt);
    if (step.source === 'agreement') {
      const effective = day(str(data['effectiveOn']) || on);
      if (step.type === 'agreement.registered' && !signed) {
        signed = str(data['signedOn']) || null;
        precision = (str(data['datePrecision']) || undefined) as DatePrecision | undefined;
      }
      if (step.type === 'agreement.corrected' && typeof data['signedOn'] === 'string')
        signed = data['signedOn'];
      if (step.type === 'agreement.suspended')
        suspensions.push({ from: effective, to: null, reason: str(data['reason']) });
      if (step.type === 'agreement.resumed') {
        const open = suspensions.find((p) => p.to === null);
        if (open) open.to = effective;
      }
      if (step.type === 'agreement.terminated' || step.type === 'agreement.expired') {
        endedOn = { on: effective, how: step.type === 'agreement.terminated' ? 'terminated' : 'expired' };
        const open = suspensions.find((p) => p.to === null);
        if (open) open.to = effective;
      }
      continue;
    }
    const id = step.milestoneId;
    if (!id) continue;
    if (step.type === 'milestone.planned') {
      const due = str(data['dueDate']);
      lanes.set(id, {
        milestoneId: id,
        title: str(data['title']) || step.milestoneTitle || '',
        type: str(data['type']),
        plannedOn: on,
        originalDue: due,
        currentDue: due,
        slips: [],
        startedOn: null,
        percent: 0,
        progress: [],
        outcome: null,
      });
      continue;
    }
    const lane = lanes.get(id);
    if (!lane) continue; // a step of a milestone planned after the time asked for
    switch (step.type) {
      case 'milestone.started':
        lane.startedOn = day(str(data['startedOn']) || on);
        break;
      case 'milestone.progress-reported': {
        const percent = Number(data['percent'] ?? 0);
        // A report dated after the milestone was met (a met date corrected to earlier) does not undo it: met is 100%.
        if (lane.outcome?.kind !== 'met') lane.percent = percent;
        lane.progress.push({
          on: day(str(data['reportedOn']) || on),
          percent,
          ...(data['note'] ? { note: str(data['note']) } : {}),
        });
        break;
      }
      case 'milestone.rescheduled': {
        const to = str(data['newDueDate']);
        const from = str(data['previousDueDate']) || lane.currentDue;
        lane.slips.push({
          from,
          to,
          // From the dates, not the event's slipDays: a correction of the new due date leaves slipDays as recorded.
          days:
            isCalendarDate(from) && isCalendarDate(to)
              ? daysBetween(from, to)
              : Number(data['slipDays'] ?? 0),
          reason: str(data['reason']),
          decidedOn: day(str(data['decidedOn']) || on),
        });
        lane.currentDue = to;
        break;
      }
      case 'milestone.met':
      case 'milestone.partially-met':
        lane.outcome = {
          kind: step.type === 'milestone.met' ? 'met' : 'partiallyMet',
          on: day(str(data['metOn']) || on),
          evidence: evidenceOf(data['evidence']),
          ...(data['note'] ? { note: str(data['note']) } : {}),
        };
        if (step.type === 'milestone.met') lane.percent = 100;
        break;
      case 'milestone.not-met':
      case 'milestone.cancelled':
        lane.outcome = {
          kind: step.type === 'milestone.not-met' ? 'notMet' : 'cancelled',
          on: day(str(data['on']) || on),
          evidence: [],
          note: str(data['reason']),
        };
        break;
      case 'milestone.corrected':
        // Applied to the step it corrects (its `corrections`), not a step of its own.
        break;
    }
  }

  const all = [...lanes.values()];
  const dates = [
    ...all.flatMap((l) => [l.plannedOn, l.originalDue, l.currentDue, l.outcome?.on ?? '']),
    ...suspensions.flatMap((p) => [p.from, p.to ?? '']),
  ].filter(Boolean);
  const signingDay = signingPeriodStart(signed, precision);
  const from = [signingDay ? day(signingDay) : '', ...dates].filter(Boolean).sort()[0] ?? today;
  const last = [...dates, today].sort().at(-1)!;
  return { signedOn: signed, from, to: last, today, lanes: all, suspensions, endedOn };
}

const outcomeWords: Record<Outcome, string> = {
  met: 'met',
  partiallyMet: 'partially met',
  notMet: 'not met',
  cancelled: 'cancelled',
};
export const outcomeLabel = (o: Outcome) => outcomeWords[o];

/** The timeline in words: the chart's accessible description, and what a screen reader user hears. */
export function describeLane(l: Lane): string {
  const parts = [`${l.title}: planned ${l.plannedOn}, due ${l.originalDue}`];
  if (l.currentDue !== l.originalDue) parts.push(`now due ${l.currentDue}`);
  const later = l.slips.filter((s) => s.days > 0);
  if (later.length)
    parts.push(
      `slipped ${later.length} time${later.length === 1 ? '' : 's'} (${later.map((s) => `${s.days} day${s.days === 1 ? '' : 's'}: ${s.reason}`).join('; ')})`,
    );
  if (l.outcome) parts.push(`${outcomeLabel(l.outcome.kind)} on ${l.outcome.on}`);
  else parts.push(`${l.percent}% done`);
  return parts.join(', ');
}

export function describeTimeline(t: TimelineLayout): string {
  const head = `Timeline from ${t.from} to ${t.to}, today ${t.today}.`;
  const periods = t.suspensions
    .map((p) => ` Suspended from ${p.from}${p.to ? ` to ${p.to}` : ', still suspended'}.`)
    .join('');
  const ended = t.endedOn
    ? ` ${t.endedOn.how === 'terminated' ? 'Terminated' : 'Expired'} on ${t.endedOn.on}.`
    : '';
  const lanes = t.lanes.length ? ` ${t.lanes.map(describeLane).join('. ')}.` : ' No milestone planned yet.';
  return head + periods + ended + lanes;
}
