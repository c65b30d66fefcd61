/**
 * This service's own events coming back from `milestones.events`: brings the milestone list up to the event
 * store when a process stopped between appending an event and writing the list (nothing is lost on a crash).
 */
import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@tracker/contracts';
import type { EventConsumer } from '@tracker/platform';
import { MilestonesService } from './milestones/milestones.service';

@Injectable()
export class OwnEventsHandler implements EventConsumer {
  constructor(private readonly milestones: MilestonesService) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    const { milestoneId } = envelope.data as { milestoneId: string };
    await this.milestones.refresh(milestoneId, envelope.streamVersion);
  }
}
