/** What /deliveries answers, for the OpenAPI (DeliveryView): every attempt, never the body sent. */
import { ApiProperty } from '@nestjs/swagger';
import { AlertEventTypes, type AlertEventType } from '@tracker/contracts';
import { CursorPageOf } from '@tracker/platform';
import { DeliveryKinds, type DeliveryAttempt, type DeliveryKind, type DeliveryStatus, type DeliveryView } from './deliveries.service';

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed', 'silenced'];

export class DeliveryAttemptDto implements DeliveryAttempt {
  @ApiProperty({ type: 'integer', minimum: 1 })
  n: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'the receiver’s HTTP status; null without an answer (refused, timeout)' })
  status: number | null;

  @ApiProperty({ required: false, example: 'failed', description: 'refused by policy, or failed (no internal detail)' })
  error?: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  durationMs: number;
}

export class Delivery implements DeliveryView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  subscriptionId: string;

  @ApiProperty({ example: 'dev-stakeholder' })
  owner: string;

  @ApiProperty({
    enum: DeliveryKinds,
    description: 'alert: one alert event; alerts: a group’s batch (subscription `grouping`); reminder: an alert still open, again (`repeat`); digest: the daily digest',
  })
  kind: DeliveryKind;

  @ApiProperty({ required: false, format: 'uuid', description: 'kind alert: the alert event delivered' })
  eventId?: string;

  @ApiProperty({ required: false, enum: AlertEventTypes, description: 'kind alert' })
  eventType?: AlertEventType;

  @ApiProperty({ required: false, format: 'uuid', description: 'kind alert and reminder' })
  alertId?: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'kind alert and reminder' })
  agreementId?: string;

  @ApiProperty({ required: false, type: 'array', items: { type: 'string', format: 'uuid' }, description: 'every alert carried (kind alerts: the batch)' })
  alertIds?: string[];

  @ApiProperty({ required: false, type: 'integer', minimum: 1, description: 'kind reminder: its number' })
  reminder?: number;

  @ApiProperty({ required: false, format: 'uuid', description: 'kind digest: the digest’s message id' })
  messageId?: string;

  @ApiProperty({ format: 'uri', example: 'https://hooks.example.org/tracker' })
  url: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ type: [DeliveryAttemptDto] })
  attempts: DeliveryAttemptDto[];

  @ApiProperty({ type: 'integer', minimum: 0 })
  attemptCount: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null once delivered or given up' })
  nextAttemptAt: string | null;

  @ApiProperty({ format: 'date-time', description: 'retries stop a while after this (a re-drive restarts it)' })
  since: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ required: false, format: 'date-time' })
  deliveredAt?: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'status silenced: the silence that covered it (never sent)' })
  silencedBy?: string;
}

export class DeliveryPage extends CursorPageOf(Delivery) {}
