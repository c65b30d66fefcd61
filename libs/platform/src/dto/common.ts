/**
 * DTO pieces every service's API shares: calendar dates, as-of, event-history and cursor pagination queries, and
 * the page a cursor query answers. The date validators also document their format in the OpenAPI.
 */
import type { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested, registerDecorator, type ValidationArguments } from 'class-validator';
import { businessInstant, EARLIEST_FACT_DATE, isBusinessTime, isFactDate, LATEST_FACT_DATE } from '@tracker/contracts';

/**
 * Optional: the field may be left out, but not sent as null (class-validator's IsOptional lets null through to
 * code that expects a value; here null meets the field's other rules and gets a 400).
 */
export function IsOmittable() {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused), within the span a fact may carry (1945-2100). */
export function IsCalendarDate() {
  return (object: object, propertyName: string) => {
    ApiProperty({ type: 'string', format: 'date' })(object, propertyName);
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isFactDate(value),
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be a calendar date YYYY-MM-DD from ${EARLIEST_FACT_DATE} to ${LATEST_FACT_DATE}`,
      },
    });
  };
}

/** In the OpenAPI: a calendar date (YYYY-MM-DD) or an ISO 8601 date-time with a zone. */
export function ApiDateOrDateTime() {
  return ApiProperty({ type: 'string', anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'date-time' }] });
}

/** A business time: a calendar date YYYY-MM-DD or an ISO 8601 date-time with a zone (no rollover, no hour 24). */
export function IsBusinessTime() {
  return (object: object, propertyName: string) => {
    ApiDateOrDateTime()(object, propertyName);
    registerDecorator({
      name: 'isBusinessTime',
      target: object.constructor,
      propertyName,
      validator: {
        validate: isBusinessTime,
        defaultMessage: (args: ValidationArguments) => `${args.property} must be a date YYYY-MM-DD or an ISO 8601 date-time with a zone, e.g. 2026-06-30 or 2026-06-30T12:00:00Z`,
      },
    });
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T = object> = new (...args: any[]) => T;

/** `Base` with an optional `occurredAt` (see BusinessTimeBody): for change bodies that are also used elsewhere. */
export function WithBusinessTime<B extends Constructor>(Base: B) {
  class WithOccurredAt extends Base {
    @ApiPropertyOptional({
      example: '2026-06-30',
      description:
        'when this happened in the world (a date or a date-time; default: now). Refused with 422 if in the future or before the agreement was signed.',
    })
    @IsOptional()
    @IsBusinessTime()
    occurredAt?: string;
  }
  return WithOccurredAt;
}

/** When the fact a change states happened (business time); omitted: the time of recording. */
export class BusinessTimeBody extends WithBusinessTime(class {}) {}

/**
 * The body of a correction (ADR 0008): the event it corrects (by id, from the resource's `/events`), the right
 * values of its wrong fields (`Changes`, a DTO class), and why.
 */
export function CorrectionBodyOf<C extends object>(Changes: new () => C, of: string) {
  class CorrectionBody {
    @ApiProperty({ format: 'uuid', example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70', description: `the id of the event to correct (one of this ${of}'s events)` })
    @IsUUID('all', { message: `eventId must be the id of one of this ${of}'s events` })
    eventId: string;

    @ApiProperty({ type: Changes, description: 'the right values of the fields that were wrong, named as in the event' })
    @IsObject()
    @ValidateNested()
    @Type(() => Changes)
    changes: C;

    @ApiProperty({ example: 'the report is dated 20 October, not 1 November' })
    @IsString()
    @MinLength(3)
    @MaxLength(2000)
    reason: string;
  }
  return CorrectionBody;
}

/**
 * The two clocks of a read that goes back in time (ADR 0008): `validAt` (business time: what was true then) and
 * `knownAt` (record time: as the tracker knew it then), alone or together.
 */
export class TwoClocksQuery {
  @ApiPropertyOptional({ example: '2026-06-30', description: 'business time: the state as it was in the world at this date or time' })
  @IsOptional()
  @IsBusinessTime()
  validAt?: string;

  @ApiPropertyOptional({ example: '2026-10-01T00:00:00Z', description: 'record time: as the tracker knew it at this date or time' })
  @IsOptional()
  @IsBusinessTime()
  knownAt?: string;

}

/** The two clocks, and `asOf`: the former name of knownAt. */
export class AsOfQuery extends TwoClocksQuery {
  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'the same as knownAt (kept for existing clients)' })
  @IsOptional()
  @IsBusinessTime()
  asOf?: string;
}

/** What a read at a past time answers besides the state: the clocks it is of (ADR 0008). */
export class AsOfAnswer {
  @ApiProperty({ format: 'date-time', description: 'the record time the state is of (knownAt, or now)' })
  asOf: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'the business time asked for' })
  validAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'the record time asked for' })
  knownAt: string | null;
}

/** The clocks a query asks for, as instants (knownAt from `knownAt` or `asOf`); null when it asks for neither. */
export function twoClocksOf(query: { validAt?: string; knownAt?: string; asOf?: string }): { validAt?: Date; knownAt?: Date } | null {
  const knownAt = query.knownAt ?? query.asOf;
  if (query.validAt === undefined && knownAt === undefined) return null;
  return {
    ...(query.validAt !== undefined && { validAt: new Date(businessInstant(query.validAt)) }),
    ...(knownAt !== undefined && { knownAt: new Date(businessInstant(knownAt)) }),
  };
}

export class EventsQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1, description: 'first stream version to return' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  from?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 100, maximum: 1000 })
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
    @ApiPropertyOptional({ type: 'integer', default: defaultLimit, minimum: 1, maximum: maxLimit })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(maxLimit)
    limit?: number;

    @ApiPropertyOptional({ description: 'nextCursor of the previous page', pattern: '^[A-Za-z0-9_-]{1,200}$' })
    @IsOptional()
    @IsString()
    @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be the nextCursor value of a previous page' })
    cursor?: string;
  }
  return PageQuery;
}

/** The lists' pagination: 20 a page by default, at most 100. */
export class CursorQuery extends CursorQueryOf(20, 100) {}

/** The page a cursor query answers, `<Item>Page` in the OpenAPI: the items and the cursor of the next page. */
export function CursorPageOf<T>(Item: Class<T>, name = `${Item.name}Page`) {
  class CursorPage {
    @ApiProperty({ type: [Item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, example: 'MDE5N2EzYzItNWQxZS03YjRh', description: 'send it as ?cursor= for the next page; null on the last page' })
    nextCursor: string | null;
  }
  Object.defineProperty(CursorPage, 'name', { value: name });
  return CursorPage;
}

/** Opaque cursors over an ascending string key (ids are UUID v7, so creation order). */
export const Cursor = {
  encode: (key: string): string => Buffer.from(key, 'utf8').toString('base64url'),
  decode: (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8'),
};
