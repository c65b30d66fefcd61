/** DTO pieces every service's API shares: calendar dates, as-of, event-history and cursor pagination queries. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, registerDecorator, type ValidationArguments } from 'class-validator';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !CALENDAR_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused). */
export function IsCalendarDate() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      validator: {
        validate: isCalendarDate,
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a calendar date YYYY-MM-DD`,
      },
    });
}

export class AsOfQuery {
  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'the state as it was recorded at this time' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    message: 'asOf must be an ISO 8601 date or date-time, e.g. 2026-03-01T00:00:00Z',
  })
  asOf?: string;
}

export class EventsQuery {
  @ApiPropertyOptional({ default: 1, description: 'first stream version to return' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  from?: number;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** Cursor pagination: `limit` from 1 to `maxLimit` (default `defaultLimit`) and the previous page's `nextCursor`. */
export function CursorQueryOf(defaultLimit: number, maxLimit: number) {
  class PageQuery {
    @ApiPropertyOptional({ default: defaultLimit, minimum: 1, maximum: maxLimit })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxLimit)
    limit?: number;

    @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
    @IsOptional()
    @IsString()
    @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be the nextCursor value of a previous page' })
    cursor?: string;
  }
  return PageQuery;
}

/** The lists' pagination: 20 a page by default, at most 100. */
export class CursorQuery extends CursorQueryOf(20, 100) {}

/** Opaque cursors over an ascending string key (ids are UUID v7, so creation order). */
export const Cursor = {
  encode: (key: string): string => Buffer.from(key, 'utf8').toString('base64url'),
  decode: (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8'),
};
