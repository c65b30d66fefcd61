/**
 * This service's own `alert.*` events coming back from `alerts.events`: brings an alert document up to its
 * stream when a process stopped between appending the event and writing the document (nothing is lost), then
 * queues a webhook delivery per matching subscription (idempotent: one per subscription and event).
 */
import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import type { EventConsumer } from '@tracker/platform';
import { AlertsService } from './alerts/alerts.service';
import { DeliveriesService } from './deliveries/deliveries.service';

@Injectable()
export class OwnEventsHandler implements EventConsumer {
  constructor(
    private readonly alerts: AlertsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    if (!envelope.type.startsWith('alert.')) return;
    await this.alerts.onOwnEvent(envelope);
    await this.deliveries.enqueue(envelope);
  }
}
