/** What clients may send to /milestones: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional, OmitType, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO4217CurrencyCode,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ArchivedCopyDto, BusinessTimeBody, CorrectionBodyOf, CursorQuery, IsCalendarDate, IsOmittable } from '@tracker/platform';
import { EvidenceKinds, MilestoneStatuses, MilestoneTypes, type EvidenceKind, type MilestoneStatus, type MilestoneType } from '@tracker/contracts';

/** Query flags arrive as strings: only "true" and "false" are booleans. */
const booleanFlag = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;


export class EvidenceDto {
  @ApiProperty({ format: 'uri', example: 'https://example.org/reports/survey-2026.pdf' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  url: string;

  @ApiPropertyOptional({ example: 'Survey completion report' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ enum: EvidenceKinds, default: 'other', description: 'who published it: official (a government or public body), company, international-organisation, media, other (also when not said)' })
  @IsOptional()
  @IsIn(EvidenceKinds, { message: `kind must be one of ${EvidenceKinds.join(', ')}` })
  kind?: EvidenceKind;

  @ApiPropertyOptional({ example: '2026-11-02', pattern: PARTIAL_DATE.source, description: 'YYYY, YYYY-MM or YYYY-MM-DD' })
  @IsOptional()
  @Matches(PARTIAL_DATE, { message: 'published must be YYYY, YYYY-MM or YYYY-MM-DD' })
  published?: string;

  @ApiPropertyOptional({ type: ArchivedCopyDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => ArchivedCopyDto)
  archived?: ArchivedCopyDto;
}

/** Evidence links as plain data, for the event. */
export const evidenceOf = (links: EvidenceDto[] | undefined) => (links ?? []).map((e) => ({ ...e, ...(e.archived && { archived: { ...e.archived } }) }));

/** What an outcome reached and counts towards, as plain data for the event (only the fields sent). */
export const outcomeOf = (dto: Pick<OutcomeDto, 'achieved' | 'contributesTo'>) => ({
  ...(dto.achieved !== undefined && { achieved: { ...dto.achieved } }),
  ...(dto.contributesTo !== undefined && { contributesTo: [...dto.contributesTo] }),
});

const TARGET_IDS: ApiPropertyOptions = {
  type: String,
  isArray: true,
  pattern: '^T[1-9][0-9]*$',
  example: ['T1'],
  description: 'ids of the agreement’s targets (as GET /agreements/{id} lists them) that this milestone’s outcome counts towards',
};
/** Target ids as the agreements service gives them: T1, T2, … */
function IsTargetIds() {
  return (object: object, property: string) => {
    IsOmittable()(object, property);
    IsArray()(object, property);
    ArrayMaxSize(50)(object, property);
    Matches(/^T[1-9]\d{0,5}$/, { each: true, message: 'contributesTo must list target ids such as T1' })(object, property);
  };
}

export class QuantityDto {
  @ApiProperty({ example: 570000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount: number;

  @ApiProperty({ example: 'tonnes/year' })
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  unit: string;

  @ApiPropertyOptional({ example: 'USD' })
  @IsOptional()
  @IsISO4217CurrencyCode()
  currency?: string;
}

export class ExpectedOutcomeDto {
  @ApiProperty({ example: 'Pilot plant processing 570,000 tonnes a year' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  description: string;

  @ApiPropertyOptional({ type: QuantityDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => QuantityDto)
  quantity?: QuantityDto;
}

class EvidenceListDto extends BusinessTimeBody {
  @ApiPropertyOptional({ type: [EvidenceDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence?: EvidenceDto[];
}

export class PlanMilestoneDto extends EvidenceListDto {
  @ApiProperty({ format: 'uuid', example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  @IsUUID('all', { message: 'agreementId must be the id of an agreement (a UUID)' })
  agreementId: string;

  @ApiProperty({ enum: MilestoneTypes })
  @IsIn(MilestoneTypes)
  type: MilestoneType;

  @ApiProperty({ example: 'Joint exploration and resource-mapping programme launched' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  title: string;

  @ApiPropertyOptional({ example: 'Mapping of rare-earth and copper deposits in three regions' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ example: 'State Committee on Geology (UZ)' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  responsibleParty?: string;

  @ApiPropertyOptional({ type: ExpectedOutcomeDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => ExpectedOutcomeDto)
  expectedOutcome?: ExpectedOutcomeDto;

  @ApiProperty({ example: '2026-12-31' })
  @IsCalendarDate()
  dueDate: string;

  @ApiPropertyOptional(TARGET_IDS)
  @IsTargetIds()
  contributesTo?: string[];
}

export class ProgressDto extends EvidenceListDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 40 })
  @IsInt()
  @Min(0)
  @Max(100)
  percent: number;

  @ApiPropertyOptional({ example: 'Field work in two of three regions done' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  note?: string;
}

/** `occurredAt`: when the decision to reschedule was taken. */
export class RescheduleDto extends BusinessTimeBody {
  @ApiProperty({ example: '2027-03-31' })
  @IsCalendarDate()
  newDueDate: string;

  @ApiProperty({ example: 'Financing approval delayed' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class OutcomeDto extends EvidenceListDto {
  @ApiProperty({ example: '2026-11-01', description: 'the date the outcome was reached' })
  @IsCalendarDate()
  metOn: string;

  @ApiPropertyOptional({ example: 'Plant commissioned; first output in November' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  note?: string;

  @ApiPropertyOptional({ type: QuantityDto, description: 'the quantity the outcome reached (a financing milestone met with USD 300 million: amount 300000000, unit USD, currency USD); it adds to the targets it contributes to when unit and currency match theirs' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => QuantityDto)
  achieved?: QuantityDto;

  @ApiPropertyOptional({ ...TARGET_IDS, description: `${TARGET_IDS.description}; replaces those named when planned` })
  @IsTargetIds()
  contributesTo?: string[];
}

export class PartialOutcomeDto extends OutcomeDto {
  @ApiProperty({ example: 'Two of three regions mapped' })
  @IsString()
  @MinLength(3)
  @MaxLength(5000)
  declare note: string;
}

/** `occurredAt`: when it was found not met, or cancelled. */
export class ReasonDto extends BusinessTimeBody {
  @ApiProperty({ example: 'Superseded by a larger programme' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

/** `occurredAt`: the day work began (default: today). */
export class StartDto extends BusinessTimeBody {}

export class MilestoneCorrectionChangesDto {
  @ApiPropertyOptional({ example: '2027-01-31', description: 'planned: the due date entered; rescheduled: its new due date (not a slip)' })
  @IsOptional()
  @IsCalendarDate()
  dueDate?: string;

  @ApiPropertyOptional({ example: '2026-03-01' })
  @IsOptional()
  @IsCalendarDate()
  startedOn?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, example: 60 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  percent?: number;

  @ApiPropertyOptional({ description: 'progress reported: the date the report describes' })
  @IsOptional()
  @IsCalendarDate()
  reportedOn?: string;

  @ApiPropertyOptional({ description: 'rescheduled: the date the decision was taken' })
  @IsOptional()
  @IsCalendarDate()
  decidedOn?: string;

  @ApiPropertyOptional({ example: '2026-10-20', description: 'met or partially met: the date the outcome was reached' })
  @IsOptional()
  @IsCalendarDate()
  metOn?: string;

  @ApiPropertyOptional({ description: 'not met or cancelled: the date' })
  @IsOptional()
  @IsCalendarDate()
  on?: string;

  @ApiPropertyOptional({ type: QuantityDto, description: 'met or partially met: the quantity achieved' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => QuantityDto)
  achieved?: QuantityDto;
}

/** A fact entered wrongly: the event (by id, from GET /milestones/{id}/events), its right values, and why. */
export class CorrectMilestoneDto extends CorrectionBodyOf(MilestoneCorrectionChangesDto, 'milestone') {}

export class ListMilestonesQuery extends CursorQuery {
  @ApiPropertyOptional({ format: 'uuid', example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  @IsOptional()
  @IsUUID('all', { message: 'agreementId must be a UUID' })
  agreementId?: string;

  @ApiPropertyOptional({ enum: MilestoneTypes })
  @IsOptional()
  @IsIn(MilestoneTypes)
  type?: MilestoneType;

  @ApiPropertyOptional({ enum: MilestoneStatuses })
  @IsOptional()
  @IsIn(MilestoneStatuses)
  status?: MilestoneStatus;

  @ApiPropertyOptional({ example: '2027-01-01', description: 'due strictly before' })
  @IsOptional()
  @IsCalendarDate()
  dueBefore?: string;

  @ApiPropertyOptional({ example: '2026-01-01', description: 'due on or after' })
  @IsOptional()
  @IsCalendarDate()
  dueAfter?: string;

  @ApiPropertyOptional({ description: 'only milestones that slipped at least once' })
  @IsOptional()
  @Transform(booleanFlag)
  @IsBoolean({ message: 'slipped must be true or false' })
  slipped?: boolean;

  @ApiPropertyOptional({ description: 'only open milestones past their due date' })
  @IsOptional()
  @Transform(booleanFlag)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;
}

/** The filters of GET /milestones without its paging: GET /milestones/export.csv answers every match. */
export class ExportMilestonesQuery extends OmitType(ListMilestonesQuery, ['cursor', 'limit'] as const) {}

