/**
 * The agreement's lifecycle, live: runs AgreementLifecycle.apply (agreement-lifecycle.ts) after `agreement-info`
 * applied an event of `agreements.events` or `milestones.events` (that consumer reads both).
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { activityTime, type EventEnvelope, type LifecycleStatus } from '@tracker/contracts';
import type { ConsumerContext } from '@tracker/messaging';
import { addToSortedList } from '@tracker/mongo';
import { ReadModels, type CollectionSource, type EventReactor } from '@tracker/service-runtime';
import { AlertsService, type Cause } from '../alerts/alerts.service';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { DeadlineStore } from '../read-model/deadlines';
import { AgreementLifecycle } from './agreement-lifecycle';

/** Agreement events that move its lifecycle. */
const LIFECYCLE_EVENTS = new Set(['agreement.suspended', 'agreement.resumed', 'agreement.terminated', 'agreement.expired']);

/**
 * After `agreement-info` applied an event of `agreements.events` or `milestones.events` (that consumer reads
 * both): a lifecycle event settles the agreement's open alerts, activity (the shared rule) ends its stall. Live only
 * (reactors never run in a replay): a rebuild inhibits, releases and closes nothing again.
 */
@Injectable()
export class AgreementLifecycleReactor implements EventReactor, OnModuleInit {
  private readonly logger = new Logger('AgreementLifecycle');

  constructor(
    private readonly lifecycle: AgreementLifecycle,
    private readonly agreements: AgreementInfoStore,
    private readonly alerts: AlertsService,
    private readonly deadlines: DeadlineStore,
    @Inject(ReadModels) private readonly readModels: CollectionSource,
  ) {}

  /**
   * `agreement_alerts` lists each agreement's open alerts from the release that added it on; the alerts raised
   * before it are listed here, once: one query, only when the list is empty and alerts exist.
   */
  async onModuleInit(): Promise<void> {
    const lists = this.readModels.collection<{ _id: string; alertIds: string[] }>('agreement_alerts');
    if (await lists.findOne({}, { projection: { _id: 1 } })) return;
    if (!(await this.alerts.alerts.findOne({}, { projection: { _id: 1 } }))) return;
    let listed = 0;
    const open = this.alerts.alerts.find({ status: { $in: ['open', 'acknowledged'] } }, { projection: { _id: 1, agreementId: 1 } });
    for await (const a of open) {
      await addToSortedList(lists, a.agreementId, 'alertIds', a._id);
      listed++;
    }
    if (listed > 0) this.logger.log(`listed ${listed} open alerts raised before agreement_alerts by their agreements`);
  }

  async react(envelope: EventEnvelope, ctx: ConsumerContext): Promise<void> {
    const cause: Cause = { correlationId: ctx.correlationId, causationId: envelope.eventId };
    // Planning, or a correction that moves no time, is never activity: nothing to look up.
    const lifecycleEvent = LIFECYCLE_EVENTS.has(envelope.type);
    if (!lifecycleEvent && activityTime(envelope, true) === null) return;
    // The agreement as the projection left it (a redelivered older event finds the newer state: nothing to do).
    const info = await this.agreements.get(envelope.agreementId);
    const lifecycle: LifecycleStatus | undefined = info?.lifecycle;
    if (lifecycleEvent && lifecycle) await this.lifecycle.apply(envelope.agreementId, { kind: 'lifecycle', lifecycle }, cause, (id) => this.deadlines.get(id));
    // Its last activity as it stands (whether this event moved it is the projection's: activityTime), not the event's.
    if (info?.lastActivityAt) await this.lifecycle.apply(envelope.agreementId, { kind: 'activity', at: info.lastActivityAt }, cause);
  }
}
