/** What clients may send to /agreements: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  ImplementationStatuses,
  EARLIEST_FACT_DATE,
  isCalendarDate,
  LATEST_FACT_DATE,
  type AgreementKind,
  type DatePrecision,
} from '@tracker/contracts';
import { BusinessTimeBody, CorrectionBodyOf, CursorQuery, IsCalendarDate, WithBusinessTime } from '@tracker/platform';
import { COMMODITIES, COMMODITY_CODES_MESSAGE } from '@tracker/contracts';

const REFERENCE = /^[A-Z0-9][A-Z0-9-]{1,63}$/;
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
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  sectors?: string[];

  @ApiPropertyOptional({ enum: COMMODITIES, isArray: true, example: ['copper', 'lithium', 'rare-earth-elements'], description: 'codes of GET /agreements/commodities' })
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  objectives?: string[];

  @ApiPropertyOptional({ type: [TargetDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets?: TargetDto[];

  @ApiPropertyOptional({ type: [SourceDto] })
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'parties must name at least one party' })
  @ValidateNested({ each: true })
  @Type(() => PartyDto)
  parties?: PartyDto[];
  @ApiPropertyOptional({ type: [SignatoryDto] })
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  sectors?: string[];
  @ApiPropertyOptional({ enum: COMMODITIES, isArray: true, example: ['lithium'] })
  @IsOptional()
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

  @ApiPropertyOptional({ example: 'mining', description: 'words in the title (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  q?: string;
}

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
