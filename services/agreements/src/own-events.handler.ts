/**
 * This service's own events coming back from `agreements.events`: brings the agreement list up to the event
 * store when a process stopped between appending an event and writing the list (nothing is lost on a crash).
 */
import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import type { EventConsumer } from '@tracker/platform';
import { AgreementsService } from './agreements/agreements.service';

@Injectable()
export class OwnEventsHandler implements EventConsumer {
  constructor(private readonly agreements: AgreementsService) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    await this.agreements.refresh(envelope.agreementId, envelope.streamVersion);
  }
}
