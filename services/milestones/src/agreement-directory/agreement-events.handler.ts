import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import type { EventConsumer } from '@tracker/platform';
import { AgreementDirectory } from './agreement-directory';

/** Consumes `agreements.events` into the agreement directory. */
@Injectable()
export class AgreementEventsHandler implements EventConsumer {
  constructor(private readonly directory: AgreementDirectory) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    if (envelope.type.startsWith('agreement.')) await this.directory.apply(envelope);
  }
}
