/** What clients may send to /subscriptions: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  AlertChannels,
  AlertKinds,
  AlertSeverities,
  MilestoneTypes,
  type AlertChannel,
  type AlertKind,
  type AlertSeverity,
  type MilestoneType,
  COMMODITIES,
  COMMODITY_CODES_MESSAGE,
} from '@tracker/contracts';
import { CursorQuery, IsOmittable } from '@tracker/platform';
import { GroupByFields, type GroupByField } from '@tracker/alerts-domain';
import { IsTimeZone } from './time-zone';

export class SubscriptionFiltersDto {
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, example: ['0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70'] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true, message: 'agreementIds must be agreement ids (UUIDs)' })
  agreementIds?: string[];

  @ApiPropertyOptional({ type: [String], example: ['TR', 'UZ'], description: 'ISO 3166-1 alpha-2 codes of the parties' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @IsISO31661Alpha2({ each: true, message: 'partyCountries must be ISO 3166-1 alpha-2 country codes' })
  partyCountries?: string[];

  @ApiPropertyOptional({
    enum: COMMODITIES,
    isArray: true,
    example: ['rare-earth-elements', 'copper'],
    description: 'commodity codes (the agreements service lists them at GET /agreements/commodities)',
  })
  @IsOptional()
  // Codes are lower case; 'Copper' means copper.
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)) : value))
  @IsArray()
  @ArrayMaxSize(COMMODITIES.length)
  @IsIn(COMMODITIES, { each: true, message: COMMODITY_CODES_MESSAGE })
  commodities?: string[];

  @ApiPropertyOptional({ enum: MilestoneTypes, isArray: true })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MilestoneTypes.length)
  @IsIn(MilestoneTypes, { each: true })
  milestoneTypes?: MilestoneType[];

  @ApiPropertyOptional({ enum: AlertKinds, isArray: true })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(AlertKinds.length)
  @IsIn(AlertKinds, { each: true })
  kinds?: AlertKind[];

  @ApiPropertyOptional({ enum: AlertSeverities, description: 'this severity or higher' })
  @IsOptional()
  @IsIn(AlertSeverities)
  minSeverity?: AlertSeverity;
}

export class ChannelDto {
  @ApiProperty({ enum: AlertChannels, example: 'webhook' })
  @IsIn(AlertChannels)
  type: AlertChannel;

  @ApiPropertyOptional({ format: 'uri', example: 'https://hooks.example.org/tracker', description: 'webhook only' })
  @ValidateIf((c: ChannelDto) => c.type === 'webhook' || c.url !== undefined)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ example: 'a-long-random-signing-secret-0123', description: 'webhook only: the HMAC-SHA256 key of the signature header (16-200 characters); never returned' })
  @ValidateIf((c: ChannelDto) => c.type === 'webhook' || c.secret !== undefined)
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  secret?: string;
}

/** Alertmanager's group_by / group_wait / group_interval for a webhook. */
export class GroupingDto {
  @ApiProperty({ enum: GroupByFields, isArray: true, example: ['agreement'], description: 'alerts with the same values of these go together; none: all in one group' })
  @IsArray({ message: 'grouping.groupBy must be a list of agreement, country, kind' })
  @ArrayMaxSize(GroupByFields.length)
  @IsIn(GroupByFields, { each: true, message: 'grouping.groupBy must be a list of agreement, country, kind' })
  groupBy: GroupByField[];

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 3600, example: 30, description: 'a new group’s first webhook waits this long to gather a burst' })
  @IsInt({ message: 'grouping.groupWaitSeconds must be an integer between 0 and 3600' })
  @Min(0, { message: 'grouping.groupWaitSeconds must be an integer between 0 and 3600' })
  @Max(3600, { message: 'grouping.groupWaitSeconds must be an integer between 0 and 3600' })
  groupWaitSeconds: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 86400, example: 300, description: 'later alerts of the group go at most this often, together' })
  @IsInt({ message: 'grouping.groupIntervalSeconds must be an integer between 1 and 86400' })
  @Min(1, { message: 'grouping.groupIntervalSeconds must be an integer between 1 and 86400' })
  @Max(86400, { message: 'grouping.groupIntervalSeconds must be an integer between 1 and 86400' })
  groupIntervalSeconds: number;
}

/** Reminders of alerts left open and not acted on by the owner (Alertmanager's repeat_interval). */
export class RepeatDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 720, example: 24 })
  @IsInt({ message: 'repeat.intervalHours must be an integer between 1 and 720' })
  @Min(1, { message: 'repeat.intervalHours must be an integer between 1 and 720' })
  @Max(720, { message: 'repeat.intervalHours must be an integer between 1 and 720' })
  intervalHours: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 20, example: 3 })
  @IsInt({ message: 'repeat.maxReminders must be an integer between 1 and 20' })
  @Min(1, { message: 'repeat.maxReminders must be an integer between 1 and 20' })
  @Max(20, { message: 'repeat.maxReminders must be an integer between 1 and 20' })
  maxReminders: number;
}

/** A daily digest at a local hour. */
export class DigestDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 23, example: 8, description: 'local hour of the day' })
  @IsInt({ message: 'digest.hour must be an integer between 0 and 23' })
  @Min(0, { message: 'digest.hour must be an integer between 0 and 23' })
  @Max(23, { message: 'digest.hour must be an integer between 0 and 23' })
  hour: number;

  @ApiProperty({ example: 'Europe/Istanbul', description: 'IANA time zone' })
  @IsString({ message: 'digest.timeZone must be an IANA time zone, e.g. Europe/Istanbul' })
  @MaxLength(100)
  @IsTimeZone({ message: 'digest.timeZone must be an IANA time zone, e.g. Europe/Istanbul' })
  timeZone: string;
}

export class CreateSubscriptionDto {
  @ApiPropertyOptional({ example: 'Critical minerals: Türkiye and Uzbekistan' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: SubscriptionFiltersDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => SubscriptionFiltersDto)
  filters?: SubscriptionFiltersDto;

  @ApiProperty({ type: ChannelDto })
  @IsObject({ message: 'channel is required: {"type": "inbox"} or {"type": "webhook", "url", "secret"}' })
  @ValidateNested()
  @Type(() => ChannelDto)
  channel: ChannelDto;

  @ApiPropertyOptional({ type: GroupingDto, description: 'webhook only: gather alerts into fewer webhooks' })
  @IsOmittable()
  @IsObject({ message: 'grouping must be an object: {"groupBy", "groupWaitSeconds", "groupIntervalSeconds"}' })
  @ValidateNested()
  @Type(() => GroupingDto)
  grouping?: GroupingDto;

  @ApiPropertyOptional({ type: RepeatDto, description: 'webhook only: remind of alerts still open and not acted on' })
  @IsOmittable()
  @IsObject({ message: 'repeat must be an object: {"intervalHours", "maxReminders"}' })
  @ValidateNested()
  @Type(() => RepeatDto)
  repeat?: RepeatDto;

  @ApiPropertyOptional({ type: DigestDto, description: 'a daily digest (webhook; inbox: shown in the inbox)' })
  @IsOmittable()
  @IsObject({ message: 'digest must be an object: {"hour", "timeZone"}' })
  @ValidateNested()
  @Type(() => DigestDto)
  digest?: DigestDto;
}

export class ListSubscriptionsQuery extends CursorQuery {}
