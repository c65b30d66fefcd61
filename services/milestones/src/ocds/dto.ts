/**
 * The body of POST /ocds/imports: an OCDS release package. Its frame is checked here (so that the usual 400 names
 * each field); the releases are checked against the OCDS 1.1.5 schema in the service, each milestone on its own
 * so that one bad milestone is refused in the report while the others are imported.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { RELEASE_EXAMPLE } from './responses';
import { IsOmittable } from '@tracker/platform';

export class OcdsPublisherDto {
  @ApiProperty({ example: 'Agreement tracker' })
  @IsString()
  @MaxLength(500)
  name: string;

  @ApiPropertyOptional({ example: 'https://tracker.example' })
  @IsOptional()
  @IsString()
  uri?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  scheme?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  uid?: string;
}

export class OcdsReleasePackageDto {
  @ApiProperty({
    format: 'uri',
    example: 'https://tracker.example/ocds/agreements/0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70',
  })
  @IsString()
  @MaxLength(2000)
  uri: string;

  @ApiProperty({ example: '1.1', pattern: '^(\\d+\\.)(\\d+)$' })
  @Matches(/^(\d+\.)(\d+)$/, { message: 'version must be the OCDS version, e.g. 1.1' })
  version: string;

  @ApiProperty({
    format: 'date-time',
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}',
    example: '2026-11-22T10:00:00Z',
  })
  @IsISO8601({ strict: true }, { message: 'publishedDate must be an ISO 8601 date-time' })
  publishedDate: string;

  @ApiProperty({ type: OcdsPublisherDto })
  @ValidateNested()
  @Type(() => OcdsPublisherDto)
  publisher: OcdsPublisherDto;

  @ApiPropertyOptional({
    type: [String],
    example: [
      'https://raw.githubusercontent.com/open-contracting-extensions/ocds_milestone_documents_extension/master/extension.json',
    ],
  })
  @IsOmittable()
  @IsArray()
  @IsString({ each: true })
  extensions?: string[];

  @ApiPropertyOptional({ format: 'uri' })
  @IsOptional()
  @IsString()
  license?: string;

  @ApiPropertyOptional({ format: 'uri' })
  @IsOptional()
  @IsString()
  publicationPolicy?: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'OCDS 1.1.5 releases; the milestones of contracts[].implementation.milestones are imported',
    example: [RELEASE_EXAMPLE],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsObject({ each: true })
  releases: Array<Record<string, unknown>>;
}
