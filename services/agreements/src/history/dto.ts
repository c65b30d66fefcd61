/** Queries of GET /agreements/{id}/history and /as-of: whitelisted, validated (platform's ValidationPipe). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, registerDecorator, ValidateIf, type ValidationArguments } from 'class-validator';
import {
  AgreementEventTypes,
  AlertEventTypes,
  isCalendarDate,
  MilestoneEventTypes,
} from '@tracker/contracts';
import { ApiDateOrDateTime, CursorQueryOf, TwoClocksQuery } from '@tracker/platform';
import { JournalSources, type JournalSource } from './agreement-journal';

const INSTANT =
  /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/** An ISO 8601 date or date-time that names a real instant (2026-02-30 is refused, not rolled over). */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = INSTANT.exec(value);
  if (!m || !isCalendarDate(m[1])) return false;
  const [hours, minutes, seconds, offsetHours, offsetMinutes] = [m[2], m[3], m[4], m[6], m[7]].map((v) =>
    Number(v ?? 0),
  );
  return hours < 24 && minutes < 60 && seconds < 60 && offsetHours < 24 && offsetMinutes < 60;
}

function IsInstant() {
  return (object: object, propertyName: string) => {
    ApiDateOrDateTime()(object, propertyName);
    registerDecorator({
      name: 'isInstant',
      target: object.constructor,
      propertyName,
      validator: {
        validate: isInstant,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} must be an ISO 8601 date or date-time, e.g. 2026-03-01T00:00:00Z (a date alone is its midnight UTC)`,
      },
    });
  };
}

function NotBefore(other: string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'notBefore',
      target: object.constructor,
      propertyName,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const earlier = (args.object as Record<string, unknown>)[other];
          if (!isInstant(value) || !isInstant(earlier)) return true; // the format is reported by IsInstant
          return Date.parse(value) >= Date.parse(earlier);
        },
        defaultMessage: (args: ValidationArguments) => `${args.property} must not be before ${other}`,
      },
    });
}

export const JournalEventTypes: readonly string[] = [
  ...AgreementEventTypes,
  ...MilestoneEventTypes,
  ...AlertEventTypes,
];

/** The types of `?type=a,b`; every one must be known. */
export function eventTypesOf(type: string): string[] {
  return type.split(',').map((t) => t.trim());
}

/**
 * Several types go comma-separated in one parameter: like every other query here, a parameter is one value, so a
 * repeated `type` is refused rather than half-read.
 */
function IsEventTypeList() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isEventTypeList',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && eventTypesOf(value).every((t) => JournalEventTypes.includes(t)),
        defaultMessage(args: ValidationArguments) {
          if (typeof args.value !== 'string')
            return `${args.property} must be given once: separate several types with commas`;
          const unknown = eventTypesOf(args.value).filter((t) => !JournalEventTypes.includes(t));
          return `${args.property} names unknown event types (${unknown.join(', ')}); known: ${JournalEventTypes.join(', ')}`;
        },
      },
    });
}

/** 100 events a page by default, at most 1,000: an audit reads far more at a time than a list. */
export class AgreementHistoryQuery extends CursorQueryOf(100, 1000) {
  @ApiPropertyOptional({
    enum: ['recorded', 'business'],
    default: 'recorded',
    description: 'recorded: in the order the tracker learnt of each event; business: in the order things happened (occurredAt). from and to follow the same clock',
  })
  @IsOptional()
  @IsIn(['recorded', 'business'])
  order?: 'recorded' | 'business';

  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'recorded (or, with order=business, happened) at or after this time' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2026-06-30T23:59:59Z', description: 'recorded (or, with order=business, happened) at or before this time' })
  @IsOptional()
  @IsInstant()
  @NotBefore('from')
  to?: string;

  @ApiPropertyOptional({
    example: 'milestone.rescheduled,alert.raised',
    description: 'only these event types, comma-separated',
  })
  @IsOptional()
  @IsEventTypeList()
  type?: string;

  @ApiPropertyOptional({
    example: 'dev-monitor',
    pattern: '^[A-Za-z0-9._-]{1,64}$',
    description: 'only events recorded by this actor (key name or service)',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'actor must be an actor id: 1–64 of A-Z a-z 0-9 . _ -' })
  actor?: string;

  @ApiPropertyOptional({ enum: JournalSources, description: 'only events of this service' })
  @IsOptional()
  @IsIn(JournalSources)
  source?: JournalSource;
}

/** The agreement-wide view at a past time: `validAt` (business time), `knownAt` (record time; `at` is the same). */
export class AgreementAsOfQuery extends TwoClocksQuery {
  @ApiPropertyOptional({ example: '2026-06-30T00:00:00Z', description: 'record time: what was recorded at or before this time (the same as knownAt)' })
  @ValidateIf((q: AgreementAsOfQuery) => q.at !== undefined || (q.validAt === undefined && q.knownAt === undefined))
  @IsInstant()
  at?: string;
}
