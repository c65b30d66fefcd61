/**
 * The alerts, as each caller sees them. A stakeholder is a recipient: its inbox is the alerts its subscriptions
 * match (the union of their filters), each with its own stand (`mine`: acknowledged, snoozed, done, or open) and
 * the silence of its that holds it back, if any; it acts only on those alerts (others answer 404, as unknown
 * ones do). Monitors, auditors and admins see every alert with every recipient's stand, and no `mine`.
 */
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, type Actor, type AlertDetails } from '@tracker/contracts';
import { ApiKeyRequired, ApiProblem, ApiProblems, ApiStored, ApiUuidParam, CLOCK, CorrelationId, CurrentActor, Roles, type Clock } from '@tracker/platform';
import { matchesSubscription, type AgreementForMatching, type SubscriptionFilters } from '@tracker/alerts-domain';
import { AgreementInfoStore, forMatching, type AgreementReads } from '../read-model/agreement-info';
import { silenceOfAll } from '../silences/silence';
import { SilencesService } from '../silences/silences.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { AlertsService, mineOf, toInboxView, toView, type AlertDoc, type AlertScope, type AlertView, type InboxAlertView } from './alerts.service';
import { AlertPayloads } from './payload';
import { AcknowledgeDto, DEFAULT_MINE, ListAlertsQueryDto, MarkDoneDto, MAX_SNOOZE_DAYS, SnoozeDto, untilWithin } from './dto';
import { Alert, AlertPage } from './responses';

/** A subscription as the inbox needs it: whose, and what it matches. */
interface Owned {
  _id: string;
  owner: string;
  filters: SubscriptionFilters;
}

const NOT_YOURS = 'No such alert, or none of your subscriptions matches it.';
const STAND_PROBLEMS = [404, 413, 415] as const;

/** An alert as answered: the caller's view of it with the details a person needs to act (payload.ts). */
type Shown = (AlertView | InboxAlertView) & AlertDetails;

/** A recipient sees its inbox; the other roles see every alert. */
const isRecipient = (actor: Actor) => actor.role === 'stakeholder';

@ApiTags('alerts')
@ApiKeyRequired()
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly agreements: AgreementInfoStore,
    private readonly silences: SilencesService,
    private readonly payloads: AlertPayloads,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({
    summary:
      'List alerts, newest first (by when the tracker recorded them: `recordedAt`): filters (agreement, milestone, kind, status, minimum severity, or a subscription’s filters), cursor pagination. ' +
      'Stakeholders: your inbox, the alerts any of your subscriptions matches (none without a subscription), each with your stand (`mine`); ' +
      'what you marked done or snoozed until later is hidden unless ?mine= asks for it. Monitors, auditors, admins: every alert, with every recipient’s stand.',
  })
  @ApiOkResponse({ type: AlertPage })
  @ApiProblem(404, 'subscriptionId names no subscription, or someone else’s.')
  async list(@Query() query: ListAlertsQueryDto, @CurrentActor() actor: Actor): Promise<{ items: Shown[]; nextCursor: string | null }> {
    if (!isRecipient(actor)) {
      const scopes = query.subscriptionId ? await this.scopesOf([await this.subscription(query.subscriptionId, actor)]) : undefined;
      const page = await this.alerts.list(query, { ...(scopes && { scopes }) });
      return { items: await this.payloads.withDetails(page.items, page.items.map(toView)), nextCursor: page.nextCursor };
    }
    const owned = query.subscriptionId ? [await this.subscription(query.subscriptionId, actor)] : await this.ownedBy(actor);
    const now = this.clock.now();
    const wanted = new Set(query.mine ?? DEFAULT_MINE);
    const page = await this.alerts.list(query, { scopes: await this.scopesOf(owned), keep: (doc) => wanted.has(mineOf(doc, actor.id, now).state) });
    const reads = this.agreements.reads();
    return { items: await this.payloads.withDetails(page.items, await this.inboxViews(page.items, actor, owned, now, reads), reads), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles('monitor', 'stakeholder', 'auditor')
  @ApiOperation({ summary: 'One alert with the facts that raised it (stakeholders: with your stand; 404 unless one of your subscriptions matches it)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Alert })
  @ApiProblem(404, NOT_YOURS)
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: Actor): Promise<Shown> {
    const doc = await this.alerts.document(id);
    if (!isRecipient(actor)) return this.shown(doc, toView(doc));
    return this.viewFor(actor, doc, await this.matchingOrNotFound(doc, actor));
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Roles('stakeholder')
  @ApiOperation({ summary: 'Acknowledge an alert of your inbox, for yourself (again: unchanged; resolved: 409); the note is shown on the alert' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Alert, description: 'the alert as you see it, acknowledged by you' })
  @ApiStored()
  @ApiProblems(...STAND_PROBLEMS)
  @ApiProblem(404, NOT_YOURS)
  @ApiProblem(409, 'The alert is resolved.')
  acknowledge(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AcknowledgeDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    return this.takeStand(id, actor, () => this.alerts.acknowledge(id, actor, correlationId, dto.note));
  }

  @Post(':id/snooze')
  @HttpCode(200)
  @Roles('stakeholder')
  @ApiOperation({ summary: `Snooze an alert of your inbox: out of your inbox and reminders until \`until\` (at most ${MAX_SNOOZE_DAYS} days ahead); again: until the new time` })
  @ApiUuidParam()
  @ApiOkResponse({ type: Alert, description: 'the alert as you see it, snoozed by you' })
  @ApiStored()
  @ApiProblems(...STAND_PROBLEMS)
  @ApiProblem(400, `The request is invalid (\`errors\` names each field): until not later than now, or more than ${MAX_SNOOZE_DAYS} days ahead.`)
  @ApiProblem(404, NOT_YOURS)
  @ApiProblem(409, 'The alert is resolved, or you marked it done: nothing to snooze.')
  snooze(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SnoozeDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    const now = this.clock.now();
    const until = untilWithin('until', dto.until, now, MAX_SNOOZE_DAYS);
    return this.takeStand(id, actor, () => this.alerts.snooze(id, actor, correlationId, until, now, dto.note), now);
  }

  @Post(':id/done')
  @HttpCode(200)
  @Roles('stakeholder')
  @ApiOperation({ summary: 'Mark an alert of your inbox done: out of your inbox and reminders for good (a resolved one too; again: unchanged)' })
  @ApiUuidParam()
  @ApiOkResponse({ type: Alert, description: 'the alert as you see it, done' })
  @ApiStored()
  @ApiProblems(...STAND_PROBLEMS)
  @ApiProblem(404, NOT_YOURS)
  @ApiProblem(409, 'The transition is refused (the reason says why).')
  markDone(@Param('id', ParseUUIDPipe) id: string, @Body() dto: MarkDoneDto, @CurrentActor() actor: Actor, @CorrelationId() correlationId: string) {
    return this.takeStand(id, actor, () => this.alerts.markDone(id, actor, correlationId, dto.note));
  }

  /** Runs one of the caller's own stands on an alert its subscriptions match (404 otherwise); the alert as it sees it. */
  private async takeStand(id: string, actor: Actor, act: () => Promise<AlertDoc>, now = this.clock.now()): Promise<Shown> {
    // Admins act for themselves too: on the alerts their own subscriptions match.
    const matching = await this.matchingOrNotFound(await this.alerts.document(id), actor);
    const after = await act();
    return isRecipient(actor) ? this.viewFor(actor, after, matching, now) : this.shown(after, toView(after));
  }

  /** The caller's subscriptions that match the alert; 404 when none does (as for an unknown alert). */
  private async matchingOrNotFound(doc: AlertDoc, actor: Actor): Promise<Owned[]> {
    const owned = await this.ownedBy(actor);
    const matching = await this.matching(doc, owned, this.agreements.reads());
    if (matching.length === 0) throw new DomainError('not-found', `alert ${doc._id} not found`);
    return matching;
  }

  private async viewFor(actor: Actor, doc: AlertDoc, owned: Owned[], now = this.clock.now()): Promise<Shown> {
    return this.shown(doc, (await this.inboxViews([doc], actor, owned, now))[0]);
  }

  /** One alert's view with its details. */
  private async shown(doc: AlertDoc, view: AlertView | InboxAlertView): Promise<Shown> {
    return (await this.payloads.withDetails([doc], [view]))[0];
  }

  /** Alerts as `actor` sees them, each marked with the silence of its that holds it back from `owned`, if any. */
  private async inboxViews(docs: AlertDoc[], actor: Actor, owned: Owned[], now: Date, reads = this.agreements.reads()): Promise<InboxAlertView[]> {
    const silences = docs.length ? await this.silences.activeOf(actor.id, now) : [];
    return Promise.all(
      docs.map(async (doc) => {
        const silence = silences.length ? silenceOfAll(silences, await this.matching(doc, owned, reads), doc, now) : null;
        return toInboxView(doc, actor.id, now, silence && { id: silence._id, until: silence.until, comment: silence.comment });
      }),
    );
  }

  /** The subscriptions of `owned` whose filters match the alert (its agreement read, once per `reads`, if a filter needs it). */
  private async matching(doc: AlertDoc, owned: Owned[], reads: AgreementReads): Promise<Owned[]> {
    const needsAgreement = owned.some((s) => s.filters.partyCountries?.length || s.filters.commodities?.length);
    const agreement = needsAgreement ? forMatching(await reads.get(doc.agreementId)) : null;
    return owned.filter((s) => matchesSubscription(s.filters, doc, agreement));
  }

  /** Every subscription the caller owns (a user route: a query on `owner`). */
  private async ownedBy(actor: Actor): Promise<Owned[]> {
    return this.subscriptions.subscriptions.find({ owner: actor.id }, { projection: { _id: 1, owner: 1, filters: 1 } }).toArray();
  }

  /** A subscription the caller may see (404 otherwise). */
  private async subscription(id: string, actor: Actor): Promise<Owned> {
    const s = await this.subscriptions.get(id, actor);
    return { _id: s.id, owner: s.owner, filters: s.filters };
  }

  /**
   * Subscriptions' filters as queries, one scope each (their union is the inbox); countries and commodities
   * become the ids of the agreements they match (the agreements read once, only if a filter needs them).
   */
  private async scopesOf(owned: Owned[]): Promise<AlertScope[]> {
    let known: Promise<Array<{ _id: string } & AgreementForMatching>> | undefined;
    const agreements = () =>
      (known ??= this.agreements.entries
        .find({}, { projection: { _id: 1, partyCountries: 1, commodities: 1 } })
        .toArray()
        .then((all) => all.map((a) => ({ _id: a._id, partyCountries: a.partyCountries ?? [], commodities: a.commodities ?? [] }))));
    return Promise.all(
      owned.map(async ({ filters: f }) => {
        let agreementIds = f.agreementIds?.length ? [...f.agreementIds] : undefined;
        if (f.partyCountries?.length || f.commodities?.length) {
          const matching = (await agreements())
            .filter((a) =>
              matchesSubscription(
                { partyCountries: f.partyCountries, commodities: f.commodities },
                { kind: 'deadline.missed', severity: 'critical', agreementId: a._id, milestoneType: null },
                a,
              ),
            )
            .map((a) => a._id);
          agreementIds = agreementIds ? agreementIds.filter((id) => matching.includes(id)) : matching;
        }
        return {
          ...(agreementIds && { agreementIds }),
          ...(f.kinds?.length && { kinds: f.kinds }),
          ...(f.milestoneTypes?.length && { milestoneTypes: f.milestoneTypes }),
          ...(f.minSeverity && { minSeverity: f.minSeverity }),
        };
      }),
    );
  }
}
