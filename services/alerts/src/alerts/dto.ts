/** What clients may send to /alerts: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, registerDecorator, type ValidationArguments } from 'class-validator';
import { AlertKinds, AlertSeverities, AlertStatuses, DomainError, isCalendarDate, type AlertKind, type AlertSeverity, type AlertStatus } from '@tracker/contracts';
import { CursorQuery, IsOmittable } from '@tracker/platform';
import { MineStates, type MineState } from './alerts.service';

/** What a stakeholder's inbox shows by default: what it has not marked done nor snoozed until later. */
export const DEFAULT_MINE: readonly MineState[] = ['open', 'acknowledged'];

const MINE_MESSAGE = `mine must be a comma-separated list of ${MineStates.join(', ')}`;

export class ListAlertsQueryDto extends CursorQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'the inbox of a subscription: only alerts its filters match (stakeholders: their own)' })
  @IsOptional()
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'agreementId must be a UUID' })
  agreementId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'milestoneId must be a UUID' })
  milestoneId?: string;

  @ApiPropertyOptional({ enum: AlertKinds })
  @IsOptional()
  @IsIn(AlertKinds)
  kind?: AlertKind;

  @ApiPropertyOptional({ enum: AlertStatuses, description: 'the shared status (acknowledged: by some recipient); a stakeholder’s own stand is `mine`' })
  @IsOptional()
  @IsIn(AlertStatuses)
  status?: AlertStatus;

  @ApiPropertyOptional({ enum: AlertSeverities, description: 'this severity or higher' })
  @IsOptional()
  @IsIn(AlertSeverities)
  minSeverity?: AlertSeverity;

  @ApiPropertyOptional({
    type: String,
    example: 'open,acknowledged,snoozed',
    description: `stakeholders: the alerts where you stand so (comma-separated: ${MineStates.join(', ')}); default open,acknowledged (what you marked done or snoozed until later is hidden). Others: ignored`,
  })
  @IsOptional()
  // "a,b" becomes ['a', 'b'] (a repeated ?mine= arrives as an array already); validated as a list below.
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value))
  @IsArray({ message: MINE_MESSAGE })
  @ArrayMaxSize(MineStates.length * 2, { message: MINE_MESSAGE })
  @IsIn(MineStates, { each: true, message: MINE_MESSAGE })
  mine?: MineState[];
}

export class AcknowledgeDto {
  @ApiPropertyOptional({ example: 'Raised with the ministry; follow-up call on Friday', description: 'shown on the alert to monitors and auditors' })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

/** How far ahead a recipient may snooze an alert. */
export const MAX_SNOOZE_DAYS = 90;

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** An ISO 8601 date-time with its zone that names a real instant (2026-02-30T… is refused, not rolled over). */
export function isDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_TIME.exec(value);
  return !!m && isCalendarDate(m[1]) && Number.isFinite(Date.parse(value));
}

/** A date-time with a zone (see isDateTime), documented as such. */
export function IsDateTime(description: string, example: string) {
  return (object: object, propertyName: string) => {
    ApiProperty({ type: 'string', format: 'date-time', description, example })(object, propertyName);
    registerDecorator({
      name: 'isDateTime',
      target: object.constructor,
      propertyName,
      validator: {
        validate: isDateTime,
        defaultMessage: (args: ValidationArguments) => `${args.property} must be an ISO 8601 date-time with a zone, e.g. 2026-12-31T09:00:00Z`,
      },
    });
  };
}

/**
 * `until` (a valid date-time) as an ISO instant, refused (400 naming `field`) unless later than `now` and at most
 * `maxDays` ahead. Checked against the request's clock here, not by the validator, which has no clock.
 */
export function untilWithin(field: string, until: string, now: Date, maxDays: number): string {
  const at = Date.parse(until);
  if (at <= now.getTime()) throw new DomainError('invalid', `${field} must be later than now (${now.toISOString()})`, field);
  const latest = now.getTime() + maxDays * 86_400_000;
  if (at > latest) throw new DomainError('invalid', `${field} must be at most ${maxDays} days ahead (${new Date(latest).toISOString()})`, field);
  return new Date(at).toISOString();
}

export class SnoozeDto {
  @IsDateTime(`out of your inbox and reminders until then: later than now, at most ${MAX_SNOOZE_DAYS} days ahead`, '2026-12-15T08:00:00Z')
  until: string;

  @ApiPropertyOptional({ example: 'after the board meeting' })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class MarkDoneDto {
  @ApiPropertyOptional({ example: 'Ministry confirmed the new survey date' })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
