/**
 * Forms to requests, and the API's field messages back to the fields: pure, so the mapping is tested without a
 * browser. Empty inputs are left out (the API's defaults apply); lists are one entry per line.
 */
import type { AgreementKind, DatePrecision, MilestoneType } from '@tracker/contracts';

/** Field path (as the API names it, e.g. `parties.0.country`) → its messages. */
export type FieldErrors = Record<string, string[]>;

export function fieldErrorsOf(errors: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!Array.isArray(errors)) return out;
  for (const e of errors) {
    if (!e || typeof e !== 'object') continue;
    const { field, message } = e as { field?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const key = typeof field === 'string' && field ? field : '';
    const messages = (out[key] ??= []);
    if (!messages.includes(message)) messages.push(message);
  }
  return out;
}

/** The messages for a form field: its own and those of anything inside it (`parties` gets `parties.0.name`). */
export function messagesFor(errors: FieldErrors, field: string): string[] {
  return Object.entries(errors)
    .filter(([k]) => k === field || k.startsWith(`${field}.`) || k.startsWith(`${field}[`))
    .flatMap(([, m]) => m);
}

/** Messages no field of the form shows (so the form lists them at the top rather than dropping them). */
export function unplacedMessages(errors: FieldErrors, fields: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([k]) => !fields.some((f) => k === f || k.startsWith(`${f}.`) || k.startsWith(`${f}[`)))
    .flatMap(([k, m]) => m.map((msg) => (k ? `${k}: ${msg}` : msg)));
}

const trimmed = (s: string | undefined) => (s ?? '').trim();
const lines = (s: string | undefined) =>
  trimmed(s)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const optional = <K extends string>(key: K, value: string | undefined) =>
  (trimmed(value) ? { [key]: trimmed(value) } : {}) as Partial<Record<K, string>>;

/** When it happened in the world (the business time), if the user said; else the API records "now". */
const happened = (occurredOn: string | undefined) => optional('occurredAt', occurredOn);

/** `https://example.org/report Official report` → `{url, title}`: the first word is the link, the rest its title. */
export function evidenceOf(text: string | undefined): { url: string; title?: string }[] {
  return lines(text).map((line) => {
    const [url, ...rest] = line.split(/\s+/);
    const title = rest.join(' ').trim();
    return title ? { url, title } : { url };
  });
}

export interface PartyRow {
  country: string;
  name: string;
}

export interface RegisterAgreementForm {
  reference: string;
  title: string;
  kind: AgreementKind | '';
  parties: PartyRow[];
  signedOn: string;
  datePrecision: DatePrecision;
  place: string;
  context: string;
  commodities: string[];
  objectives: string;
  /** One per line: `title | url | publisher | published`. */
  sources: string;
}

/** A new registration form: two parties (most agreements are bilateral), the signing day. */
export const emptyRegisterForm: RegisterAgreementForm = {
  reference: '',
  title: '',
  kind: '',
  parties: [
    { country: '', name: '' },
    { country: '', name: '' },
  ],
  signedOn: '',
  datePrecision: 'day',
  place: '',
  context: '',
  commodities: [],
  objectives: '',
  sources: '',
};

export function registerAgreementRequest(f: RegisterAgreementForm) {
  return {
    reference: trimmed(f.reference).toUpperCase(),
    title: trimmed(f.title),
    kind: f.kind,
    parties: f.parties
      .filter((p) => trimmed(p.country) || trimmed(p.name))
      .map((p) => ({ ...optional('country', p.country.toUpperCase()), name: trimmed(p.name) })),
    datePrecision: f.datePrecision,
    // Unknown precision: no date. Month or year: what the user typed (2026-01, 2026).
    signedOn: f.datePrecision === 'unknown' ? null : trimmed(f.signedOn) || null,
    ...optional('place', f.place),
    ...optional('context', f.context),
    ...(f.commodities.length ? { commodities: [...f.commodities] } : {}),
    ...(lines(f.objectives).length ? { objectives: lines(f.objectives) } : {}),
    ...(lines(f.sources).length
      ? {
          sources: lines(f.sources).map((line) => {
            const [title, url, publisher, published] = line.split('|').map((p) => p.trim());
            return {
              title,
              ...optional('url', url),
              ...optional('publisher', publisher),
              ...optional('published', published),
            };
          }),
        }
      : {}),
  };
}

export interface PlanMilestoneForm {
  type: MilestoneType | '';
  title: string;
  description: string;
  responsibleParty: string;
  dueDate: string;
  occurredOn: string;
}

export function planMilestoneRequest(agreementId: string, f: PlanMilestoneForm) {
  return {
    agreementId,
    type: f.type,
    title: trimmed(f.title),
    dueDate: trimmed(f.dueDate),
    ...optional('description', f.description),
    ...optional('responsibleParty', f.responsibleParty),
    ...happened(f.occurredOn),
  };
}

/** The milestone changes a monitor makes, each with the fields its form has. */
export type MilestoneAction =
  'start' | 'progress' | 'reschedule' | 'met' | 'partially-met' | 'not-met' | 'cancel';

export interface MilestoneActionForm {
  occurredOn: string;
  percent: string;
  note: string;
  newDueDate: string;
  reason: string;
  metOn: string;
  evidence: string;
}

export const emptyActionForm: MilestoneActionForm = {
  occurredOn: '',
  percent: '',
  note: '',
  newDueDate: '',
  reason: '',
  metOn: '',
  evidence: '',
};

/** The form fields each action shows (and sends). */
export const actionFields: Record<MilestoneAction, (keyof MilestoneActionForm)[]> = {
  start: ['occurredOn'],
  progress: ['percent', 'note', 'evidence', 'occurredOn'],
  reschedule: ['newDueDate', 'reason', 'occurredOn'],
  met: ['metOn', 'evidence', 'note'],
  'partially-met': ['metOn', 'evidence', 'note'],
  'not-met': ['reason', 'occurredOn'],
  cancel: ['reason', 'occurredOn'],
};

export function milestoneActionRequest(
  action: MilestoneAction,
  f: MilestoneActionForm,
): Record<string, unknown> {
  switch (action) {
    case 'start':
      return { ...happened(f.occurredOn) };
    case 'progress':
      return {
        // Not a number stays as typed, so the API names the field rather than the form guessing.
        percent:
          trimmed(f.percent) === ''
            ? undefined
            : Number.isNaN(Number(f.percent))
              ? f.percent
              : Number(f.percent),
        ...optional('note', f.note),
        evidence: evidenceOf(f.evidence),
        ...happened(f.occurredOn),
      };
    case 'reschedule':
      return { newDueDate: trimmed(f.newDueDate), reason: trimmed(f.reason), ...happened(f.occurredOn) };
    case 'met':
    case 'partially-met':
      return { metOn: trimmed(f.metOn), evidence: evidenceOf(f.evidence), ...optional('note', f.note) };
    case 'not-met':
    case 'cancel':
      return { reason: trimmed(f.reason), ...happened(f.occurredOn) };
  }
}

export interface SubscriptionForm {
  name: string;
  channel: 'inbox' | 'webhook';
  url: string;
  secret: string;
  agreementIds: string[];
  partyCountries: string[];
  commodities: string[];
  milestoneTypes: string[];
  kinds: string[];
  minSeverity: '' | 'info' | 'low' | 'medium' | 'high' | 'critical';
}

export const emptySubscriptionForm: SubscriptionForm = {
  name: '',
  channel: 'inbox',
  url: '',
  secret: '',
  agreementIds: [],
  partyCountries: [],
  commodities: [],
  milestoneTypes: [],
  kinds: [],
  minSeverity: '',
};

/** Only the filters chosen are sent: an empty list would mean "match nothing" to a reader, "all" to the API. */
export function subscriptionRequest(f: SubscriptionForm) {
  const filters: Record<string, unknown> = {};
  for (const key of ['agreementIds', 'partyCountries', 'commodities', 'milestoneTypes', 'kinds'] as const)
    if (f[key].length) filters[key] = [...f[key]];
  if (f.minSeverity) filters['minSeverity'] = f.minSeverity;
  return {
    ...optional('name', f.name),
    filters,
    channel:
      f.channel === 'webhook'
        ? { type: 'webhook', url: trimmed(f.url), secret: f.secret }
        : { type: 'inbox' },
  };
}

/** The agreement changes a monitor makes from its page. */
export type AgreementAction =
  'suspend' | 'resume' | 'terminate' | 'expire' | 'sources' | 'objectives' | 'targets';

export interface AgreementActionForm {
  occurredOn: string;
  reason: string;
  title: string;
  url: string;
  publisher: string;
  published: string;
  objective: string;
  description: string;
  amount: string;
  unit: string;
  currency: string;
  byDate: string;
}

export const emptyAgreementActionForm: AgreementActionForm = {
  occurredOn: '',
  reason: '',
  title: '',
  url: '',
  publisher: '',
  published: '',
  objective: '',
  description: '',
  amount: '',
  unit: '',
  currency: '',
  byDate: '',
};

export const agreementActionFields: Record<AgreementAction, (keyof AgreementActionForm)[]> = {
  suspend: ['reason', 'occurredOn'],
  resume: ['reason', 'occurredOn'],
  terminate: ['reason', 'occurredOn'],
  expire: ['reason', 'occurredOn'],
  sources: ['title', 'url', 'publisher', 'published'],
  objectives: ['objective'],
  targets: ['description', 'amount', 'unit', 'currency', 'byDate'],
};

export function agreementActionRequest(
  action: AgreementAction,
  f: AgreementActionForm,
): Record<string, unknown> {
  switch (action) {
    case 'suspend':
    case 'terminate':
      return { reason: trimmed(f.reason), ...happened(f.occurredOn) };
    case 'resume':
    case 'expire':
      return { ...optional('reason', f.reason), ...happened(f.occurredOn) };
    case 'sources':
      return {
        title: trimmed(f.title),
        ...optional('url', f.url),
        ...optional('publisher', f.publisher),
        ...optional('published', f.published),
      };
    case 'objectives':
      return { objective: trimmed(f.objective) };
    case 'targets': {
      const amount = trimmed(f.amount);
      return {
        description: trimmed(f.description),
        // Not a number stays as typed, so the API names the field.
        ...(amount ? { amount: Number.isNaN(Number(amount)) ? amount : Number(amount) } : {}),
        ...optional('unit', f.unit),
        ...optional('currency', f.currency ? f.currency.toUpperCase() : ''),
        ...optional('byDate', f.byDate),
      };
    }
  }
}

/**
 * A `datetime-local` input's value (the user's wall clock, no zone) as the instant the API wants; empty: left
 * out, so the API names the missing field.
 */
export function instantOf(local: string | undefined): string | undefined {
  const value = trimmed(local);
  if (!value) return undefined;
  const at = new Date(value);
  // Not a time the browser could read: sent as typed, for the API's message beside the field.
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

/** What a stakeholder does with an alert of its inbox, for itself. */
export interface AlertStandForm {
  note: string;
  /** Snooze until (datetime-local). */
  until: string;
}

export const emptyAlertStandForm: AlertStandForm = { note: '', until: '' };

/** A stakeholder's stand on an alert: acknowledge it, snooze it until a time, or mark it done. */
export type AlertStand = 'ack' | 'snooze' | 'done';

/**
 * What Enter in the respond form does, of the stands offered: snooze once a time is filled in, else acknowledge.
 * Never "done" (a stand one should choose, not fall into); an acknowledged alert's Enter snoozes, and without a
 * time the API's message beside the field says what is missing. Null: nothing to do here.
 */
export function enterStand(offered: readonly AlertStand[], f: AlertStandForm): AlertStand | null {
  if (offered.includes('snooze') && f.until.trim()) return 'snooze';
  if (offered.includes('ack')) return 'ack';
  return offered.includes('snooze') ? 'snooze' : null;
}

/** POST /alerts/{id}/ack and /done: the note, if any. */
export const noteRequest = (f: AlertStandForm) => optional('note', f.note);

/** POST /alerts/{id}/snooze. */
export function snoozeRequest(f: AlertStandForm) {
  const until = instantOf(f.until);
  return { ...(until && { until }), ...noteRequest(f) };
}

export interface SilenceForm {
  /** What to silence: the alert's agreement in every subscription, or the whole subscription. */
  scope: 'agreement' | 'subscription';
  until: string;
  comment: string;
}

export const emptySilenceForm: SilenceForm = { scope: 'agreement', until: '', comment: '' };

/** POST /silences from an alert: its agreement's id or the inbox's subscription id, by the scope chosen. */
export function silenceRequest(f: SilenceForm, of: { agreementId: string; subscriptionId?: string }) {
  const until = instantOf(f.until);
  return {
    ...(f.scope === 'subscription' && of.subscriptionId
      ? { subscriptionId: of.subscriptionId }
      : { agreementId: of.agreementId }),
    ...(until && { until }),
    // Sent even when empty: the API says a comment is required.
    comment: trimmed(f.comment),
  };
}
