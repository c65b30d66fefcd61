/**
 * What the milestones service answers, for the OpenAPI: each class implements the type the code returns
 * (MilestoneView, MilestonesService.getAt and .timeline), so a field added there and not here fails the typecheck.
 */
import { ApiProperty, IntersectionType, OmitType } from '@nestjs/swagger';
import {
  DatePrecisions,
  EvidenceKinds,
  type EvidenceKind,
  type MilestoneSourcing,
  ImplementationStatuses,
  MilestoneStatuses,
  MilestoneTypes,
  type AgreementStatus,
  type DatePrecision,
  type MilestoneCorrectableType,
  type MilestoneStatus,
  type MilestoneType,
} from '@tracker/contracts';
import type { Slip } from '@tracker/milestones-domain';
import { AsOfAnswer, CursorPageOf, SourcingDto } from '@tracker/platform';
import { EventActor } from '@tracker/service-runtime';
import { EvidenceDto, ExpectedOutcomeDto, MilestoneCorrectionChangesDto, QuantityDto } from './dto';
import type { MilestonesService, MilestoneView } from './milestones.service';

const UUID = { format: 'uuid' } as const;
const optional = { required: false } as const;
/** The agreement's status along its path: derived from the milestone events (never stalled, which is a matter of today). */
type PathStatus = Exclude<AgreementStatus, 'stalled'>;
const STATUSES = [...ImplementationStatuses.filter((s) => s !== 'stalled'), 'suspended', 'terminated', 'expired'] as PathStatus[];

export class SlipDto implements Slip {
  @ApiProperty({ format: 'date' })
  previousDueDate: string;

  @ApiProperty({ format: 'date' })
  newDueDate: string;

  @ApiProperty({ type: 'integer', description: 'days later than the previous due date (a slip); 0 or less: moved earlier, not a slip' })
  slipDays: number;

  @ApiProperty({ example: 'Financing approval delayed' })
  reason: string;

  @ApiProperty({ ...optional, format: 'date-time', description: 'when it was recorded' })
  at?: string;

  @ApiProperty({ ...optional, format: 'date', description: 'when the decision was taken' })
  decidedOn?: string;
}

export class MilestoneCorrectionDto {
  @ApiProperty({ format: 'uuid', description: 'the event corrected' })
  correctsEventId: string;

  @ApiProperty({ type: String, example: 'milestone.met', description: 'the type of the event corrected' })
  correctsType: MilestoneCorrectableType;

  @ApiProperty({ type: MilestoneCorrectionChangesDto })
  changes: MilestoneCorrectionChangesDto;

  @ApiProperty({ example: 'the report is dated 20 October, not 1 November' })
  reason: string;
}

/** An evidence link as the milestone holds it: with its kind (other when not said). */
export class RecordedEvidenceDto extends EvidenceDto {
  @ApiProperty({ enum: EvidenceKinds, description: 'who published it; other when not said' })
  declare kind: EvidenceKind;
}



export class MilestoneSourcingDto extends SourcingDto implements MilestoneSourcing {
  @ApiProperty({
    type: SourcingDto,
    description:
      'the evidence that backs the current status: the planning’s links while scheduled, the progress reports’ while in progress, the outcome’s once met or partially met, none when not met or cancelled',
  })
  claim: SourcingDto;
}

/** A milestone now: its plan, progress, slips and outcome (GET /milestones/{id}, every change). */
export class Milestone implements MilestoneView {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ ...UUID, description: 'the same as id' })
  milestoneId: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'the stream version: send it back as If-Match' })
  version: number;

  @ApiProperty(UUID)
  agreementId: string;

  @ApiProperty({ enum: MilestoneTypes })
  type: MilestoneType;

  @ApiProperty({ example: 'Joint exploration and resource-mapping programme launched' })
  title: string;

  @ApiProperty(optional)
  description?: string;

  @ApiProperty({ ...optional, example: 'State Committee on Geology (UZ)' })
  responsibleParty?: string;

  @ApiProperty({ ...optional, type: ExpectedOutcomeDto })
  expectedOutcome?: ExpectedOutcomeDto;

  @ApiProperty({ enum: MilestoneStatuses })
  status: MilestoneStatus;

  @ApiProperty({ format: 'date', description: 'the due date first planned, before any reschedule' })
  plannedDueDate: string;

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, description: 'the percent of the latest progress report by the date it describes (a report back-filled for an earlier date does not replace it); 100 once met' })
  percent: number;

  @ApiProperty({ ...optional, format: 'date', description: 'the date the progress report in force describes' })
  percentOn?: string;

  @ApiProperty({ ...optional, description: 'the note of the latest progress report by date that has one, or of the partial outcome' })
  lastNote?: string;

  @ApiProperty({ type: [RecordedEvidenceDto], description: 'every evidence link recorded, in order' })
  evidence: RecordedEvidenceDto[];

  @ApiProperty({ type: MilestoneSourcingDto, description: 'how well it is sourced: every link counted by kind, and what backs its status (mediaOnly marks a status claimed on media reports only)' })
  sourcing: MilestoneSourcingDto;

  @ApiProperty({ ...optional, type: [String], pattern: '^T[1-9][0-9]*$', description: 'ids of the agreement’s targets its outcome counts towards' })
  contributesTo?: string[];

  @ApiProperty({ ...optional, type: QuantityDto, description: 'met or partially met: the quantity the outcome reached' })
  achieved?: QuantityDto;

  @ApiProperty({ type: [SlipDto] })
  slips: SlipDto[];

  @ApiProperty({ type: 'integer', minimum: 0 })
  slipCount: number;

  @ApiProperty({ ...optional, format: 'date' })
  startedOn?: string;

  @ApiProperty({ ...optional, format: 'date', description: 'met or partially met: the date' })
  outcomeOn?: string;

  @ApiProperty({ ...optional, description: 'not met or cancelled: why' })
  closingReason?: string;

  @ApiProperty({ ...optional, format: 'date' })
  closedOn?: string;

  @ApiProperty({ ...optional, type: [MilestoneCorrectionDto] })
  corrections?: MilestoneCorrectionDto[];

  @ApiProperty({ description: 'open and past its due date' })
  overdue: boolean;

  @ApiProperty({ description: 'slipped three times or more' })
  repeatedlySlipped: boolean;

  @ApiProperty({ format: 'date-time' })
  plannedAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** A milestone as it was at ?validAt= (business time) as recorded by ?knownAt= (record time). */
export class MilestoneAt
  extends IntersectionType(OmitType(Milestone, ['overdue', 'repeatedlySlipped', 'plannedAt', 'updatedAt'] as const), AsOfAnswer)
  implements Awaited<ReturnType<MilestonesService['getAt']>> {}

export class MilestonePage extends CursorPageOf(Milestone) {}

type TimelineAnswer = Awaited<ReturnType<MilestonesService['timeline']>>;
type Step = TimelineAnswer['steps'][number];

const eventData = { type: 'object', additionalProperties: true, description: 'the event’s data' } as const;

export class TimelineCorrection implements Omit<Step['corrections'][number], 'actor'> {
  @ApiProperty(UUID)
  eventId: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;

  @ApiProperty({ type: EventActor })
  actor: EventActor;

  @ApiProperty(eventData)
  data: unknown;
}

export class TimelineStep implements Step {
  @ApiProperty({ format: 'date-time', description: 'the same as recordedAt' })
  at: string;

  @ApiProperty({ format: 'date-time', description: 'when it happened (corrections applied)' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'days between happening and recording' })
  recordedLateDays: number;

  @ApiProperty({ enum: ['agreement', 'milestone'] })
  source: 'agreement' | 'milestone';

  @ApiProperty({ example: 'milestone.rescheduled' })
  type: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  milestoneId: string | null;

  @ApiProperty({ type: String, nullable: true })
  milestoneTitle: string | null;

  @ApiProperty(UUID)
  eventId: string;

  @ApiProperty({ type: EventActor })
  actor: EventActor;

  @ApiProperty(eventData)
  data: unknown;

  @ApiProperty({ type: [TimelineCorrection] })
  corrections: TimelineCorrection[];

  @ApiProperty({ enum: STATUSES, description: 'the agreement’s status after this step' })
  agreementStatus: PathStatus;
}

/** An agreement's path from signing to outcome, in business-time order. */
export class Timeline implements TimelineAnswer {
  @ApiProperty(UUID)
  agreementId: string;

  @ApiProperty({ ...optional, example: 'TR-UZ-2026-MINING', description: 'absent while the agreement is unknown here' })
  reference?: string;

  @ApiProperty(optional)
  title?: string;

  @ApiProperty({ ...optional, type: String, nullable: true, pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$', example: '2026-01-29' })
  signedOn?: string | null;

  @ApiProperty({ ...optional, nullable: true, enum: [...DatePrecisions, null] })
  datePrecision?: DatePrecision | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  validAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  knownAt: string | null;

  @ApiProperty({ enum: STATUSES })
  currentStatus: PathStatus;

  @ApiProperty({ type: [TimelineStep] })
  steps: TimelineStep[];
}
