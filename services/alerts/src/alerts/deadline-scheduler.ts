/**
 * The deadline scheduler: on the platform Clock, it looks at the watched milestones due within the largest
 * approach window (or already past due) and raises what the domain rules say (deadline.approaching for the
 * tightest window reached, deadline.missed after the due date), and at the agreements idle for longer than the
 * stall period (agreement.stalled), raising through the agreement's lifecycle (nothing while it is suspended,
 * nothing once it ended: lifecycle/agreement-lifecycle.ts). Tests call `runOnce()` after moving a TestClock;
 * in production a timer calls it every ALERT_SCAN_INTERVAL_MS. Safe with several instances and with re-runs: the
 * alert id is derived from the dedup key, so a second raise of the same alert finds it (or loses the race on the
 * event store's unique stream version) and creates nothing. One milestone or agreement whose raise fails is logged,
 * counted and left for the next scan, so it cannot keep every other deadline and stall from being raised; three
 * failures in a row end the scan instead (the database or broker is down: the next scan starts over).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { addDays, calendarDateOf, stalledIfActiveBy } from '@tracker/contracts';
import { CLOCK, type Clock } from '@tracker/platform';
import { deadlineAlerts, isWatched, lookAheadDays, stallAlert } from '@tracker/alerts-domain';
import { AlertsConfig } from '../config';
import { AgreementLifecycle } from '../lifecycle/agreement-lifecycle';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { DeadlineStore } from '../read-model/deadlines';
import { AlertsService } from './alerts.service';

export interface ScanResult {
  today: string;
  /** Milestones looked at. */
  checked: number;
  /** Agreements looked at for agreement.stalled. */
  idleAgreements: number;
  /** Alerts this run created (not those that already existed). */
  raised: number;
  /** Milestones and agreements whose raise failed this run (logged; the next scan tries them again). */
  failed: number;
}

/** Consecutive failures that end a scan: not one bad item but an outage. */
export const SCAN_FAILURES_IN_A_ROW = 3;

@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeadlineScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<ScanResult>;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AlertsConfig,
    private readonly deadlines: DeadlineStore,
    private readonly alerts: AlertsService,
    private readonly agreements: AgreementInfoStore,
    private readonly lifecycle: AgreementLifecycle,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.ALERT_SCAN_INTERVAL_MS;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) =>
        this.logger.warn(`deadline scan failed: ${(err as Error).message}`),
      );
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One scan at `now` (default: the clock's now). Concurrent calls in one process share the scan in flight. */
  runOnce(now: Date = this.clock.now()): Promise<ScanResult> {
    if (this.running) return this.running;
    this.running = this.scan(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scan(now: Date): Promise<ScanResult> {
    const policy = this.config.policy();
    const today = calendarDateOf(now);
    const cause = { correlationId: `deadline-scan-${uuidv7()}` };
    let checked = 0;
    let raised = 0;
    let failed = 0;
    let inARow = 0;
    /** Runs one item's raises; a failure is counted and logged, and SCAN_FAILURES_IN_A_ROW of them end the scan. */
    const isolated = async (what: string, raise: () => Promise<void>) => {
      try {
        await raise();
        inARow = 0;
      } catch (err) {
        failed++;
        if (++inARow >= SCAN_FAILURES_IN_A_ROW) throw err;
        this.logger.warn(`deadline scan: ${what} skipped until the next scan: ${(err as Error).message}`);
      }
    };
    for await (const m of this.deadlines.dueBy(addDays(today, lookAheadDays(policy)))) {
      checked++;
      await isolated(`milestone ${m.milestoneId}`, async () => {
        for (const draft of deadlineAlerts(m, today, policy)) {
          // Through the agreement's lifecycle: nothing for a suspended, terminated or expired agreement.
          const raisedNow = await this.lifecycle.raise(draft, cause, now);
          if (!raisedNow?.created) continue;
          const { alert } = raisedNow;
          raised++;
          // The milestone may have been met or cancelled since it was read, and the resolution that closes its
          // alerts may have run before this one existed: look again (write first, read second, as that handler does).
          const latest = await this.deadlines.get(m.milestoneId);
          const outcome =
            latest && !isWatched(latest) ? (latest.status as 'met' | 'partiallyMet' | 'cancelled') : null;
          if (outcome) await this.alerts.resolve(alert._id, outcome, cause);
        }
      });
    }
    // agreement.stalled: agreements idle for the whole period, by the rule the agreements service's status follows.
    let idleAgreements = 0;
    for await (const a of this.agreements.idleSince(stalledIfActiveBy(now, policy.stalledAfterDays))) {
      idleAgreements++;
      const finished =
        a.lifecycle === 'terminated' || a.lifecycle === 'expired' || a.implementation === 'completed';
      const draft =
        a.lastActivityAt &&
        stallAlert({ agreementId: a._id, lastActivityAt: a.lastActivityAt, finished }, today, policy);
      if (draft)
        await isolated(`agreement ${a._id}`, async () => {
          if ((await this.lifecycle.raise(draft, cause, now))?.created) raised++;
        });
    }
    return { today, checked, idleAgreements, raised, failed };
  }
}
