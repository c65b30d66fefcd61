/**
 * What /agreements answers, for the OpenAPI: each class implements the type the code returns (AgreementView and
 * the as-of state of AgreementsService.getAt), so a field added there and not here fails the typecheck.
 */
import { ApiProperty, IntersectionType, OmitType } from '@nestjs/swagger';
import {
  ImplementationStatuses,
  LifecycleStatuses,
  type AgreementCorrectableType,
  type AgreementDetails,
  type AgreementStatus,
  type ImplementationStatus,
  type LifecycleStatus,
  type MilestoneCounts,
} from '@tracker/contracts';
import type { AppliedCorrection } from '@tracker/agreements-domain';
import { AsOfAnswer, CursorPageOf } from '@tracker/platform';
import type { AgreementView } from './agreement-read-model';
import type { AgreementsService } from './agreements.service';
import { COMMODITIES } from '@tracker/contracts';
import { AgreementCorrectionChangesDto, RegisterAgreementDto, SignatoryDto, SourceDto, TargetDto } from './dto';

const STATUSES = [...ImplementationStatuses, 'suspended', 'terminated', 'expired'] as const satisfies readonly AgreementStatus[];
const count = { type: 'integer', minimum: 0 } as const;

export class MilestoneCountsDto implements MilestoneCounts {
  @ApiProperty({ ...count, description: 'milestones planned (all of them)' })
  planned: number;

  @ApiProperty(count)
  inProgress: number;

  @ApiProperty(count)
  met: number;

  @ApiProperty(count)
  partiallyMet: number;

  @ApiProperty({ ...count, description: 'marked not met, or still open after the due date' })
  missed: number;

  @ApiProperty(count)
  cancelled: number;

  @ApiProperty({ ...count, description: 'milestones rescheduled later at least once' })
  slipped: number;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'the earliest due date among open milestones' })
  nextDueDate: string | null;
}

export class AppliedCorrectionDto implements AppliedCorrection {
  @ApiProperty({ format: 'uuid', description: 'the event corrected' })
  correctsEventId: string;

  @ApiProperty({ type: String, example: 'agreement.registered', description: 'the type of the event corrected' })
  correctsType: AgreementCorrectableType;

  @ApiProperty({ type: AgreementCorrectionChangesDto })
  changes: AgreementCorrectionChangesDto;

  @ApiProperty({ example: 'the memorandum was signed on 28 January' })
  reason: string;
}

/** The registered facts as the agreement holds them: the registration body, with every list present. */
class AgreementDetailsDto extends RegisterAgreementDto implements AgreementDetails {
  @ApiProperty({ required: true, type: [SignatoryDto] })
  declare signatories: SignatoryDto[];

  @ApiProperty({ required: true, type: [String], example: ['mining'] })
  declare sectors: string[];

  @ApiProperty({ required: true, enum: COMMODITIES, isArray: true, example: ['copper', 'rare-earth-elements'] })
  declare commodities: string[];

  @ApiProperty({ required: true, type: [String], example: ['information sharing'] })
  declare objectives: string[];

  @ApiProperty({ required: true, type: [TargetDto] })
  declare targets: TargetDto[];

  @ApiProperty({ required: true, type: [SourceDto] })
  declare sources: SourceDto[];
}

/** An agreement now: its facts, derived status and milestone counts (GET /agreements/{id}, every change). */
export class Agreement extends AgreementDetailsDto implements AgreementView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'the stream version: send it back as If-Match' })
  version: number;

  @ApiProperty({ enum: STATUSES, description: 'the lifecycle status when not active, else the implementation status' })
  status: AgreementStatus;

  @ApiProperty({ enum: LifecycleStatuses })
  lifecycle: LifecycleStatus;

  @ApiProperty({ required: false, format: 'date', description: 'the date the current lifecycle status took effect' })
  lifecycleSince?: string;

  @ApiProperty({ enum: ImplementationStatuses, description: 'from the milestones; stalled after a time without progress' })
  implementationStatus: ImplementationStatus;

  @ApiProperty({ required: false, type: [AppliedCorrectionDto] })
  corrections?: AppliedCorrectionDto[];

  @ApiProperty({ type: MilestoneCountsDto })
  milestones: MilestoneCountsDto;

  @ApiProperty({ format: 'date-time' })
  registeredAt: string;

  @ApiProperty({ format: 'date-time', description: 'business time of the latest activity of the agreement or one of its milestones' })
  lastActivityAt: string;
}

/** An agreement as it was at ?validAt= (business time) as recorded by ?knownAt= (record time): its own events. */
export class AgreementAt
  extends IntersectionType(OmitType(Agreement, ['milestones', 'registeredAt', 'lastActivityAt'] as const), AsOfAnswer)
  implements Awaited<ReturnType<AgreementsService['getAt']>> {}

export class AgreementPage extends CursorPageOf(Agreement) {}

export class CommodityList {
  @ApiProperty({ enum: COMMODITIES, isArray: true })
  items: string[];
}
