/**
 * Consumes `milestones.events`: keeps each milestone's summary and records the agreement's derived status
 * (`agreement.status-derived`) when a milestone moves it. Redeliveries are harmless: a summary only moves
 * forward in stream version, and deriving an unchanged status decides nothing.
 */
import { Injectable } from '@nestjs/common';
import {
  deriveImplementationStatus,
  type EventEnvelope,
  type MilestoneEventEnvelope,
} from '@tracker/contracts';
import type { EventConsumer } from '@tracker/platform';
import { AgreementsService } from '../agreements/agreements.service';

const SYSTEM_ACTOR = { id: 'agreements-service', role: 'system' } as const;

@Injectable()
export class MilestoneProgressHandler implements EventConsumer {
  constructor(private readonly agreements: AgreementsService) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    if (!envelope.type.startsWith('milestone.')) return;
    const event = envelope as MilestoneEventEnvelope;
    const { milestoneId } = event.data;
    const readModel = this.agreements.readModel;

    await readModel.projectMilestoneEvent(event);

    // Derived again even for a redelivery: the first delivery may have stopped between the two writes.
    const milestones = (await readModel.milestonesOf([event.agreementId])).get(event.agreementId) ?? [];
    await this.agreements.deriveStatus(
      event.agreementId,
      {
        kind: 'deriveStatus',
        status: deriveImplementationStatus(milestones),
        causedBy: { eventId: event.eventId, type: event.type, milestoneId },
      },
      { actor: SYSTEM_ACTOR, correlationId: event.correlationId, causationId: event.eventId },
    );
  }
}
