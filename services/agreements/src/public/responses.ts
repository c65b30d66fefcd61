/**
 * What /public answers, for the OpenAPI: each class implements the type the code returns (public-view.ts), so a
 * field added there and not here fails the typecheck. The facts are the authenticated Agreement's public part.
 */
import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import {
  MilestoneStatuses,
  MilestoneTypes,
  type EvidenceLink,
  type MilestoneStatus,
  type MilestoneType,
} from '@tracker/contracts';
import { Agreement } from '../agreements/responses';
import type { PublicAgreement, PublicMilestone, PublicSlip, PublicStep } from './public-view';

export class PublicAgreementFacts
  extends PickType(Agreement, [
    'id',
    'reference',
    'title',
    'kind',
    'parties',
    'signatories',
    'signedOn',
    'datePrecision',
    'place',
    'context',
    'sectors',
    'commodities',
    'objectives',
    'targets',
    'sources',
    'status',
    'lifecycle',
    'lifecycleSince',
    'implementationStatus',
    'milestones',
    'lastActivityAt',
  ] as const)
  implements PublicAgreement {}

export class PublicAgreementList {
  @ApiProperty({ type: [PublicAgreementFacts], description: 'every public agreement, by id' })
  items: PublicAgreementFacts[];
}

export class PublicEvidence implements EvidenceLink {
  @ApiProperty({ format: 'uri', example: 'https://www.mta.gov.tr/en/news/survey-report' })
  url: string;

  @ApiPropertyOptional({ example: 'Joint survey report' })
  title?: string;
}

export class PublicSlipDto implements PublicSlip {
  @ApiProperty({ format: 'date' })
  previousDueDate: string;

  @ApiProperty({ format: 'date' })
  newDueDate: string;

  @ApiProperty({ type: 'integer', description: 'positive: later (a slip); negative: earlier' })
  slipDays: number;

  @ApiProperty({ example: 'equipment delivery delayed' })
  reason: string;

  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'when the reschedule was decided',
  })
  decidedOn: string | null;
}

export class PublicMilestoneDto implements PublicMilestone {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: MilestoneTypes })
  type: MilestoneType;

  @ApiProperty({ example: 'Joint geological survey of rare-earth deposits' })
  title: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiPropertyOptional({ example: 'MTA (General Directorate of Mineral Research and Exploration)' })
  responsibleParty?: string;

  @ApiProperty({ enum: MilestoneStatuses })
  status: MilestoneStatus;

  @ApiProperty({ format: 'date', description: 'the due date first planned' })
  plannedDueDate: string;

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  percent: number;

  @ApiProperty({ type: [PublicSlipDto], description: 'every reschedule, in order' })
  slips: PublicSlipDto[];

  @ApiProperty({
    type: [PublicEvidence],
    description: 'every evidence link recorded: at planning, with progress and outcomes',
  })
  evidence: PublicEvidence[];

  @ApiProperty({ type: String, format: 'date', nullable: true })
  startedOn: string | null;

  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'the date it was met or partially met',
  })
  outcomeOn: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'why it was not met or cancelled' })
  closingReason: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  closedOn: string | null;
}

export class PublicStepDto implements PublicStep {
  @ApiProperty({ format: 'uuid', description: 'the event id (the Atom entry is urn:uuid:<id>)' })
  id: string;

  @ApiProperty({ example: 'milestone.rescheduled' })
  type: string;

  @ApiProperty({ format: 'date-time', description: 'when it happened (business time)' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time', description: 'when the tracker recorded it' })
  recordedAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  milestoneId: string | null;

  @ApiProperty({ type: String, nullable: true })
  milestoneTitle: string | null;

  @ApiProperty({
    example: 'Slipped: Joint geological survey, now due 2026-12-31 (equipment delivery delayed)',
  })
  summary: string;
}

export class PublicAgreementDetail extends PublicAgreementFacts {
  @ApiProperty({ type: [PublicMilestoneDto] })
  milestoneList: PublicMilestoneDto[];

  @ApiProperty({
    type: [PublicStepDto],
    description: 'the agreement’s and its milestones’ facts in the order they happened',
  })
  timeline: PublicStepDto[];
}
