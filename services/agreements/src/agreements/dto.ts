/** What clients may send to /agreements: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
  registerDecorator,
} from 'class-validator';
import {
  AgreementKinds,
  DatePrecisions,
  EvidenceKinds,
  ImplementationStatuses,
  EARLIEST_FACT_DATE,
  isCalendarDate,
  LATEST_FACT_DATE,
  type AgreementKind,
  type DatePrecision,
  type EvidenceKind,
} from '@tracker/contracts';
import { ArchivedCopyDto, BusinessTimeBody, CorrectionBodyOf, CursorQuery, IsCalendarDate, IsOmittable, WithBusinessTime } from '@tracker/platform';
import { COMMODITIES, COMMODITY_CODES_MESSAGE } from '@tracker/contracts';
import { SEARCHED_FIELDS } from './search';

export const REFERENCE = /^[A-Z0-9][A-Z0-9-]{1,63}$/;
const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

/** signedOn must have exactly the shape its precision says: YYYY-MM-DD, YYYY-MM, YYYY, or null when unknown. */
function MatchesDatePrecision() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'matchesDatePrecision',
      target: object.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const precision = (args.object as { datePrecision?: DatePrecision }).datePrecision;
          if (precision === 'unknown') return value === null || value === undefined;
          if (typeof value !== 'string') return false;
          // Within the span a fact may carry, at the precision known (1945, 1945-01 and 1945-01-01 all begin it).
          const inSpan = value >= EARLIEST_FACT_DATE.slice(0, value.length) && value <= LATEST_FACT_DATE.slice(0, value.length);
          if (precision === 'day') return isCalendarDate(value) && inSpan;
          if (precision === 'month') return /^\d{4}-(0[1-9]|1[0-2])$/.test(value) && inSpan;
          if (precision === 'year') return /^\d{4}$/.test(value) && inSpan;
          return false;
        },
        defaultMessage(args: ValidationArguments) {
          const precision = (args.object as { datePrecision?: string }).datePrecision;
          const shapes: Record<string, string> = {
            day: 'a date YYYY-MM-DD',
            month: 'a month YYYY-MM',
            year: 'a year YYYY',
            unknown: 'null',
          };
          const span = precision && precision !== 'unknown' ? ` from ${EARLIEST_FACT_DATE.slice(0, 4)} to ${LATEST_FACT_DATE.slice(0, 4)}` : '';
          return `signedOn must be ${shapes[precision ?? ''] ?? 'consistent with datePrecision'}${span} when datePrecision is "${precision}"`;
        },
      },
    });
}

export class PartyDto {
  @ApiPropertyOptional({ example: 'TR', description: 'ISO 3166-1 alpha-2 code; give this or organisation' })
  @ValidateIf((p: PartyDto) => p.organisation === undefined)
  @Transform(upper)
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as TR or UZ' })
  country?: string;

  @ApiPropertyOptional({ example: 'European Commission' })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  organisation?: string;

  @ApiProperty({ example: 'Republic of Türkiye' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  name: string;
}

export class SignatoryDto {
  @ApiProperty({ example: 'Alparslan Bayraktar' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Minister of Energy and Natural Resources' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ example: 'TR', description: 'the party signed for: its country code or organisation name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  party?: string;
}

export class TargetDto {
  @ApiProperty({ example: 'Chinese investment in the mining sector' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  description: string;

  @ApiPropertyOptional({ example: 2000000000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount?: number;

  @ApiPropertyOptional({ example: 'tonnes/year' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  unit?: string;

  @ApiPropertyOptional({ example: 'USD' })
  @IsOptional()
  @IsISO4217CurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ example: '2031-01-29' })
  @IsOptional()
  @IsCalendarDate()
  byDate?: string;
}


export class SourceDto {
  @ApiPropertyOptional({ format: 'uri', example: 'https://example.org/news/tr-uz-mining' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  url?: string;

  @ApiProperty({ example: 'Turkey and Uzbekistan Forge Deeper Mining Ties' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  title: string;

  @ApiPropertyOptional({ example: 'news report' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  publisher?: string;

  @ApiPropertyOptional({ example: '2026-01-30', pattern: PARTIAL_DATE.source, description: 'YYYY, YYYY-MM or YYYY-MM-DD' })
  @IsOptional()
  @Matches(PARTIAL_DATE, { message: 'published must be YYYY, YYYY-MM or YYYY-MM-DD' })
  published?: string;

  @ApiPropertyOptional({ enum: EvidenceKinds, default: 'other', description: 'who published it: official (a government or public body), company, international-organisation, media, other (also when not said)' })
  @IsOptional()
  @IsIn(EvidenceKinds, { message: `kind must be one of ${EvidenceKinds.join(', ')}` })
  kind?: EvidenceKind;

  @ApiPropertyOptional({ type: ArchivedCopyDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => ArchivedCopyDto)
  archived?: ArchivedCopyDto;
}



class AgreementFieldsDto {
  @ApiProperty({ example: 'Memorandum of Understanding on cooperation in the mining sector' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  title: string;

  @ApiProperty({ enum: AgreementKinds })
  @IsIn(AgreementKinds)
  kind: AgreementKind;

  @ApiProperty({ type: [PartyDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'parties must name at least one party' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties: PartyDto[];

  @ApiPropertyOptional({ type: [SignatoryDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => SignatoryDto)
  signatories?: SignatoryDto[];

  @ApiProperty({ enum: DatePrecisions, description: 'how much of the signing date is known' })
  @IsIn(DatePrecisions)
  datePrecision: DatePrecision;

  @ApiProperty({ type: String, example: '2026-01-29', nullable: true, pattern: PARTIAL_DATE.source, description: 'YYYY-MM-DD, YYYY-MM, YYYY or null, per datePrecision' })
  @MatchesDatePrecision()
  signedOn: string | null;

  @ApiPropertyOptional({ example: 'Ankara, Türkiye' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  place?: string;

  @ApiPropertyOptional({ example: 'High-Level Strategic Cooperation Council' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  context?: string;

  @ApiPropertyOptional({ example: ['mining'] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  sectors?: string[];

  @ApiPropertyOptional({ enum: COMMODITIES, isArray: true, example: ['copper', 'lithium', 'rare-earth-elements'], description: 'codes of GET /agreements/commodities' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsIn(COMMODITIES, { each: true, message: COMMODITY_CODES_MESSAGE })
  commodities?: string[];
}

export class RegisterAgreementDto extends AgreementFieldsDto {
  @ApiProperty({ example: 'TR-UZ-2026-MINING', pattern: REFERENCE.source, description: 'unique; upper-case letters, digits and dashes' })
  @Transform(upper)
  @IsString()
  @Matches(REFERENCE, { message: 'reference must be 2-64 upper-case letters, digits or dashes, e.g. TR-UZ-2026-MINING' })
  reference: string;

  @ApiPropertyOptional({ example: ['information sharing'] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  objectives?: string[];

  @ApiPropertyOptional({ type: [TargetDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets?: TargetDto[];

  @ApiPropertyOptional({ type: [SourceDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SourceDto)
  sources?: SourceDto[];
}

/** Amend any of the descriptive fields; only the fields present change. `occurredAt`: when it was amended. */
export class AmendAgreementDto extends BusinessTimeBody {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(3) @MaxLength(500) title?: string;
  @ApiPropertyOptional({ enum: AgreementKinds }) @IsOptional() @IsIn(AgreementKinds) kind?: AgreementKind;
  @ApiPropertyOptional({ type: [PartyDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1, { message: 'parties must name at least one party' })
  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties?: PartyDto[];
  @ApiPropertyOptional({ type: [SignatoryDto] })
  @IsOmittable()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SignatoryDto)
  signatories?: SignatoryDto[];
  @ApiPropertyOptional({ enum: DatePrecisions })
  @ValidateIf((o: AmendAgreementDto) => o.signedOn !== undefined || o.datePrecision !== undefined)
  @IsIn(DatePrecisions, { message: 'datePrecision must accompany signedOn and be one of day, month, year, unknown' })
  datePrecision?: DatePrecision;
  @ApiPropertyOptional({ type: String, nullable: true, pattern: PARTIAL_DATE.source, example: '2026-01-29', description: 'with datePrecision' })
  @ValidateIf((o: AmendAgreementDto) => o.signedOn !== undefined || o.datePrecision !== undefined)
  @MatchesDatePrecision()
  signedOn?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) place?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) context?: string;
  @ApiPropertyOptional()
  @IsOmittable()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  sectors?: string[];
  @ApiPropertyOptional({ enum: COMMODITIES, isArray: true, example: ['lithium'] })
  @IsOmittable()
  @IsArray()
  @IsIn(COMMODITIES, { each: true, message: COMMODITY_CODES_MESSAGE })
  commodities?: string[];
}

export class ObjectiveDto extends BusinessTimeBody {
  @ApiProperty({ example: 'research and development' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  objective: string;
}

/** `occurredAt`: the date it took effect. */
export class ReasonDto extends BusinessTimeBody {
  @ApiProperty({ example: 'bilateral relations frozen' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class OptionalReasonDto extends BusinessTimeBody {
  @ApiPropertyOptional({ example: 'bilateral relations restored' })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason?: string;
}

const statuses = [...ImplementationStatuses, 'suspended', 'terminated', 'expired'] as const;

export class ListAgreementsQuery extends CursorQuery {
  @ApiPropertyOptional({ example: 'TR-UZ-2026-MINING', description: 'the agreement with exactly this reference (case is ignored: references are upper case); GET /agreements/by-reference/{reference} answers it alone' })
  @IsOptional()
  @Transform(upper)
  @Matches(REFERENCE, { message: 'reference must be 2-64 letters, digits or dashes, e.g. TR-UZ-2026-MINING' })
  reference?: string;

  @ApiPropertyOptional({ example: 'UZ', description: 'party country (ISO 3166-1 alpha-2)' })
  @IsOptional()
  @Transform(upper)
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as TR or UZ' })
  country?: string;

  @ApiPropertyOptional({ enum: COMMODITIES, example: 'lithium' })
  @IsOptional()
  @IsIn(COMMODITIES, { message: COMMODITY_CODES_MESSAGE })
  commodity?: string;

  @ApiPropertyOptional({ enum: AgreementKinds })
  @IsOptional()
  @IsIn(AgreementKinds)
  kind?: AgreementKind;

  @ApiPropertyOptional({ enum: statuses })
  @IsOptional()
  @IsIn(statuses)
  status?: (typeof statuses)[number];

  @ApiPropertyOptional({ example: '2026-01-01', description: 'signed on or after (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  signedFrom?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'signed on or before (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  signedTo?: string;

  @ApiPropertyOptional({
    example: 'turkiye uzbek',
    description:
      `text search over ${SEARCHED_FIELDS}; case and accents are ignored ("turkiye" finds Türkiye) and each word also matches the start of a longer one ("uzbek" finds Uzbekistan). ` +
      'An agreement matches when any word of q does; with q the list is ranked: the agreement whose reference is q first, then those matching more of its words, ' +
      'then by where they match (reference, then title, then the other fields), whole words before word starts, then by id. At most the first ten words count.',
  })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  q?: string;
}

/** The filters of GET /agreements without its paging: GET /agreements/export.csv answers every match. */
export class ExportAgreementsQuery extends OmitType(ListAgreementsQuery, ['cursor', 'limit'] as const) {}

export type AgreementFilters = ExportAgreementsQuery;

/** Body of POST /agreements/{id}/targets. */
export class AddTargetBody extends WithBusinessTime(TargetDto) {}
export class AttachSourceBody extends WithBusinessTime(SourceDto) {}

export class AgreementCorrectionChangesDto {
  @ApiPropertyOptional({ type: String, nullable: true, pattern: PARTIAL_DATE.source, example: '2026-01-28', description: 'registration: the signing date (with datePrecision)' })
  @ValidateIf((o: AgreementCorrectionChangesDto) => o.signedOn !== undefined || o.datePrecision !== undefined)
  @MatchesDatePrecision()
  signedOn?: string | null;

  @ApiPropertyOptional({ enum: DatePrecisions })
  @ValidateIf((o: AgreementCorrectionChangesDto) => o.signedOn !== undefined || o.datePrecision !== undefined)
  @IsIn(DatePrecisions, { message: 'datePrecision must accompany signedOn and be one of day, month, year, unknown' })
  datePrecision?: DatePrecision;

  @ApiPropertyOptional({ example: '2026-10-01', description: 'suspension, resumption, termination, expiry: the date it took effect' })
  @IsOptional()
  @IsCalendarDate()
  effectiveOn?: string;
}

/** A fact entered wrongly: the event (by id, from GET /agreements/{id}/events), its right values, and why. */
export class CorrectAgreementDto extends CorrectionBodyOf(AgreementCorrectionChangesDto, 'agreement') {}

/** Why a list entry is corrected or removed. */
class ListCorrectionReason {
  @ApiProperty({ example: 'entered from a draft; the signed text says otherwise' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

const TARGET_ID = /^T[1-9]\d{0,5}$/;
const SOURCE_ID = /^S[1-9]\d{0,5}$/;

/** Body of POST /agreements/{id}/targets/correct: the target (by id), the fields to correct, why. */
export class CorrectTargetDto extends PartialType(TargetDto) {
  @ApiProperty({ example: 'T1', pattern: TARGET_ID.source, description: 'the target corrected, as listed in the agreement' })
  @Matches(TARGET_ID, { message: 'targetId must be the id of a target of the agreement, such as T1' })
  targetId: string;

  @ApiProperty({ example: 'the ministry announced USD 2.5 billion' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class RemoveTargetDto extends ListCorrectionReason {
  @ApiProperty({ example: 'T1', pattern: TARGET_ID.source })
  @Matches(TARGET_ID, { message: 'targetId must be the id of a target of the agreement, such as T1' })
  targetId: string;
}

/** Body of POST /agreements/{id}/sources/correct: the source (by id), the fields to correct, why. */
export class CorrectSourceDto extends PartialType(SourceDto) {
  @ApiProperty({ example: 'S1', pattern: SOURCE_ID.source, description: 'the source corrected, as listed in the agreement' })
  @Matches(SOURCE_ID, { message: 'sourceId must be the id of a source of the agreement, such as S1' })
  sourceId: string;

  @ApiProperty({ example: 'a ministry press release, not a news report' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class RemoveSourceDto extends ListCorrectionReason {
  @ApiProperty({ example: 'S1', pattern: SOURCE_ID.source })
  @Matches(SOURCE_ID, { message: 'sourceId must be the id of a source of the agreement, such as S1' })
  sourceId: string;
}

export class CorrectObjectiveDto extends ListCorrectionReason {
  @ApiProperty({ example: 'information sharing', description: 'the objective as recorded' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  objective: string;

  @ApiProperty({ example: 'sharing of geological information' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  correctedTo: string;
}

export class RemoveObjectiveDto extends ListCorrectionReason {
  @ApiProperty({ example: 'information sharing', description: 'the objective as recorded' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  objective: string;
}
