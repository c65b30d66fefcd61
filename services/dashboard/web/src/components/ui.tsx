/** The small pieces every page uses: loading, empty and error states, field messages, the 409 offer to reload. */
import type { InputHTMLAttributes, ReactNode } from 'react';
import { ApiError } from '../api/client';
import { messagesFor, unplacedMessages, type FieldErrors } from '../lib/forms';

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An error from the API as the user can act on it: what happened, what to do, and the id to quote. */
export function ErrorBox({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <div className="error" role="alert">
      <strong>
        {e ? (e.stale ? 'Someone else changed this in the meantime' : e.title) : 'Something went wrong'}
      </strong>
      <p>
        {e?.stale
          ? 'Your change was not saved, so nothing was overwritten. Reload to see the latest version, then try again.'
          : e?.detail || (error as Error).message}
      </p>
      {e?.stale && onReload && (
        <button type="button" onClick={onReload}>
          Reload the latest version
        </button>
      )}
      {e?.correlationId && <p className="muted">Reference for support: {e.correlationId}</p>}
    </div>
  );
}

/** A labelled form field with the API's messages for it beside it (and tied to it for screen readers). */
export function Field({
  id,
  label,
  errors,
  field,
  hint,
  children,
}: {
  id: string;
  label: string;
  errors: FieldErrors;
  field: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const messages = messagesFor(errors, field);
  const describedBy =
    [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${messages.length ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {children({ id, 'aria-invalid': messages.length > 0, 'aria-describedby': describedBy })}
      {messages.length > 0 && (
        <ul className="field-error" id={`${id}-error`} data-field={field}>
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function MoreButton({
  hasMore,
  loading,
  onMore,
  what,
}: {
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  what: string;
}) {
  if (!hasMore) return null;
  return (
    <button type="button" className="more" onClick={onMore} disabled={loading}>
      {loading ? `Loading more ${what}…` : `Load more ${what}`}
    </button>
  );
}

type CommandState = { busy: boolean; error: unknown; fields: FieldErrors; reload: () => void };

/** A command's failure beside its form: the API's messages no field shows, and the error with its reload offer. */
export function CommandErrors({ command, placed }: { command: CommandState; placed: readonly string[] }) {
  const other = unplacedMessages(command.fields, placed);
  return (
    <>
      {other.length > 0 && (
        <ul className="field-error" role="alert">
          {other.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <ErrorBox error={command.error} onReload={command.reload} />
    </>
  );
}

/**
 * The end of every form: the API's messages no field shows, the error with its reload offer, submit and close.
 * `placed`: the API field names the form shows beside its fields.
 */
export function FormFooter({
  command,
  placed,
  submit,
  submitting,
  onClose,
}: {
  command: CommandState;
  placed: readonly string[];
  submit: string;
  submitting: string;
  onClose?: () => void;
}) {
  return (
    <>
      <CommandErrors command={command} placed={placed} />
      <div className="actions">
        <button type="submit" disabled={command.busy}>
          {command.busy ? submitting : submit}
        </button>
        {onClose && (
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        )}
      </div>
    </>
  );
}

/**
 * The fields of an action form, each a Field with the API's messages: a text area for `multiline` ones, an
 * input otherwise (`inputProps` gives its type and bounds). `occurredOn` is sent as the API's `occurredAt`.
 */
export function ActionFields<K extends string>({
  idPrefix,
  fields,
  labels,
  form,
  onChange,
  errors,
  multiline,
  inputProps = () => ({ type: 'text' }),
  hints = {},
}: {
  idPrefix: string;
  fields: readonly K[];
  labels: Record<K, string>;
  form: Record<K, string>;
  onChange: (field: K, value: string) => void;
  errors: FieldErrors;
  multiline: readonly K[];
  inputProps?: (field: K) => InputHTMLAttributes<HTMLInputElement>;
  hints?: Partial<Record<K, string>>;
}) {
  return (
    <>
      {fields.map((f) => (
        <Field
          key={f}
          id={`${idPrefix}-${f}`}
          label={labels[f]}
          field={apiFieldName(f)}
          errors={errors}
          hint={hints[f]}
        >
          {(p) =>
            multiline.includes(f) ? (
              <textarea {...p} rows={2} value={form[f]} onChange={(e) => onChange(f, e.target.value)} />
            ) : (
              <input
                {...p}
                {...inputProps(f)}
                value={form[f]}
                onChange={(e) => onChange(f, e.target.value)}
              />
            )
          }
        </Field>
      ))}
    </>
  );
}

/** The API's name of a form field: the business time a form calls `occurredOn` is `occurredAt`. */
export const apiFieldName = (field: string) => (field === 'occurredOn' ? 'occurredAt' : field);

/** A group of buttons of which at most one is pressed: the actions offered on a record; pressing again closes. */
export function ActionToggles<A extends string>({
  label,
  actions,
  labels,
  pressed,
  onPress,
}: {
  label: string;
  actions: readonly A[];
  labels: Record<A, string>;
  pressed: A | null;
  onPress: (action: A | null) => void;
}) {
  return (
    <div className="actions" role="group" aria-label={label}>
      {actions.map((a) => (
        <button
          key={a}
          type="button"
          aria-pressed={pressed === a}
          onClick={() => onPress(pressed === a ? null : a)}
        >
          {labels[a]}
        </button>
      ))}
    </div>
  );
}
