/**
 * After a milestone event is folded into its summary (the `milestone-summaries` projection), records the
 * agreement's derived status (`agreement.status-derived`) when the milestones move it. Redeliveries are
 * harmless: deriving an unchanged status decides nothing. Live only: a replay never appends. A backlog folded at
 * once (applyMany) is derived event by event all the same, from the lists as they stood after each, so the
 * recorded statuses and their business times do not depend on how the events were batched.
 */
import { Injectable } from '@nestjs/common';
import { deriveImplementationStatus, type EventEnvelope, type MilestoneEventEnvelope, type MilestoneSummary } from '@tracker/contracts';
import type { ConsumerContext } from '@tracker/messaging';
import type { EventReactor, Projected } from '@tracker/service-runtime';
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
    await this.derive(event, milestones);
  }

  /** After the summaries folded a run of events: each event derives from its agreement's milestones as they stood then. */
  async reactMany(envelopes: readonly EventEnvelope[], _ctx: ConsumerContext, projected: Projected): Promise<void> {
    for (const envelope of envelopes) {
      const milestones = projected.get(envelope.eventId) as MilestoneSummary[] | undefined;
      if (envelope.type.startsWith('milestone.') && milestones) await this.derive(envelope as MilestoneEventEnvelope, milestones);
    }
  }

  private async derive(event: MilestoneEventEnvelope, milestones: MilestoneSummary[]): Promise<void> {
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
