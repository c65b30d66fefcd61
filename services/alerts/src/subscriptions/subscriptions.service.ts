/**
 * Stakeholders' subscriptions: filters and a channel (the inbox, or a webhook with its signing secret). A
 * stakeholder sees and deletes only its own (someone else's answers 404, as if it did not exist); auditors read
 * all, admins manage all. The secret is kept for signing and never returned.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Collection, Connection, mongo } from 'mongoose';
import { DomainError, type Actor, type AlertChannel } from '@tracker/contracts';
import { CLOCK, Cursor, derivedFromKey, markReplayed, newResourceId, OutboundPolicy, OutboundRefused, type Clock } from '@tracker/platform';
import { MONGO_CONNECTION } from '@tracker/service-runtime';
import { isDuplicateKey } from '@tracker/mongo';
import { unmatchableFilters, type Grouping, type Repeat, type SubscriptionFilters } from '@tracker/alerts-domain';
import type { CreateSubscriptionDto, ListSubscriptionsQuery } from './dto';
import { mayRead, readableBy, SEE_ALL_SUBSCRIPTIONS } from '../owned';

export interface SubscriptionDoc {
  _id: string;
  owner: string;
  name?: string;
  filters: SubscriptionFilters;
  channel: { type: AlertChannel; url?: string; secret?: string };
  /** Webhook only: alerts gathered per group into fewer webhooks (absent: one webhook per alert event, at once). */
  grouping?: Grouping;
  /** Webhook only: reminders of alerts still open that the owner has not acted on. */
  repeat?: Repeat;
  /** A daily digest at `hour` in `timeZone` (IANA); sent by the digest, shown in the inbox for an inbox channel. */
  digest?: SubscriptionDigest;
  createdAt: string;
}

export interface SubscriptionDigest {
  hour: number;
  timeZone: string;
}

export interface SubscriptionView {
  id: string;
  owner: string;
  name?: string;
  filters: SubscriptionFilters;
  channel: { type: AlertChannel; url?: string; hasSecret?: boolean };
  grouping?: Grouping;
  repeat?: Repeat;
  digest?: SubscriptionDigest;
  createdAt: string;
}


@Injectable()
export class SubscriptionsService implements OnModuleInit {
  readonly subscriptions: Collection<SubscriptionDoc>;

  constructor(
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly outbound: OutboundPolicy,
  ) {
    this.subscriptions = connection.collection<SubscriptionDoc>('subscriptions');
  }

  async onModuleInit(): Promise<void> {
    await this.subscriptions.createIndex({ owner: 1, _id: 1 });
  }

  async create(dto: CreateSubscriptionDto, actor: Actor): Promise<SubscriptionView> {
    const { channel } = dto;
    if (channel.type === 'inbox' && (channel.url !== undefined || channel.secret !== undefined)) {
      throw new DomainError('invalid', 'an inbox channel takes no url or secret', 'channel');
    }
    // Grouping and reminders shape webhooks; the inbox shows every alert as it comes.
    for (const field of ['grouping', 'repeat'] as const) {
      if (channel.type === 'inbox' && dto[field] !== undefined) throw new DomainError('invalid', `${field} is for webhook channels only`, field);
    }
    if (channel.type === 'webhook') {
      // Checked here and again at each delivery (the name may resolve elsewhere by then).
      try {
        await this.outbound.check(channel.url!);
      } catch (err) {
        if (!(err instanceof OutboundRefused)) throw err;
        throw new DomainError('invalid', `channel.url ${err.message}`, 'channel.url');
      }
    }
    const f = dto.filters ?? {};
    const filters: SubscriptionFilters = {
      ...(f.agreementIds?.length && { agreementIds: [...new Set(f.agreementIds)] }),
      ...(f.partyCountries?.length && { partyCountries: [...new Set(f.partyCountries.map((c) => c.toUpperCase()))] }),
      ...(f.commodities?.length && { commodities: [...new Set(f.commodities)] }),
      ...(f.milestoneTypes?.length && { milestoneTypes: [...new Set(f.milestoneTypes)] }),
      ...(f.kinds?.length && { kinds: [...new Set(f.kinds)] }),
      ...(f.minSeverity && { minSeverity: f.minSeverity }),
    };
    const unmatchable = unmatchableFilters(filters);
    if (unmatchable) throw new DomainError('invalid', unmatchable.message, unmatchable.field);
    const doc: SubscriptionDoc = {
      // Derived from an Idempotency-Key when given: a retry after a crash finds this subscription.
      _id: newResourceId('subscription'),
      owner: actor.id,
      ...(dto.name !== undefined && { name: dto.name }),
      filters,
      channel: channel.type === 'webhook' ? { type: 'webhook', url: channel.url!, secret: channel.secret! } : { type: 'inbox' },
      ...(dto.grouping && {
        grouping: {
          groupBy: [...new Set(dto.grouping.groupBy)],
          groupWaitSeconds: dto.grouping.groupWaitSeconds,
          groupIntervalSeconds: dto.grouping.groupIntervalSeconds,
        },
      }),
      ...(dto.repeat && { repeat: { intervalHours: dto.repeat.intervalHours, maxReminders: dto.repeat.maxReminders } }),
      ...(dto.digest && { digest: { hour: dto.digest.hour, timeZone: dto.digest.timeZone } }),
      createdAt: this.clock.now().toISOString(),
    };
    try {
      await this.subscriptions.insertOne(doc);
    } catch (err) {
      const earlier = isDuplicateKey(err) && derivedFromKey(doc._id) ? await this.subscriptions.findOne({ _id: doc._id }) : null;
      if (!earlier) throw err;
      markReplayed(); // an earlier attempt of this keyed request created it
      return toView(earlier);
    }
    return toView(doc);
  }

  private async visible(id: string, actor: Actor): Promise<SubscriptionDoc> {
    const doc = await this.subscriptions.findOne({ _id: id });
    if (!doc || !mayRead(actor, doc.owner, SEE_ALL_SUBSCRIPTIONS)) throw new DomainError('not-found', `subscription ${id} not found`);
    return doc;
  }

  /** The filters of a subscription the actor may see (404 otherwise). */
  async filtersOf(id: string, actor: Actor): Promise<SubscriptionFilters> {
    return (await this.visible(id, actor)).filters;
  }

  async get(id: string, actor: Actor): Promise<SubscriptionView> {
    return toView(await this.visible(id, actor));
  }

  async list(query: ListSubscriptionsQuery, actor: Actor): Promise<{ items: SubscriptionView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter: mongo.Filter<SubscriptionDoc> = readableBy(actor, SEE_ALL_SUBSCRIPTIONS);
    if (query.cursor) filter._id = { $gt: Cursor.decode(query.cursor) };
    const docs = await this.subscriptions.find(filter).sort({ _id: 1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return { items: page.map(toView), nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!._id) : null };
  }

  /** Deletes one's own subscription (admins: any). */
  async delete(id: string, actor: Actor): Promise<void> {
    const doc = await this.visible(id, actor);
    if (actor.role !== 'admin' && doc.owner !== actor.id) throw new DomainError('not-found', `subscription ${id} not found`);
    await this.subscriptions.deleteOne({ _id: id });
  }

  /** Every subscription (small collection: stakeholders × a few each). */
  all(): Promise<SubscriptionDoc[]> {
    return this.subscriptions.find({}).toArray();
  }
}

function toView(doc: SubscriptionDoc): SubscriptionView {
  return {
    id: doc._id,
    owner: doc.owner,
    ...(doc.name !== undefined && { name: doc.name }),
    filters: doc.filters,
    channel: doc.channel.type === 'webhook' ? { type: 'webhook', url: doc.channel.url, hasSecret: !!doc.channel.secret } : { type: 'inbox' },
    ...(doc.grouping && { grouping: doc.grouping }),
    ...(doc.repeat && { repeat: doc.repeat }),
    ...(doc.digest && { digest: doc.digest }),
    createdAt: doc.createdAt,
  };
}
