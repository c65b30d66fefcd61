/** What clients may send to /subscriptions: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  MaxLength,
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
  @ApiProperty({ enum: AlertChannels })
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
}

export class ListSubscriptionsQuery extends CursorQuery {}
