import { MilestoneTypes } from '@tracker/contracts';
import { useState, type FormEvent } from 'react';
import { useCommand } from '../api/command';
import { words } from '../lib/format';
import { planMilestoneRequest, type PlanMilestoneForm } from '../lib/forms';
import { Field, FormFooter } from './ui';

const empty: PlanMilestoneForm = {
  type: '',
  title: '',
  description: '',
  responsibleParty: '',
  dueDate: '',
  occurredOn: '',
};

export function PlanMilestone({ agreementId }: { agreementId: string }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(empty);
  const command = useCommand();
  // One Idempotency-Key per milestone being planned: a retry of the same form plans it once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const set = <K extends keyof PlanMilestoneForm>(k: K, v: PlanMilestoneForm[K]) =>
    setForm((f) => ({ ...f, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const done = await command.run('milestones', '/milestones', {
      body: planMilestoneRequest(agreementId, form),
      idempotencyKey,
    });
    if (done) {
      setForm(empty);
      setIdempotencyKey(crypto.randomUUID());
      setOpen(false);
    }
  }

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Plan a milestone
      </button>
    );
  const f = command.fields;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Plan a milestone">
      <h3>Plan a milestone</h3>
      <Field id="plan-type" label="Type" field="type" errors={f}>
        {(p) => (
          <select
            {...p}
            value={form.type}
            onChange={(e) => set('type', e.target.value as PlanMilestoneForm['type'])}
          >
            <option value="">choose…</option>
            {MilestoneTypes.map((t) => (
              <option key={t} value={t}>
                {words(t)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="plan-title" label="Title" field="title" errors={f}>
        {(p) => <input {...p} value={form.title} onChange={(e) => set('title', e.target.value)} />}
      </Field>
      <Field id="plan-due" label="Due date" field="dueDate" errors={f}>
        {(p) => (
          <input {...p} type="date" value={form.dueDate} onChange={(e) => set('dueDate', e.target.value)} />
        )}
      </Field>
      <Field id="plan-description" label="Description" field="description" errors={f}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        )}
      </Field>
      <Field id="plan-responsible" label="Responsible party" field="responsibleParty" errors={f}>
        {(p) => (
          <input
            {...p}
            value={form.responsibleParty}
            onChange={(e) => set('responsibleParty', e.target.value)}
          />
        )}
      </Field>
      <Field id="plan-occurred" label="Planned on (leave empty for today)" field="occurredAt" errors={f}>
        {(p) => (
          <input
            {...p}
            type="date"
            value={form.occurredOn}
            onChange={(e) => set('occurredOn', e.target.value)}
          />
        )}
      </Field>
      <FormFooter
        command={command}
        placed={['type', 'title', 'description', 'responsibleParty', 'dueDate', 'occurredAt', 'agreementId']}
        submit="Plan"
        submitting="Planning…"
        onClose={() => setOpen(false)}
      />
    </form>
  );
}
