/** What /digests answers, for the OpenAPI: each class implements the type the code returns (DigestView). */
import { ApiProperty } from '@nestjs/swagger';
import { AlertChannels, AlertSeverities, type AlertChannel, type AlertSeverity } from '@tracker/contracts';
import type { DigestAgreementGroup } from '@tracker/alerts-domain';
import { CursorPageOf } from '@tracker/platform';
import { AlertPayloadDto } from '../alerts/payload';
import type { DigestView } from './digests.service';

export class DigestAgreement {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'UZ-TR-2026-CRM-01' })
  reference: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Critical raw materials partnership' })
  title: string | null;
}

export class DigestSeverityGroup {
  @ApiProperty({ enum: AlertSeverities })
  severity: AlertSeverity;

  @ApiProperty({ type: [AlertPayloadDto], description: 'oldest first' })
  alerts: AlertPayloadDto[];
}

export class DigestAgreementGroupDto implements DigestAgreementGroup<AlertPayloadDto> {
  @ApiProperty({ type: DigestAgreement })
  agreement: DigestAgreement;

  @ApiProperty({ type: 'integer', minimum: 1 })
  count: number;

  @ApiProperty({ type: [DigestSeverityGroup], description: 'most severe first; only severities with alerts' })
  severities: DigestSeverityGroup[];
}

export class DigestOpenAlerts {
  @ApiProperty({ type: 'integer', minimum: 0 })
  count: number;

  @ApiProperty({ type: [DigestAgreementGroupDto], description: 'the agreement with the most severe alert first, then the most alerts' })
  agreements: DigestAgreementGroupDto[];
}

export class DigestChanges {
  @ApiProperty({ type: [AlertPayloadDto], description: 'raised since the last digest' })
  raised: AlertPayloadDto[];

  @ApiProperty({ type: [AlertPayloadDto], description: 'resolved since the last digest' })
  resolved: AlertPayloadDto[];

  @ApiProperty({ type: [AlertPayloadDto], description: 'acknowledged by the subscription’s owner since the last digest' })
  acknowledged: AlertPayloadDto[];
}

export class Digest implements DigestView {
  @ApiProperty({ format: 'uuid', description: 'UUID v5 of subscription and local date: one digest per day' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  subscriptionId: string;

  @ApiProperty({ example: 'dev-stakeholder', description: 'the subscription’s owner' })
  owner: string;

  @ApiProperty({ format: 'date', example: '2026-12-02', description: 'the local date (in timeZone) it is the digest of' })
  localDate: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 23, example: 8 })
  hour: number;

  @ApiProperty({ example: 'Europe/Istanbul' })
  timeZone: string;

  @ApiProperty({ enum: AlertChannels, description: 'webhook: also sent to the subscription’s webhook' })
  channel: AlertChannel;

  @ApiProperty({ format: 'date-time', description: 'the digest time (hour in timeZone)' })
  at: string;

  @ApiProperty({ format: 'date-time', description: 'changes count from here: the last digest, or the subscription’s creation' })
  since: string;

  @ApiProperty({ type: DigestOpenAlerts, description: 'open and acknowledged alerts, by agreement and severity' })
  open: DigestOpenAlerts;

  @ApiProperty({ type: DigestChanges })
  changes: DigestChanges;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'webhook: when it was handed to the deliveries' })
  queuedAt?: string;
}

export class DigestPage extends CursorPageOf(Digest) {}
