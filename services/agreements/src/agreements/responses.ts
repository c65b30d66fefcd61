/**
 * What /agreements answers, for the OpenAPI: each class implements the type the code returns (AgreementView and
 * the as-of state of AgreementsService.getAt), so a field added there and not here fails the typecheck.
 */
import { ApiProperty, IntersectionType, OmitType } from '@nestjs/swagger';
import {
  EvidenceKinds,
  ImplementationStatuses,
  LifecycleStatuses,
  MilestoneStatuses,
  type AgreementSourcing,
  type EvidenceKind,
  type MilestoneStatus,
  type TargetContribution,
  type TargetProgress,
  type AgreementCorrectableType,
  type AgreementDetails,
  type AgreementStatus,
  type ImplementationStatus,
  type LifecycleStatus,
  type MilestoneCounts,
} from '@tracker/contracts';
import type { AppliedCorrection } from '@tracker/agreements-domain';
import { AsOfAnswer, CursorPageOf, SourcingDto } from '@tracker/platform';
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

/** A target as the agreement holds it: with its id, which milestones name to contribute to it. */
export class RecordedTargetDto extends TargetDto {
  @ApiProperty({ example: 'T1', pattern: '^T[1-9][0-9]*$', description: 'stable within the agreement (T1, T2, …); never reused after a removal' })
  targetId: string;
}

/** A source as the agreement holds it: with its id and kind. */
export class RecordedSourceDto extends SourceDto {
  @ApiProperty({ example: 'S1', pattern: '^S[1-9][0-9]*$', description: 'stable within the agreement (S1, S2, …); never reused after a removal' })
  sourceId: string;

  @ApiProperty({ enum: EvidenceKinds, description: 'who published it; other when not said' })
  declare kind: EvidenceKind;
}

class QuantityDto {
  @ApiProperty({ example: 300000000 })
  amount: number;

  @ApiProperty({ example: 'USD' })
  unit: string;

  @ApiProperty({ required: false, example: 'USD' })
  currency?: string;
}

export class TargetContributionDto implements TargetContribution {
  @ApiProperty({ format: 'uuid' })
  milestoneId: string;

  @ApiProperty({ enum: MilestoneStatuses })
  status: MilestoneStatus;

  @ApiProperty({ type: QuantityDto, nullable: true, description: 'the quantity its outcome reached, null before an outcome or when not said' })
  achieved: QuantityDto | null;

  @ApiProperty({ description: 'counted in the target’s achieved: met or partially met, with a quantity in the target’s unit and currency (any other is listed here and not added)' })
  added: boolean;
}

export class TargetProgressDto implements TargetProgress {
  @ApiProperty({ minimum: 0, description: 'the sum of the quantities added, in the target’s unit or currency' })
  achieved: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, description: 'achieved / amount; null when the target has no amount' })
  share: number | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description:
      'true when reached (share ≥ 1), or, before the target date, when the share achieved is at least the share of the time elapsed from the signing to the target date; false after the date without reaching it or when behind; null when it cannot be said (no amount, no target date, signing date unknown)',
  })
  onTrack: boolean | null;

  @ApiProperty({ type: [TargetContributionDto], description: 'every milestone that contributes to the target' })
  contributions: TargetContributionDto[];
}

export class TargetWithProgressDto extends RecordedTargetDto {
  @ApiProperty({ type: TargetProgressDto })
  progress: TargetProgressDto;
}



export class AgreementSourcingDto extends SourcingDto implements AgreementSourcing {
  @ApiProperty({ ...count, description: 'status claims: milestones in progress, met or partially met' })
  claims: number;

  @ApiProperty({ ...count, description: 'claims backed by at least one official source' })
  officiallyBacked: number;

  @ApiProperty({ description: 'every status claim has an official source (true when there is none)' })
  everyClaimOfficial: boolean;

  @ApiProperty({ type: [String], description: 'milestones whose status rests on media reports only' })
  mediaOnlyMilestones: string[];

  @ApiProperty({ type: [String], description: 'milestones whose status no evidence backs' })
  unsourcedMilestones: string[];
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

  @ApiProperty({ required: true, type: [RecordedTargetDto] })
  declare targets: RecordedTargetDto[];

  @ApiProperty({ required: true, type: [RecordedSourceDto] })
  declare sources: RecordedSourceDto[];
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

  @ApiProperty({ required: false, type: Boolean, description: 'true: readable without a key at /public/agreements/{id} (POST /agreements/{id}/visibility); private when absent or false' })
  public?: boolean;

  @ApiProperty({ type: MilestoneCountsDto })
  milestones: MilestoneCountsDto;

  @ApiProperty({ required: true, type: [TargetWithProgressDto], description: 'each target with what the milestones contributing to it achieved' })
  declare targets: TargetWithProgressDto[];

  @ApiProperty({ type: AgreementSourcingDto, description: 'how well the agreement and its milestones’ status claims are sourced (as AidData’s TUFF counts sources and flags official ones)' })
  sourcing: AgreementSourcingDto;

  @ApiProperty({ format: 'date-time' })
  registeredAt: string;

  @ApiProperty({ format: 'date-time', description: 'business time of the latest activity of the agreement or one of its milestones' })
  lastActivityAt: string;
}

/** An agreement as it was at ?validAt= (business time) as recorded by ?knownAt= (record time): its own events. */
export class AgreementAt
  extends IntersectionType(OmitType(Agreement, ['milestones', 'registeredAt', 'lastActivityAt', 'targets', 'sourcing'] as const), AsOfAnswer)
  implements Awaited<ReturnType<AgreementsService['getAt']>>
{
  @ApiProperty({ type: [RecordedTargetDto], description: 'as the agreement’s own events say; with progress and sourcing at GET /agreements/{id}/as-of' })
  targets: RecordedTargetDto[];
}

export class AgreementPage extends CursorPageOf(Agreement) {}

export class CommodityList {
  @ApiProperty({ enum: COMMODITIES, isArray: true })
  items: string[];
}
