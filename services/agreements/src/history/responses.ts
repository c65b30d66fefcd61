/**
 * What /agreements/{id}/history and /as-of answer, for the OpenAPI: each class implements the type the code
 * returns (HistoryItem, MilestoneAsOf, AlertAsOf, AgreementHistoryService.asOf).
 */
import { ApiProperty, OmitType } from '@nestjs/swagger';
import {
  AlertKinds,
  AlertSeverities,
  MilestoneStatuses,
  MilestoneTypes,
  type AlertKind,
  type AlertSeverity,
  type MilestoneStatus,
  type MilestoneType,
} from '@tracker/contracts';
import { AsOfAnswer, CursorPageOf } from '@tracker/platform';
import { StoredEvent } from '@tracker/service-runtime';
import { AgreementAt, AgreementSourcingDto, MilestoneCountsDto, TargetWithProgressDto } from '../agreements/responses';
import type { AlertAsOf, MilestoneAsOf } from './agreement-as-of';
import type { AgreementHistoryService, HistoryItem } from './agreement-history.service';
import { JournalSources, type JournalSource } from './agreement-journal';

/** An event of the agreement, of one of its milestones or of one of its alerts, as its service published it. */
export class JournalEvent extends OmitType(StoredEvent, ['agreementId'] as const) implements HistoryItem {
  @ApiProperty({ enum: JournalSources, description: 'the service that recorded it' })
  source: JournalSource;
}

export class AgreementHistoryPage extends CursorPageOf(JournalEvent, 'AgreementHistoryPage') {}

const nullable = (format: string) => ({ type: String, format, nullable: true }) as const;

export class MilestoneThen implements MilestoneAsOf {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Joint exploration and resource-mapping programme launched' })
  title: string;

  @ApiProperty({ enum: MilestoneTypes })
  type: MilestoneType;

  @ApiProperty({ enum: MilestoneStatuses })
  status: MilestoneStatus;

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ format: 'date', description: 'the due date first planned' })
  plannedDueDate: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  slipCount: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  percent: number;

  @ApiProperty(nullable('date'))
  outcomeOn: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'the milestone’s stream version then' })
  version: number;
}

export class AlertThen implements AlertAsOf {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: AlertKinds })
  kind: AlertKind;

  @ApiProperty({ enum: AlertSeverities })
  severity: AlertSeverity;

  @ApiProperty({ enum: ['open', 'acknowledged'] })
  status: 'open' | 'acknowledged';

  @ApiProperty(nullable('uuid'))
  milestoneId: string | null;

  @ApiProperty({ type: String, nullable: true })
  milestoneTitle: string | null;

  @ApiProperty(nullable('date'))
  dueDate: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'approach window in days, slip number or idle days, by kind' })
  window: number | null;

  @ApiProperty({ format: 'date-time' })
  raisedAt: string;

  @ApiProperty(nullable('date-time'))
  acknowledgedAt: string | null;
}

type AsOf = Awaited<ReturnType<AgreementHistoryService['asOf']>>;

/** The agreement then, with the counts and status its milestones' events give then. */
export class AgreementThen extends OmitType(AgreementAt, ['asOf', 'targets'] as const) implements Omit<AsOf['agreement'], 'asOf'> {
  @ApiProperty({ type: MilestoneCountsDto })
  milestones: MilestoneCountsDto;

  @ApiProperty({ type: [TargetWithProgressDto], description: 'each target with what its milestones had achieved then, and whether it was on track then' })
  targets: TargetWithProgressDto[];

  @ApiProperty({ type: AgreementSourcingDto, description: 'the sourcing then' })
  sourcing: AgreementSourcingDto;

  @ApiProperty({ ...nullable('date-time'), description: 'business time of the latest activity then' })
  lastActivityAt: string | null;
}

export class AgreementAsOf extends AsOfAnswer implements AsOf {
  @ApiProperty({ format: 'date-time', description: 'the time the view is of (the business time when asked, else the record time)' })
  declare asOf: string;

  @ApiProperty({ type: AgreementThen })
  agreement: AgreementThen;

  @ApiProperty({ type: [MilestoneThen] })
  milestones: MilestoneThen[];

  @ApiProperty({ type: [AlertThen], description: 'alerts open (or acknowledged) then' })
  openAlerts: AlertThen[];
}
