import { Choice } from '../components/Choice';
import { AlertKinds, AlertSeverities, AlertStatuses, MilestoneTypes } from '@tracker/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { EventSource } from 'eventsource';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { authHeaders, query, url } from '../api/client';
import { useCommand } from '../api/command';
import { usePaged } from '../api/hooks';
import type { Agreement, Alert, LiveAlert, Silence, Subscription } from '../api/types';
import { useAuth } from '../auth';
import { AlertList, useReferences } from '../components/AlertList';
import { Empty, ErrorBox, Field, FormFooter, Loading, MoreButton } from '../components/ui';
import { alertKindLabel, catchUpDelay, inboxShows, liveAnnouncement } from '../lib/alerts';
import { useCodeLists } from '../lib/code-lists';
import { countryName, formatInstant, words } from '../lib/format';
import { emptySubscriptionForm, subscriptionRequest, type SubscriptionForm } from '../lib/forms';

export function AlertsPage() {
  const auth = useAuth();
  if (auth.can('alerts', 'stakeholder')) return <Inbox />;
  return <AllAlerts />;
}

/** Monitors and auditors: every alert, read-only, with filters. */
function AllAlerts() {
  const [status, setStatus] = useState('open');
  const [minSeverity, setMinSeverity] = useState('');
  const list = usePaged<Alert>('alerts', `/alerts${query({ status, minSeverity })}`, { limit: 50 });
  return (
    <>
      <h1>Alerts</h1>
      <form className="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <Choice
          id="a-status"
          label="Status"
          value={status}
          onChange={setStatus}
          any="any"
          options={AlertStatuses.map((s) => [s, words(s)] as const)}
        />
        <Choice
          id="a-sev"
          label="At least"
          value={minSeverity}
          onChange={setMinSeverity}
          any="any severity"
          options={AlertSeverities.map((s) => [s, s] as const)}
        />
      </form>
      <AlertList list={list} empty="No alert matches." />
    </>
  );
}

/** A stakeholder's inbox: the alerts a subscription matches, live through its SSE stream, and the subscriptions. */
function Inbox() {
  const subs = usePaged<Subscription>('alerts', '/subscriptions', { limit: 100 });
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = chosen ?? subs.items[0]?.id ?? null;
  const selectedSub = subs.items.find((s) => s.id === selected);
  return (
    <>
      <h1>Alerts</h1>
      {subs.isLoading ? (
        <Loading what="subscriptions" />
      ) : subs.items.length === 0 ? (
        <Empty>You have no subscription yet: create one below to receive alerts.</Empty>
      ) : (
        <>
          <div className="field">
            <label htmlFor="inbox-sub">Inbox of</label>
            <select id="inbox-sub" value={selected ?? ''} onChange={(e) => setChosen(e.target.value)}>
              {subs.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name ?? s.id}
                </option>
              ))}
            </select>
          </div>
          <MoreButton
            hasMore={subs.hasNextPage}
            loading={subs.isFetchingNextPage}
            onMore={() => subs.fetchNextPage()}
            what="subscriptions"
          />
          {selectedSub && <SubscriptionInbox key={selectedSub.id} subscription={selectedSub} />}
        </>
      )}
      {subs.items.length > 0 && <ActiveSilences subs={subs.items} />}
      <Subscriptions subs={subs.items} />
    </>
  );
}

/** A subscription's inbox; `mine`: the stands to show (empty: the service's default). */
const inboxPath = (subscriptionId: string, mine = '') => `/alerts${query({ subscriptionId, mine })}`;

function SubscriptionInbox({ subscription }: { subscription: Subscription }) {
  const [show, setShow] = useState('');
  const list = usePaged<Alert>('alerts', inboxPath(subscription.id, show), { limit: 50 });
  // A new alert is open: a view without open ones would never list it.
  const listsNew = !show || show.split(',').includes('open');
  const { connection, announcement } = useLiveInbox(subscription.id, list, listsNew);

  return (
    <section aria-labelledby="inbox-h">
      <h2 id="inbox-h">
        Inbox{' '}
        <span className={`conn conn-${connection}`} data-testid="live-status">
          {connection === 'live' ? '● live' : connection === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
      </h2>
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>
      <form className="filters" aria-label="Filter the inbox" onSubmit={(e) => e.preventDefault()}>
        <Choice
          id="inbox-show"
          label="Show"
          value={show}
          onChange={setShow}
          any="open and acknowledged"
          options={inboxShows}
        />
      </form>
      <AlertList
        list={list}
        subscriptionId={subscription.id}
        subscriptionName={subscription.name}
        empty={
          show
            ? 'No alert of this subscription stands so.'
            : 'No alert for this subscription yet. New ones appear here as they are raised.'
        }
      />
    </section>
  );
}

/**
 * The subscription's live stream, open while its inbox is shown. A message makes the inbox list again rather than
 * being added to it, so every item shown has the inbox's shape and the caller's own stand. The stream can
 * announce an alert before the inbox lists it (see catchUpDelay): the inbox is asked again, a few times, until it
 * does (`listsNew`: whether the view shown would list a new alert at all).
 */
function useLiveInbox(
  subscriptionId: string,
  list: { items: Alert[]; isFetching: boolean; dataUpdatedAt: number },
  listsNew: boolean,
) {
  const queries = useQueryClient();
  const [connection, setConnection] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [announcement, setAnnouncement] = useState('');
  // Announced alerts the inbox did not list yet → how many times it was asked again for them.
  const awaited = useRef(new Map<string, number>());
  const refetchInbox = useCallback(() => {
    const prefix = inboxPath(subscriptionId);
    void queries.invalidateQueries({
      predicate: ({ queryKey: [service, path] }) =>
        service === 'alerts' && typeof path === 'string' && path.startsWith(prefix),
    });
  }, [queries, subscriptionId]);

  useEffect(() => {
    let soon: ReturnType<typeof setTimeout> | undefined;
    // A burst of alerts (a deadline scan) makes one refetch, not one per message.
    const refetchSoon = () => {
      soon ??= setTimeout(() => {
        soon = undefined;
        refetchInbox();
      }, 100);
    };
    // EventSource cannot send a bearer token; this implementation lets fetch carry it (and reconnects with Last-Event-ID).
    const source = new EventSource(url('alerts', `/subscriptions/${subscriptionId}/stream`), {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), ...authHeaders() },
        }),
    });
    source.onopen = () => setConnection('live');
    source.onerror = () => setConnection('reconnecting');
    source.addEventListener('alert.raised', (e) => {
      const alert = JSON.parse(e.data) as LiveAlert;
      setAnnouncement(liveAnnouncement(alert));
      awaited.current.set(alert.id, 0);
      refetchSoon();
    });
    // More were missed than the stream replays: the inbox has them all.
    source.addEventListener('backlog.truncated', refetchSoon);
    return () => {
      clearTimeout(soon);
      source.close();
    };
  }, [subscriptionId, refetchInbox]);

  // Once per answer of the inbox: the announced alerts it lists now are found; the others are asked for again.
  const { isFetching, dataUpdatedAt } = list;
  // items is a new array on every render; its ids, and the answer's time, say when the inbox answered again.
  const listedIds = list.items.map((a) => a.id).join(' ');
  useEffect(() => {
    if (isFetching || awaited.current.size === 0) return;
    if (!listsNew) return awaited.current.clear();
    const listed = new Set(listedIds.split(' '));
    let delay: number | null = null;
    for (const [id, attempts] of awaited.current) {
      const next = listed.has(id) ? null : catchUpDelay(attempts);
      if (next === null) awaited.current.delete(id);
      else {
        awaited.current.set(id, attempts + 1);
        delay = Math.min(delay ?? next, next);
      }
    }
    if (delay === null) return;
    const timer = setTimeout(refetchInbox, delay);
    return () => clearTimeout(timer);
  }, [isFetching, dataUpdatedAt, listedIds, listsNew, refetchInbox]);

  return { connection, announcement };
}

/** The caller's silences holding now, each with a way to end it early. */
function ActiveSilences({ subs }: { subs: Subscription[] }) {
  const silences = usePaged<Silence>('alerts', '/silences?active=true', { limit: 100 });
  const expire = useCommand();
  const refs = useReferences(silences.items.flatMap((s) => (s.agreementId ? [s.agreementId] : [])));
  const subscriptionName = (id: string) => subs.find((s) => s.id === id)?.name ?? id;
  const what = (s: Silence) =>
    s.subscriptionId
      ? `the subscription ${subscriptionName(s.subscriptionId)}`
      : `${(s.agreementId && refs.get(s.agreementId)) ?? '…'} in all your subscriptions`;
  return (
    <section aria-labelledby="silences-h">
      <h2 id="silences-h">Silences</h2>
      {silences.isLoading ? (
        <Loading what="silences" />
      ) : silences.error ? (
        <ErrorBox error={silences.error} />
      ) : silences.items.length === 0 ? (
        <Empty>No silence holds now: every alert your subscriptions match is delivered.</Empty>
      ) : (
        <ul className="silences" aria-label="Active silences">
          {silences.items.map((s) => (
            <li key={s.id} data-silence={s.id}>
              Silenced: <strong>{what(s)}</strong> until {formatInstant(s.endsAt)}{' '}
              <span className="muted">({s.comment})</span>{' '}
              <button
                type="button"
                className="secondary"
                aria-label={`Expire now: silence of ${what(s)}`}
                onClick={() => expire.run('alerts', `/silences/${s.id}/expire`, { body: {} })}
                disabled={expire.busy}
              >
                Expire now
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={expire.error} onReload={expire.reload} />
      <MoreButton
        hasMore={silences.hasNextPage}
        loading={silences.isFetchingNextPage}
        onMore={() => silences.fetchNextPage()}
        what="silences"
      />
    </section>
  );
}

function Subscriptions({ subs }: { subs: Subscription[] }) {
  const codes = useCodeLists();
  const agreements = usePaged<Agreement>('agreements', '/agreements', { limit: 100 });
  const [form, setForm] = useState(emptySubscriptionForm);
  const create = useCommand();
  const remove = useCommand();
  const set = <K extends keyof SubscriptionForm>(k: K, v: SubscriptionForm[K]) =>
    setForm((f) => ({ ...f, [k]: v }));
  const chosen = (e: { target: HTMLSelectElement }) => [...e.target.selectedOptions].map((o) => o.value);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await create.run('alerts', '/subscriptions', { body: subscriptionRequest(form) }))
      setForm(emptySubscriptionForm);
  }
  const f = create.fields;
  const multi = (
    id: string,
    label: string,
    field: string,
    key: 'agreementIds' | 'partyCountries' | 'commodities' | 'milestoneTypes' | 'kinds',
    options: [string, string][],
  ) => (
    <Field id={id} label={label} field={field} errors={f} hint="none chosen: all">
      {(p) => (
        <select {...p} multiple size={5} value={form[key]} onChange={(e) => set(key, chosen(e))}>
          {options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <section aria-labelledby="subs-h">
      <h2 id="subs-h">Subscriptions</h2>
      {subs.length > 0 && (
        <ul className="subs">
          {subs.map((s) => (
            <li key={s.id}>
              <strong>{s.name ?? s.id}</strong> — {s.channel.type}
              {s.channel.url && ` to ${s.channel.url}`}
              <span className="muted"> {describeFilters(s)}</span>{' '}
              <button
                type="button"
                className="secondary"
                onClick={() => remove.run('alerts', `/subscriptions/${s.id}`, { method: 'DELETE' })}
                disabled={remove.busy}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={remove.error} />
      <form className="form" onSubmit={submit} noValidate aria-label="New subscription">
        <h3>New subscription</h3>
        <Field id="sub-name" label="Name" field="name" errors={f}>
          {(p) => <input {...p} value={form.name} onChange={(e) => set('name', e.target.value)} />}
        </Field>
        <Field id="sub-channel" label="Deliver to" field="channel.type" errors={f}>
          {(p) => (
            <select
              {...p}
              value={form.channel}
              onChange={(e) => set('channel', e.target.value as SubscriptionForm['channel'])}
            >
              <option value="inbox">this inbox</option>
              <option value="webhook">a webhook</option>
            </select>
          )}
        </Field>
        {form.channel === 'webhook' && (
          <div className="row">
            <Field id="sub-url" label="Webhook URL" field="channel.url" errors={f}>
              {(p) => (
                <input {...p} type="url" value={form.url} onChange={(e) => set('url', e.target.value)} />
              )}
            </Field>
            <Field
              id="sub-secret"
              label="Signing secret"
              field="channel.secret"
              errors={f}
              hint="At least 16 characters; used to sign each delivery"
            >
              {(p) => (
                <input
                  {...p}
                  type="password"
                  value={form.secret}
                  onChange={(e) => set('secret', e.target.value)}
                />
              )}
            </Field>
          </div>
        )}
        <fieldset>
          <legend>Filters</legend>
          <div className="row wrap">
            <div>
              {multi(
                'sub-agreements',
                'Agreements',
                'filters.agreementIds',
                'agreementIds',
                agreements.items.map((a) => [a.id, a.reference]),
              )}
              <MoreButton
                hasMore={agreements.hasNextPage}
                loading={agreements.isFetchingNextPage}
                onMore={() => agreements.fetchNextPage()}
                what="agreements"
              />
            </div>
            {multi(
              'sub-countries',
              'Party countries',
              'filters.partyCountries',
              'partyCountries',
              codes.countries.map((c) => [c, `${countryName(c)} (${c})`]),
            )}
            {multi(
              'sub-commodities',
              'Commodities',
              'filters.commodities',
              'commodities',
              codes.commodities.map((c) => [c, words(c)]),
            )}
            {multi(
              'sub-types',
              'Milestone types',
              'filters.milestoneTypes',
              'milestoneTypes',
              MilestoneTypes.map((t) => [t, words(t)]),
            )}
            {multi(
              'sub-kinds',
              'Alert kinds',
              'filters.kinds',
              'kinds',
              AlertKinds.map((k) => [k, alertKindLabel(k)]),
            )}
            <Field id="sub-severity" label="At least" field="filters.minSeverity" errors={f}>
              {(p) => (
                <select
                  {...p}
                  value={form.minSeverity}
                  onChange={(e) => set('minSeverity', e.target.value as SubscriptionForm['minSeverity'])}
                >
                  <option value="">any severity</option>
                  {AlertSeverities.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </fieldset>
        <FormFooter
          command={create}
          placed={['name', 'channel', 'filters']}
          submit="Subscribe"
          submitting="Subscribing…"
        />
      </form>
    </section>
  );
}

function describeFilters(s: Subscription): string {
  const f = s.filters ?? {};
  const parts = [
    f.agreementIds?.length && `${f.agreementIds.length} agreement(s)`,
    f.partyCountries?.length && `countries ${f.partyCountries.join(', ')}`,
    f.commodities?.length && `commodities ${f.commodities.map(words).join(', ')}`,
    f.milestoneTypes?.length && `types ${f.milestoneTypes.map(words).join(', ')}`,
    f.kinds?.length && `kinds ${f.kinds.map(alertKindLabel).join(', ')}`,
    f.minSeverity && `at least ${f.minSeverity}`,
  ].filter(Boolean);
  return parts.length ? `(${parts.join('; ')})` : '(everything)';
}
