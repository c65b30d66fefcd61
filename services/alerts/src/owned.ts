/**
 * Records a stakeholder owns (subscriptions, deliveries, silences, digests): the owner sees its own, some roles
 * see all, and anyone else gets the same 404 as for a record that does not exist. One rule, four collections.
 */
import type { Actor } from '@tracker/contracts';

/** Subscriptions and their deliveries hold webhook URLs: auditors and admins read them all, monitors do not. */
export const SEE_ALL_SUBSCRIPTIONS: ReadonlySet<string> = new Set(['admin', 'auditor']);
/** Silences and digests say what is held back or summed up: monitors read them too. */
export const SEE_ALL_NOTICES: ReadonlySet<string> = new Set(['monitor', 'auditor', 'admin']);

/** Whether `actor` may see a record owned by `owner`. */
export function mayRead(actor: Actor, owner: string, seesAll: ReadonlySet<string>): boolean {
  return seesAll.has(actor.role) || owner === actor.id;
}

/** The query filter of the records `actor` may list. */
export function readableBy(actor: Actor, seesAll: ReadonlySet<string>): { owner?: string } {
  return seesAll.has(actor.role) ? {} : { owner: actor.id };
}
