/**
 * After a milestone event is folded into its summary (the `milestone-summaries` projection), records the
 * agreement's derived status (`agreement.status-derived`) when the milestones move it. Redeliveries are
 * harmless: deriving an unchanged status decides nothing. Live only: a replay never appends.
 */
import { Injectable } from '@nestjs/common';
import { deriveImplementationStatus, type EventEnvelope, type MilestoneEventEnvelope } from '@tracker/contracts';
import type { EventReactor } from '@tracker/service-runtime';
import { AgreementsService } from '../agreements/agreements.service';

const SYSTEM_ACTOR = { id: 'agreements-service', role: 'system' } as const;

@Injectable()
export class DeriveStatusReactor implements EventReactor {
  constructor(private readonly agreements: AgreementsService) {}

  async react(envelope: EventEnvelope): Promise<void> {
    if (!envelope.type.startsWith('milestone.')) return;
    const event = envelope as MilestoneEventEnvelope;
    // Derived again even for a redelivery: the first delivery may have stopped between the two writes.
    const milestones = (await this.agreements.readModel.milestonesOf([event.agreementId])).get(event.agreementId) ?? [];
    await this.agreements.deriveStatus(
      event.agreementId,
      {
        kind: 'deriveStatus',
        status: deriveImplementationStatus(milestones),
        causedBy: { eventId: event.eventId, type: event.type, milestoneId: event.data.milestoneId },
        // The status changed when the milestone event happened (business time), however late it was recorded.
        occurredAt: event.occurredAt,
      },
      { actor: SYSTEM_ACTOR, correlationId: event.correlationId, causationId: event.eventId },
    );
  }
}
