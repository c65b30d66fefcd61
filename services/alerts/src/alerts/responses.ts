/**
 * What /alerts answers, for the OpenAPI: each class implements the type the code returns (AlertView and the facts
 * of alert.raised), so a field added there and not here fails the typecheck.
 */
import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import {
  AgreementLifecycles,
  AlertInhibitions,
  AlertKinds,
  AlertResolutions,
  AlertSeverities,
  AlertStatuses,
  MilestoneStatuses,
  MilestoneTypes,
  RecipientStates,
  type AgreementLifecycle,
  type AlertDetails,
  type AlertFacts,
  type AlertInhibition,
  type AlertKind,
  type AlertResolution,
  type AlertSeverity,
  type AlertStatus,
  type MilestoneStatus,
  type MilestoneType,
  type PayloadAgreement,
  type PayloadLinks,
  type PayloadMilestone,
  type PayloadParty,
  type RecipientState,
} from '@tracker/contracts';
import { CursorPageOf } from '@tracker/platform';
import { MineStates, type AlertView, type InboxAlertView, type Mine, type MineState, type RecipientStand, type SilencedMark } from './alerts.service';

const optional = { required: false } as const;
const days = { ...optional, type: 'integer', minimum: 0 } as const;

/** The facts that raised an alert, as they were then; which ones are present depends on the kind. */
export class AlertFactsDto implements AlertFacts {
  @ApiProperty({ ...optional, enum: MilestoneStatuses })
  milestoneStatus?: MilestoneStatus;

  @ApiProperty({ ...days, description: 'deadline.approaching: days left (0 = due today)' })
  daysLeft?: number;

  @ApiProperty({ ...days, description: 'deadline.missed: days past the due date' })
  daysOverdue?: number;

  @ApiProperty({ ...optional, format: 'date', description: 'milestone.slipped' })
  previousDueDate?: string;

  @ApiProperty({ ...days, minimum: 1, description: 'milestone.slipped: days later' })
  slipDays?: number;

  @ApiProperty({ ...days, description: 'milestone.slipped: the how-manieth slip' })
  slipCount?: number;

  @ApiProperty({ ...optional, description: 'milestone.slipped: why' })
  reason?: string;

  @ApiProperty({ ...optional, enum: AlertResolutions, description: 'milestone.resolved' })
  outcome?: AlertResolution;

  @ApiProperty({ ...optional, format: 'date', description: 'milestone.resolved' })
  outcomeOn?: string;

  @ApiProperty({ ...optional, format: 'date-time', description: 'agreement.stalled: the last milestone activity' })
  lastActivityAt?: string;

  @ApiProperty({ ...days, description: 'agreement.stalled' })
  idleDays?: number;

  @ApiProperty({ ...optional, format: 'uuid', description: 'the event that raised the alert (not the scheduler)' })
  causedByEventId?: string;
}

export class PayloadPartyDto implements PayloadParty {
  @ApiProperty({ example: 'UZ', description: 'ISO 3166-1 alpha-2' })
  country: string;

  @ApiProperty({ required: false, example: 'Republic of Uzbekistan', description: 'once the agreement read model keeps party names' })
  name?: string;
}

export class PayloadAgreementDto implements PayloadAgreement {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'UZ-TR-2026-CRM-01', description: 'null until the agreement reached this service' })
  reference: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Critical raw materials partnership' })
  title: string | null;

  @ApiProperty({ type: [PayloadPartyDto] })
  parties: PayloadPartyDto[];

  @ApiProperty({ type: String, nullable: true, enum: [...AgreementLifecycles, null] })
  lifecycle: AgreementLifecycle | null;
}

export class PayloadMilestoneDto implements PayloadMilestone {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'Geological survey of the Almalyk deposit' })
  title: string | null;

  @ApiProperty({ type: String, nullable: true, enum: [...MilestoneTypes, null] })
  type: MilestoneType | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'the due date now (after any slip)' })
  dueDate: string | null;

  @ApiProperty({ type: String, nullable: true, enum: [...MilestoneStatuses, null], description: 'the status now, not when raised' })
  status: MilestoneStatus | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 0 })
  slipCount: number | null;
}

export class PayloadLinksDto implements PayloadLinks {
  @ApiProperty({ format: 'uri', example: 'http://localhost:3003/alerts/0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  alert: string;

  @ApiProperty({ format: 'uri', example: 'http://localhost:3001/agreements/0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c71' })
  agreement: string;

  @ApiProperty({ type: String, format: 'uri', nullable: true })
  milestone: string | null;
}

/** What every alert carries beside its stored fields (payload.ts): the agreement and milestone as they stand now, the reason in words, links. */
export class AlertDetailsDto implements AlertDetails {
  @ApiProperty({ example: 'Geological survey of the Almalyk deposit is due in 7 days (2026-12-08)', description: 'the alert in words' })
  reason: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'approaching: the window; stalled: idle days; atRisk: days late; else null' })
  windowDays: number | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 1, description: 'milestone.slipped: the how-manieth slip; else null' })
  slipNumber: number | null;

  @ApiProperty({ type: PayloadAgreementDto })
  agreement: PayloadAgreementDto;

  @ApiProperty({ type: PayloadMilestoneDto, nullable: true, description: 'null for agreement-level alerts' })
  milestone: PayloadMilestoneDto | null;

  @ApiProperty({ type: PayloadLinksDto })
  links: PayloadLinksDto;
}

/** An alert as raised (alert.raised, and the SSE stream's `data:`), without its state. */
export class RaisedAlert {
  @ApiProperty({ format: 'uuid', description: 'derived from dedupKey: one alert per key, ever' })
  id: string;

  @ApiProperty({ example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70|deadline.approaching|2026-12-31|7' })
  dedupKey: string;

  @ApiProperty({ enum: AlertKinds })
  kind: AlertKind;

  @ApiProperty({ enum: AlertSeverities })
  severity: AlertSeverity;

  @ApiProperty({ format: 'uuid' })
  agreementId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for agreement-level alerts (agreement.stalled)' })
  milestoneId: string | null;

  @ApiProperty({ type: String, nullable: true, enum: [...MilestoneTypes, null] })
  milestoneType: MilestoneType | null;

  @ApiProperty({ type: String, nullable: true })
  milestoneTitle: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'the due date the alert is about' })
  dueDate: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'approach window in days, slip number or idle days, by kind' })
  window: number | null;

  @ApiProperty({ type: AlertFactsDto })
  facts: AlertFactsDto;

  @ApiProperty({ format: 'date-time', description: 'business time: when its cause happened (a back-filled report: the report’s date)' })
  raisedAt: string;
}

/** One acknowledgement of an alert, as monitors and auditors see it. */
export class AcknowledgementDto {
  @ApiProperty({ example: 'dev-stakeholder', description: 'the recipient (a subscription owner)' })
  by: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ ...optional, example: 'Raised with the ministry' })
  note?: string;
}

/** Where one recipient stands on an alert now, as monitors and auditors see it. */
export class RecipientStandDto implements RecipientStand {
  @ApiProperty({ example: 'dev-stakeholder' })
  by: string;

  @ApiProperty({ enum: RecipientStates })
  state: RecipientState;

  @ApiProperty({ format: 'date-time', description: 'when it took this stand' })
  at: string;

  @ApiProperty({ ...optional })
  note?: string;

  @ApiProperty({ ...optional, format: 'date-time', description: 'snoozed: until then (a snooze that ran out is open again)' })
  until?: string;
}

/** The caller's own stand (stakeholders). */
export class MineDto implements Mine {
  @ApiProperty({ enum: MineStates, description: 'open: not acted on (or a snooze that ran out); acknowledged: seen, on it; snoozed: hidden until `until`; done: dealt with' })
  state: MineState;

  @ApiProperty({ ...optional, format: 'date-time', description: 'when you took this stand' })
  at?: string;

  @ApiProperty({ ...optional })
  note?: string;

  @ApiProperty({ ...optional, format: 'date-time', description: 'snoozed: until then' })
  until?: string;
}

/** The silence that holds an alert back from the caller's deliveries (recorded, not delivered). */
export class SilencedMarkDto implements SilencedMark {
  @ApiProperty({ format: 'uuid', description: 'the silence (GET /silences/{id})' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  until: string;

  @ApiProperty()
  comment: string;
}

/**
 * An alert. Stakeholders see the shared facts with their own stand (`mine`, and `silenced` when a silence of
 * theirs holds it back); monitors, auditors and admins see every recipient's (`acknowledgements`, `recipients`,
 * `acknowledgedBy`) and no `mine`.
 */
export class Alert extends IntersectionType(RaisedAlert, AlertDetailsDto) implements AlertView, AlertDetails, Partial<Pick<InboxAlertView, 'mine' | 'silenced'>> {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'the alert stream’s version' })
  version: number;

  @ApiProperty({
    format: 'date-time',
    description: 'system time: when the tracker recorded it. Lists are newest recorded first, so an alert raised today about an earlier date is at the top',
  })
  recordedAt: string;

  @ApiProperty({ enum: AlertStatuses, description: 'shared: open, acknowledged (by at least one recipient) or resolved' })
  status: AlertStatus;

  @ApiProperty({ ...optional, type: MineDto, description: 'stakeholders: where you stand on it' })
  mine?: MineDto;

  @ApiProperty({ ...optional, type: SilencedMarkDto, description: 'stakeholders: a silence of yours holds it back (recorded, not delivered)' })
  silenced?: SilencedMarkDto;

  @ApiProperty({ ...optional, enum: AlertInhibitions, description: 'held back while its agreement is suspended (kept open, not delivered)' })
  inhibited?: AlertInhibition;

  @ApiProperty({ ...optional, format: 'date-time', description: 'held back since' })
  inhibitedAt?: string;

  @ApiProperty({ ...optional, format: 'date-time', description: 'monitors, auditors: the last acknowledgement' })
  acknowledgedAt?: string;

  @ApiProperty({ ...optional, example: 'dev-stakeholder', description: 'monitors, auditors: who acknowledged last' })
  acknowledgedBy?: string;

  @ApiProperty({ ...optional, type: [AcknowledgementDto], description: 'monitors, auditors: every acknowledgement, oldest first, with its note' })
  acknowledgements?: AcknowledgementDto[];

  @ApiProperty({ ...optional, type: [RecipientStandDto], description: 'monitors, auditors: each recipient that acted on it, where it stands now' })
  recipients?: RecipientStandDto[];

  @ApiProperty({ ...optional, format: 'date-time', description: 'business time of the resolution (a milestone met last week: then)' })
  resolvedAt?: string;

  @ApiProperty({ ...optional, enum: AlertResolutions })
  resolution?: AlertResolution;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AlertPage extends CursorPageOf(Alert) {}

class ProgressReportDto {
  @ApiProperty({ format: 'date', example: '2026-06-30' })
  on: string;

  @ApiProperty({ minimum: 0, maximum: 100, example: 40 })
  percent: number;
}

const date = { type: 'string', format: 'date', nullable: true } as const;

export class ForecastDto {
  @ApiProperty({ format: 'uuid' })
  milestoneId: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'the milestone’s version this forecast knows (behind the milestones service’s while its events are on the way)' })
  milestoneVersion: number;

  @ApiProperty({ enum: ['linear-velocity'] })
  method: 'linear-velocity';

  @ApiProperty({ type: [ProgressReportDto], description: 'the reports the pace was fitted on, oldest first' })
  reports: ProgressReportDto[];

  @ApiProperty({ type: 'number', nullable: true, description: 'percent points per day; null with fewer than two reports on different dates' })
  velocityPerDay: number | null;

  @ApiProperty({ ...date, description: 'projected completion; null without a pace, or without a forward one' })
  projectedOn: string | null;

  @ApiProperty({ ...date, description: 'the band’s early end: the pace plus one standard error' })
  earliest: string | null;

  @ApiProperty({ ...date, description: 'the band’s late end: the pace minus one standard error (null: open-ended)' })
  latest: string | null;

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'projected days after the due date (negative: before it)' })
  daysLate: number | null;

  @ApiProperty()
  atRisk: boolean;

  @ApiProperty({ description: 'the forecast in words' })
  reason: string;
}
