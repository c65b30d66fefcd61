import { AgreementKinds, DatePrecisions } from '@tracker/contracts';
import { useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { useCommand } from '../api/command';
import type { Agreement } from '../api/types';
import { useAuth } from '../auth';
import { Field, FormFooter } from '../components/ui';
import { useCodeLists } from '../lib/code-lists';
import { countryName, precisionLabel, words } from '../lib/format';
import { emptyRegisterForm, registerAgreementRequest, type RegisterAgreementForm } from '../lib/forms';

const placed = [
  'reference',
  'title',
  'kind',
  'parties',
  'signedOn',
  'datePrecision',
  'place',
  'context',
  'commodities',
  'objectives',
  'sources',
];

export function RegisterAgreementPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const codes = useCodeLists();
  const [form, setForm] = useState(emptyRegisterForm);
  const command = useCommand();
  // One key per filled-in form: a retry or double submit registers it once.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const set = <K extends keyof RegisterAgreementForm>(key: K, value: RegisterAgreementForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  if (!auth.can('agreements', 'monitor')) return <p>Registering agreements needs the monitor role.</p>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const done = await command.run<Agreement>('agreements', '/agreements', {
      body: registerAgreementRequest(form),
      idempotencyKey,
    });
    if (done) navigate(`/agreements/${done.data.id}`);
  }

  const f = command.fields;
  return (
    <>
      <h1>Register an agreement</h1>
      <form className="form" onSubmit={submit} noValidate aria-label="Register an agreement">
        <Field
          id="reference"
          label="Reference"
          field="reference"
          errors={f}
          hint="Upper-case letters, digits and dashes, e.g. TR-UZ-2026-MINING"
        >
          {(p) => <input {...p} value={form.reference} onChange={(e) => set('reference', e.target.value)} />}
        </Field>
        <Field id="title" label="Title" field="title" errors={f}>
          {(p) => <input {...p} value={form.title} onChange={(e) => set('title', e.target.value)} />}
        </Field>
        <Field id="kind" label="Kind" field="kind" errors={f}>
          {(p) => (
            <select
              {...p}
              value={form.kind}
              onChange={(e) => set('kind', e.target.value as RegisterAgreementForm['kind'])}
            >
              <option value="">choose…</option>
              {AgreementKinds.map((k) => (
                <option key={k} value={k}>
                  {words(k)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset>
          <legend>Parties</legend>
          {form.parties.map((party, i) => (
            <div className="row" key={i}>
              <Field
                id={`party-${i}-country`}
                label={`Party ${i + 1} country`}
                field={`parties.${i}.country`}
                errors={f}
              >
                {(p) => (
                  <select
                    {...p}
                    value={party.country}
                    onChange={(e) =>
                      set(
                        'parties',
                        form.parties.map((x, j) => (j === i ? { ...x, country: e.target.value } : x)),
                      )
                    }
                  >
                    <option value="">none (an organisation)</option>
                    {codes.countries.map((c) => (
                      <option key={c} value={c}>
                        {countryName(c)} ({c})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field
                id={`party-${i}-name`}
                label={`Party ${i + 1} name`}
                field={`parties.${i}.name`}
                errors={f}
              >
                {(p) => (
                  <input
                    {...p}
                    value={party.name}
                    onChange={(e) =>
                      set(
                        'parties',
                        form.parties.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)),
                      )
                    }
                  />
                )}
              </Field>
            </div>
          ))}
          <button type="button" onClick={() => set('parties', [...form.parties, { country: '', name: '' }])}>
            Add a party
          </button>
          {f['parties'] && (
            <ul className="field-error" data-field="parties">
              {f['parties'].map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </fieldset>
        <div className="row">
          <Field id="datePrecision" label="Signing date known to" field="datePrecision" errors={f}>
            {(p) => (
              <select
                {...p}
                value={form.datePrecision}
                onChange={(e) =>
                  set('datePrecision', e.target.value as RegisterAgreementForm['datePrecision'])
                }
              >
                {DatePrecisions.map((d) => (
                  <option key={d} value={d}>
                    {precisionLabel(d)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.datePrecision !== 'unknown' && (
            <Field
              id="signedOn"
              label="Signed on"
              field="signedOn"
              errors={f}
              hint={{ day: 'YYYY-MM-DD', month: 'YYYY-MM', year: 'YYYY', unknown: '' }[form.datePrecision]}
            >
              {(p) =>
                form.datePrecision === 'day' ? (
                  <input
                    {...p}
                    type="date"
                    value={form.signedOn}
                    onChange={(e) => set('signedOn', e.target.value)}
                  />
                ) : (
                  <input {...p} value={form.signedOn} onChange={(e) => set('signedOn', e.target.value)} />
                )
              }
            </Field>
          )}
        </div>
        <Field id="place" label="Place" field="place" errors={f}>
          {(p) => <input {...p} value={form.place} onChange={(e) => set('place', e.target.value)} />}
        </Field>
        <Field id="context" label="Context" field="context" errors={f}>
          {(p) => (
            <textarea {...p} rows={2} value={form.context} onChange={(e) => set('context', e.target.value)} />
          )}
        </Field>
        <Field
          id="commodities"
          label="Commodities"
          field="commodities"
          errors={f}
          hint="Hold Ctrl (⌘) to choose several"
        >
          {(p) => (
            <select
              {...p}
              multiple
              size={6}
              value={form.commodities}
              onChange={(e) =>
                set(
                  'commodities',
                  [...e.target.selectedOptions].map((o) => o.value),
                )
              }
            >
              {codes.commodities.map((c) => (
                <option key={c} value={c}>
                  {words(c)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="objectives" label="Objectives" field="objectives" errors={f} hint="One per line">
          {(p) => (
            <textarea
              {...p}
              rows={3}
              value={form.objectives}
              onChange={(e) => set('objectives', e.target.value)}
            />
          )}
        </Field>
        <Field
          id="sources"
          label="Sources"
          field="sources"
          errors={f}
          hint="One per line: title | URL | publisher | published (YYYY-MM-DD)"
        >
          {(p) => (
            <textarea {...p} rows={3} value={form.sources} onChange={(e) => set('sources', e.target.value)} />
          )}
        </Field>
        <FormFooter command={command} placed={placed} submit="Register" submitting="Registering…" />
      </form>
    </>
  );
}
