/** What a monitor changes on the agreement itself: its lifecycle (with the date it took effect) and its lists. */
import { useState, type FormEvent } from 'react';
import { useCommand } from '../api/command';
import type { Agreement } from '../api/types';
import {
  agreementActionFields,
  agreementActionRequest,
  emptyAgreementActionForm,
  type AgreementAction,
  type AgreementActionForm,
} from '../lib/forms';
import { ActionFields, ActionToggles, apiFieldName, FormFooter } from './ui';

const label: Record<AgreementAction, string> = {
  suspend: 'Suspend',
  resume: 'Resume',
  terminate: 'Terminate',
  expire: 'Record expiry',
  sources: 'Attach a source',
  objectives: 'Add an objective',
  targets: 'Add a target',
};

const fieldLabel: Record<keyof AgreementActionForm, string> = {
  occurredOn: 'Took effect on (leave empty for today)',
  reason: 'Reason',
  title: 'Title',
  url: 'URL',
  publisher: 'Publisher',
  published: 'Published (YYYY-MM-DD)',
  objective: 'Objective',
  description: 'Description',
  amount: 'Amount',
  unit: 'Unit (e.g. t/yr, USD)',
  currency: 'Currency (ISO 4217, e.g. USD)',
  byDate: 'By (YYYY-MM-DD)',
};

function available(a: Agreement): AgreementAction[] {
  if (a.lifecycle === 'active') return ['suspend', 'terminate', 'expire', 'sources', 'objectives', 'targets'];
  if (a.lifecycle === 'suspended') return ['resume', 'terminate', 'sources'];
  return [];
}

export function AgreementActions({ agreement }: { agreement: Agreement }) {
  const [action, setAction] = useState<AgreementAction | null>(null);
  const actions = available(agreement);
  if (actions.length === 0) return null;
  return (
    <>
      <ActionToggles
        label="Act on the agreement"
        actions={actions}
        labels={label}
        pressed={action}
        onPress={setAction}
      />
      {action && (
        <ActionForm key={action} agreement={agreement} action={action} onDone={() => setAction(null)} />
      )}
    </>
  );
}

function ActionForm({
  agreement,
  action,
  onDone,
}: {
  agreement: Agreement;
  action: AgreementAction;
  onDone: () => void;
}) {
  const [form, setForm] = useState(emptyAgreementActionForm);
  const command = useCommand();
  const fields = agreementActionFields[action];
  async function submit(e: FormEvent) {
    e.preventDefault();
    // The version the page shows: a change made meanwhile by someone else is a 409, offered as a reload.
    if (
      await command.run('agreements', `/agreements/${agreement.id}/${action}`, {
        body: agreementActionRequest(action, form),
        ifMatch: agreement.version,
      })
    )
      onDone();
  }
  return (
    <form className="form inline" onSubmit={submit} noValidate aria-label={label[action]}>
      <ActionFields
        idPrefix={`agreement-${action}`}
        fields={fields}
        labels={fieldLabel}
        form={form}
        onChange={(f, value) => setForm({ ...form, [f]: value })}
        errors={command.fields}
        multiline={['reason', 'objective', 'description']}
        inputProps={(f) => ({ type: f === 'occurredOn' ? 'date' : f === 'url' ? 'url' : 'text' })}
      />
      <FormFooter
        command={command}
        placed={fields.map(apiFieldName)}
        submit={label[action]}
        submitting="Saving…"
        onClose={onDone}
      />
    </form>
  );
}
