/** What /deliveries answers, for the OpenAPI (DeliveryView): every attempt, never the body sent. */
import { ApiProperty } from '@nestjs/swagger';
import { AlertEventTypes, type AlertEventType } from '@tracker/contracts';
import { CursorPageOf } from '@tracker/platform';
import type { DeliveryAttempt, DeliveryStatus, DeliveryView } from './deliveries.service';

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

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

  @ApiProperty({ format: 'uuid', description: 'the alert event delivered' })
  eventId: string;

  @ApiProperty({ enum: AlertEventTypes })
  eventType: AlertEventType;

  @ApiProperty({ format: 'uuid' })
  alertId: string;

  @ApiProperty({ format: 'uuid' })
  agreementId: string;

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
}

export class DeliveryPage extends CursorPageOf(Delivery) {}
