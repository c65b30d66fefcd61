import { useQueries } from '@tanstack/react-query';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { Link } from 'react-router-dom';
import { useCommand } from '../api/command';
import { get } from '../api/client';
import type { Agreement, Alert } from '../api/types';
import { useAuth } from '../auth';
import { alertKindLabel, alertText, recordedLater, standWords } from '../lib/alerts';
import { formatInstant, words } from '../lib/format';
import {
  emptyAlertStandForm,
  emptySilenceForm,
  enterStand,
  noteRequest,
  silenceRequest,
  snoozeRequest,
  type AlertStand,
  type AlertStandForm,
  type SilenceForm,
} from '../lib/forms';
import { CommandErrors, Empty, ErrorBox, Field, FormFooter, Loading, MoreButton } from './ui';

interface PagedAlerts {
  items: Alert[];
  isLoading: boolean;
  error: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/**
 * The references of agreements by id (each fetched once and cached), for what names an agreement by id only:
 * silences, and alerts from an alerts service that does not send the agreement's details yet.
 */
export function useReferences(ids: string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['agreements', `/agreements/${id}`],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        get<Agreement>('agreements', `/agreements/${id}`, signal),
      staleTime: 60_000,
    })),
  });
  return new Map(unique.map((id, i) => [id, results[i].data?.reference ?? '…']));
}

/** `subscriptionId`: the inbox the list is (a stakeholder may silence that subscription from one of its alerts). */
export function AlertList({
  list,
  empty,
  subscriptionId,
  subscriptionName,
}: {
  list: PagedAlerts;
  empty: string;
  subscriptionId?: string;
  subscriptionName?: string;
}) {
  const refs = useReferences(list.items.filter((a) => !a.agreement?.reference).map((a) => a.agreementId));
  // What an action did, said here: the item itself may leave the list (snoozed and done ones are hidden).
  const [notice, setNotice] = useState('');
  if (list.isLoading) return <Loading what="alerts" />;
  if (list.error) return <ErrorBox error={list.error} />;
  return (
    <>
      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {list.items.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <ul className="alerts" aria-label="Alerts">
          {list.items.map((a) => (
            <AlertItem
              key={a.id}
              a={a}
              reference={a.agreement?.reference ?? refs.get(a.agreementId) ?? '…'}
              subscription={subscriptionId ? { id: subscriptionId, name: subscriptionName } : undefined}
              onActed={setNotice}
            />
          ))}
        </ul>
      )}
      <MoreButton
        hasMore={list.hasNextPage}
        loading={list.isFetchingNextPage}
        onMore={() => list.fetchNextPage()}
        what="alerts"
      />
    </>
  );
}

interface ItemProps {
  a: Alert;
  reference: string;
  subscription?: { id: string; name?: string };
  onActed: (notice: string) => void;
}

function AlertItem({ a, reference, subscription, onActed }: ItemProps) {
  const auth = useAuth();
  const stakeholder = auth.can('alerts', 'stakeholder');
  const [silencing, setSilencing] = useState(false);
  const milestoneTitle = a.milestone?.title ?? a.milestoneTitle;
  const name = `${alertKindLabel(a.kind)}${milestoneTitle ? `: ${milestoneTitle}` : ''}`;
  const stand = standWords(a.mine);
  const recorded = recordedLater(a);
  return (
    <li
      className={`alert sev-border-${a.severity}`}
      data-alert-kind={a.kind}
      data-alert-status={a.status}
      data-mine={a.mine?.state}
    >
      <div className="alert-head">
        <span className={`badge sev-${a.severity}`}>{a.severity}</span>
        <strong>{alertKindLabel(a.kind)}</strong>
        <span className="muted">{formatInstant(a.raisedAt)}</span>
        {recorded && <span className="muted">{recorded}</span>}
        <span className={`status status-${a.status}`}>{words(a.status)}</span>
        {stand && <span className={`stand stand-${a.mine?.state}`}>{stand}</span>}
        {a.inhibited && <span className="muted">held back: {words(a.inhibited)}</span>}
      </div>
      <p>
        <Link to={`/agreements/${a.agreementId}`}>{reference}</Link>
        {milestoneTitle && <> · {milestoneTitle}</>}
      </p>
      <p className="alert-summary">{alertText(a)}</p>
      {a.mine?.note && <p className="note">Your note: {a.mine.note}</p>}
      {a.silenced && (
        <p className="silenced">
          Silenced until {formatInstant(a.silenced.until)}: {a.silenced.comment}
        </p>
      )}
      {!stakeholder && !!a.acknowledgements?.length && (
        <ul className="acknowledgements" aria-label={`Acknowledgements of ${name}`}>
          {a.acknowledgements.map((ack) => (
            <li key={`${ack.by} ${ack.at}`}>
              Acknowledged by {ack.by}, {formatInstant(ack.at)}
              {ack.note && <>: {ack.note}</>}
            </li>
          ))}
        </ul>
      )}
      {stakeholder && <StandForm a={a} name={name} onActed={onActed} />}
      {stakeholder && (
        <>
          <button
            type="button"
            className="secondary"
            aria-expanded={silencing}
            onClick={() => setSilencing((s) => !s)}
          >
            Silence…
          </button>
          {silencing && (
            <SilenceAlerts
              a={a}
              name={name}
              reference={reference}
              subscription={subscription}
              onClose={() => setSilencing(false)}
              onActed={onActed}
            />
          )}
        </>
      )}
    </li>
  );
}

const STAND_WORDS: Record<AlertStand, { verb: string; busy: string; path: string }> = {
  ack: { verb: 'Acknowledge', busy: 'Acknowledging…', path: 'ack' },
  snooze: { verb: 'Snooze', busy: 'Snoozing…', path: 'snooze' },
  done: { verb: 'Mark done', busy: 'Marking done…', path: 'done' },
};

/** A stakeholder's own stand on the alert: acknowledge, snooze until a time, or mark done, each with a note. */
function StandForm({ a, name, onActed }: { a: Alert; name: string; onActed: (notice: string) => void }) {
  const command = useCommand();
  const [form, setForm] = useState<AlertStandForm>(emptyAlertStandForm);
  const [running, setRunning] = useState<AlertStand | null>(null);
  const state = a.mine?.state ?? 'open';
  const resolved = a.status === 'resolved';
  // Acknowledging is each stakeholder's own: someone else's acknowledgement leaves it open for this one.
  const offered: AlertStand[] = [
    ...(!resolved && state === 'open' ? (['ack'] as const) : []),
    ...(!resolved && state !== 'done' ? (['snooze'] as const) : []),
    ...(state !== 'done' ? (['done'] as const) : []),
  ];
  if (offered.length === 0) return null;

  async function take(stand: AlertStand) {
    setRunning(stand);
    const body = stand === 'snooze' ? snoozeRequest(form) : noteRequest(form);
    const done = await command.run<Alert>('alerts', `/alerts/${a.id}/${STAND_WORDS[stand].path}`, { body });
    setRunning(null);
    if (!done) return;
    setForm(emptyAlertStandForm);
    const shown = standWords(done.data.mine) ?? 'Done';
    onActed(
      `${name}: ${shown}.${done.data.mine?.state === 'snoozed' || done.data.mine?.state === 'done' ? ` Choose “${done.data.mine.state}” under Show to see it.` : ''}`,
    );
  }
  const f = command.fields;
  const id = (field: string) => `${field}-${a.id}`;
  return (
    <form
      className="stand-form"
      aria-label={`Respond to ${name}`}
      noValidate
      onSubmit={(e: FormEvent) => e.preventDefault()}
      // Enter in a field takes the stand (enterStand). On keydown, not submit: the form has no submit button, and
      // browsers differ on implicit submission with two fields (Firefox counts the date field, and submits nothing).
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key !== 'Enter' || (e.target as HTMLElement).tagName !== 'INPUT') return;
        e.preventDefault();
        const stand = enterStand(offered, form);
        if (stand && !command.busy) void take(stand);
      }}
    >
      <div className="row wrap">
        <Field id={id('note')} label="Note (optional)" field="note" errors={f}>
          {(p) => (
            <input {...p} value={form.note} onChange={(e) => setForm({ ...form, note: e.target.value })} />
          )}
        </Field>
        {offered.includes('snooze') && (
          <Field id={id('until')} label="Snooze until" field="until" errors={f} hint="your local time">
            {(p) => (
              <input
                {...p}
                type="datetime-local"
                value={form.until}
                onChange={(e) => setForm({ ...form, until: e.target.value })}
              />
            )}
          </Field>
        )}
      </div>
      <CommandErrors command={command} placed={['note', 'until']} />
      <div className="actions">
        {offered.map((stand) => (
          <button key={stand} type="button" onClick={() => take(stand)} disabled={command.busy}>
            {running === stand ? STAND_WORDS[stand].busy : STAND_WORDS[stand].verb}
          </button>
        ))}
      </div>
    </form>
  );
}

/** Silences the alert's agreement in all the caller's subscriptions, or the inbox's subscription, until a time. */
function SilenceAlerts({
  a,
  name,
  reference,
  subscription,
  onClose,
  onActed,
}: {
  a: Alert;
  name: string;
  reference: string;
  subscription?: { id: string; name?: string };
  onClose: () => void;
  onActed: (notice: string) => void;
}) {
  const command = useCommand();
  const [form, setForm] = useState<SilenceForm>(emptySilenceForm);
  const set = <K extends keyof SilenceForm>(k: K, v: SilenceForm[K]) => setForm((s) => ({ ...s, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = silenceRequest(form, { agreementId: a.agreementId, subscriptionId: subscription?.id });
    if (await command.run('alerts', '/silences', { body })) {
      onActed(
        `Silenced ${form.scope === 'subscription' ? 'the subscription' : reference} until ${body.until ? formatInstant(body.until) : ''}.`,
      );
      onClose();
    }
  }
  const f = command.fields;
  const id = (field: string) => `silence-${field}-${a.id}`;
  return (
    <form className="form" aria-label={`Silence: ${name}`} noValidate onSubmit={submit}>
      <Field
        id={id('scope')}
        label="What to silence"
        field={form.scope === 'subscription' ? 'subscriptionId' : 'agreementId'}
        errors={f}
      >
        {(p) => (
          <select
            {...p}
            value={form.scope}
            onChange={(e) => set('scope', e.target.value as SilenceForm['scope'])}
          >
            <option value="agreement">alerts of {reference} in all my subscriptions</option>
            {subscription && (
              <option value="subscription">
                all of this subscription ({subscription.name ?? subscription.id})
              </option>
            )}
          </select>
        )}
      </Field>
      <Field id={id('until')} label="Silence until" field="until" errors={f} hint="your local time">
        {(p) => (
          <input
            {...p}
            type="datetime-local"
            value={form.until}
            onChange={(e) => set('until', e.target.value)}
          />
        )}
      </Field>
      <Field id={id('comment')} label="Comment" field="comment" errors={f} hint="why you silence it">
        {(p) => (
          <textarea {...p} rows={2} value={form.comment} onChange={(e) => set('comment', e.target.value)} />
        )}
      </Field>
      <FormFooter
        command={command}
        placed={['agreementId', 'subscriptionId', 'until', 'comment']}
        submit="Silence"
        submitting="Silencing…"
        onClose={onClose}
      />
    </form>
  );
}
