/**
 * Consumes `agreements.events`, `milestones.events` and `alerts.events` into the agreement journal. Its own
 * consumer group, so a slow journal never holds back the status derivation or the agreement list.
 */
import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import { ReadModels, type EventConsumer } from '@tracker/platform';
import type { ConsumerContext } from '@tracker/messaging';
import { AgreementJournal, sourceOfTopic, sourceOfType } from './agreement-journal';

@Injectable()
export class AgreementJournalHandler implements EventConsumer {
  private readonly journal: AgreementJournal;

  constructor(readModels: ReadModels) {
    this.journal = new AgreementJournal(readModels);
  }

  async handle(envelope: EventEnvelope, ctx: ConsumerContext): Promise<void> {
    const source = sourceOfTopic(ctx.topic) ?? sourceOfType(envelope.type);
    if (source) await this.journal.record(envelope, source);
  }
}
