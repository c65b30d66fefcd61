/**
 * Consumes `agreements.events`, `milestones.events` and `alerts.events` into the agreement journal. Its own
 * consumer group, so a slow journal never holds back the status derivation or the agreement list.
 */
import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import { type EventConsumer } from '@tracker/platform';
import { ReadModels } from '@tracker/service-runtime';
import { agreementJournalProjection } from './agreement-journal';

/** The same code as the replay's: one way to tell an event's source (its type's prefix) and record it. */
@Injectable()
export class AgreementJournalHandler implements EventConsumer {
  constructor(private readonly readModels: ReadModels) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    await agreementJournalProjection.apply(this.readModels, envelope);
  }
}
