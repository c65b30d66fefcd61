/** What clients may send to /alerts: whitelisted, validated, no unknown fields (platform's ValidationPipe). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AlertKinds, AlertSeverities, AlertStatuses, type AlertKind, type AlertSeverity, type AlertStatus } from '@tracker/contracts';
import { CursorQuery } from '@tracker/platform';

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

  @ApiPropertyOptional({ enum: AlertStatuses })
  @IsOptional()
  @IsIn(AlertStatuses)
  status?: AlertStatus;

  @ApiPropertyOptional({ enum: AlertSeverities, description: 'this severity or higher' })
  @IsOptional()
  @IsIn(AlertSeverities)
  minSeverity?: AlertSeverity;
}

export class AcknowledgeDto {
  @ApiPropertyOptional({ example: 'Raised with the ministry; follow-up call on Friday' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
