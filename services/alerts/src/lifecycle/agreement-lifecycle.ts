/**
 * What an agreement's lifecycle does to its alerts (the rules: domain/lifecycle.ts). Two halves:
 *
 * - `AgreementLifecycle.raise`, which the scheduler and the milestone reactor raise through: nothing is raised
 *   for a suspended (but the outcome notice), terminated or expired agreement.
 * - `AgreementLifecycle.apply`, which `AgreementLifecycleReactor` (lifecycle.reactor.ts) runs after the
 *   `agreement-info` projection (so it reads the lifecycle the event left): on a suspension, resumption,
 *   termination or expiry it inhibits, releases or closes the agreement's open alerts; on activity (the shared
 *   rule, activityTime in libs/contracts) it closes an open agreement.stalled (activityResumed).
 *
 * Both read before they act and act on state, not on the event, so redeliveries decide nothing new. The race
 * between them is closed the way the scan and the resolutions close theirs: the reactor writes the lifecycle
 * (the projection) and then lists the open alerts; a raiser writes its alert (listed first, see AlertDocuments)
 * and then reads the lifecycle again. Whichever comes second sees the other's write, so an alert raised while
 * the agreement was being suspended or ended is inhibited or closed by its raiser.
 */
import { Injectable } from '@nestjs/common';
import type { MilestoneStatus } from '@tracker/contracts';
import { changesNothing, lifecycleDecision, mayRaise, noChange, type AgreementChange, type AlertDraft, type LifecycleAlert, type LifecycleDecision } from '@tracker/alerts-domain';
import { AlertsService, type AlertDoc, type Cause } from '../alerts/alerts.service';
import { AgreementInfoStore, type AgreementInfo } from '../read-model/agreement-info';

/** A milestone's deadline as the service knows it (the deadlines read model; not imported here: it raises through this). */
export type DeadlineOf = (milestoneId: string) => Promise<{ status?: MilestoneStatus; dueDate?: string } | null>;

const isOpen = (doc: Pick<AlertDoc, 'status'>) => doc.status === 'open' || doc.status === 'acknowledged';

@Injectable()
export class AgreementLifecycle {
  constructor(
    private readonly agreements: AgreementInfoStore,
    private readonly alerts: AlertsService,
  ) {}

  /**
   * Raises `draft` unless its agreement's lifecycle holds it back (then null). An alert this call created is then
   * brought in line with the agreement as it stands after the write (see above).
   */
  async raise(draft: AlertDraft, cause: Cause, occurredAt?: Date): Promise<{ alert: AlertDoc; created: boolean } | null> {
    if (!mayRaise((await this.agreements.get(draft.agreementId))?.lifecycle, draft.kind)) return null;
    const raised = await this.alerts.raise(draft, cause, occurredAt);
    if (!raised.created) return raised;
    return { alert: await this.settle(raised.alert, cause), created: true };
  }

  /**
   * Carries out on the agreement's open alerts what `change` decides; returns the decision. `deadlineOf`: where a
   * resumption finds the milestones of held-back deadline alerts (whether they still hold).
   */
  async apply(agreementId: string, change: AgreementChange, cause: Cause, deadlineOf?: DeadlineOf): Promise<LifecycleDecision> {
    const open = await this.alerts.openAlertsOfAgreement(agreementId);
    const resuming = change.kind === 'lifecycle' && change.lifecycle === 'active';
    const decision = lifecycleDecision(change, await Promise.all(open.map((doc) => this.lifecycleAlert(doc, resuming ? deadlineOf : undefined))));
    await this.carryOut(decision, cause);
    return decision;
  }

  /**
   * One new alert against its agreement as it stands now: inhibited or closed if the agreement was suspended or
   * ended meanwhile, closed if its stall is over, released if a resumption came in between (a few rounds, until
   * nothing changes).
   */
  private async settle(alert: AlertDoc, cause: Cause): Promise<AlertDoc> {
    let doc = alert;
    for (let round = 0; round < 3 && isOpen(doc); round++) {
      const info = await this.agreements.get(doc.agreementId);
      const decision = this.settling(doc, info, await this.lifecycleAlert(doc));
      if (changesNothing(decision)) break;
      doc = (await this.carryOut(decision, cause)).get(doc._id) ?? doc;
    }
    return doc;
  }

  private settling(doc: AlertDoc, info: AgreementInfo | null, alert: LifecycleAlert): LifecycleDecision {
    const lifecycle = info?.lifecycle;
    const stands = lifecycle === undefined || (mayRaise(lifecycle, doc.kind) && !doc.inhibited);
    const byLifecycle = stands ? null : lifecycleDecision({ kind: 'lifecycle', lifecycle }, [alert]);
    if (byLifecycle && !changesNothing(byLifecycle)) return byLifecycle;
    // A stall raised on a last activity older than the agreement's now: activity came in between.
    return info?.lastActivityAt ? lifecycleDecision({ kind: 'activity', at: info.lastActivityAt }, [alert]) : noChange();
  }

  /** The alert as the rules see it; with its milestone's deadline, given where to look (held-back alerts only). */
  private async lifecycleAlert(doc: AlertDoc, deadlineOf?: DeadlineOf): Promise<LifecycleAlert> {
    const facts = doc.facts as { lastActivityAt?: string };
    const alert: LifecycleAlert = {
      alertId: doc._id,
      kind: doc.kind,
      dueDate: doc.dueDate,
      inhibited: doc.inhibited !== undefined,
      ...(doc.kind === 'agreement.stalled' && facts.lastActivityAt && { lastActivityAt: facts.lastActivityAt }),
    };
    if (!deadlineOf || !doc.inhibited || typeof doc.milestoneId !== 'string') return alert;
    const m = await deadlineOf(doc.milestoneId);
    return { ...alert, milestone: m && typeof m.status === 'string' && typeof m.dueDate === 'string' ? { status: m.status, dueDate: m.dueDate } : null };
  }

  /** Inhibits, releases and closes as decided, one alert at a time; the documents after, by id. */
  private async carryOut(decision: LifecycleDecision, cause: Cause): Promise<Map<string, AlertDoc>> {
    const after = new Map<string, AlertDoc>();
    for (const id of decision.inhibit) after.set(id, await this.alerts.inhibit(id, 'agreementSuspended', cause));
    for (const id of decision.release) after.set(id, await this.alerts.release(id, cause));
    for (const c of decision.close) after.set(c.alertId, await this.alerts.resolve(c.alertId, c.resolution, cause));
    return after;
  }
}
