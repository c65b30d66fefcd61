/**
 * Evidence pieces both services' APIs share: the archived copy a source or evidence link may carry (request) and
 * how well something is sourced (response), as libs/contracts' evidence.ts defines them.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsUrl, Matches, MaxLength } from 'class-validator';
import type { EvidenceKind, Sourcing } from '@tracker/contracts';

/** A copy captured of a source or evidence page, so that a page that dies or changes can still be checked. */
export class ArchivedCopyDto {
  @ApiProperty({ format: 'uri', example: 'https://web.archive.org/web/20260130000000/https://example.org/news/tr-uz-mining' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ pattern: '^[0-9a-f]{64}$', example: 'a3f5c8e1d2b4a6f8e0c2d4b6a8f0e2c4d6b8a0f2e4c6d8b0a2f4e6c8d0b2a4f6', description: 'SHA-256 of the captured content (hex)' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256: string;
}

const count = { type: 'integer', minimum: 0 } as const;

class ByKindDto implements Record<EvidenceKind, number> {
  @ApiProperty(count) official: number;
  @ApiProperty(count) company: number;
  @ApiProperty(count) 'international-organisation': number;
  @ApiProperty(count) media: number;
  @ApiProperty(count) other: number;
}

export class SourcingDto implements Sourcing {
  @ApiProperty(count)
  count: number;

  @ApiProperty({ type: ByKindDto })
  byKind: ByKindDto;

  @ApiProperty({ description: 'at least one official (government or public body) source' })
  official: boolean;

  @ApiProperty({ description: 'sourced, but by media reports only: marked so that a reader weighs it' })
  mediaOnly: boolean;
}
