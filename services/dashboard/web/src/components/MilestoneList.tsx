import { useState, type FormEvent } from 'react';
import { useCommand } from '../api/command';
import { usePaged } from '../api/hooks';
import type { Milestone } from '../api/types';
import { useAuth } from '../auth';
import { formatDate, signedDays, words } from '../lib/format';
import {
  actionFields,
  emptyActionForm,
  milestoneActionRequest,
  type MilestoneAction,
  type MilestoneActionForm,
} from '../lib/forms';
import { MilestoneForecast } from './MilestoneForecast';
import {
  ActionFields,
  ActionToggles,
  apiFieldName,
  Empty,
  ErrorBox,
  FormFooter,
  Loading,
  MoreButton,
} from './ui';

const actionsFor: Record<string, MilestoneAction[]> = {
  scheduled: ['start', 'progress', 'reschedule', 'met', 'partially-met', 'not-met', 'cancel'],
  inProgress: ['progress', 'reschedule', 'met', 'partially-met', 'not-met', 'cancel'],
};
const actionLabel: Record<MilestoneAction, string> = {
  start: 'Start',
  progress: 'Report progress',
  reschedule: 'Reschedule',
  met: 'Mark met',
  'partially-met': 'Mark partially met',
  'not-met': 'Mark not met',
  cancel: 'Cancel',
};

export function MilestoneList({ agreementId, canAct }: { agreementId: string; canAct: boolean }) {
  const list = usePaged<Milestone>('milestones', `/milestones?agreementId=${agreementId}`, { limit: 100 });
  if (list.isLoading) return <Loading what="milestones" />;
  if (list.error) return <ErrorBox error={list.error} />;
  if (list.items.length === 0) return <Empty>No milestone planned yet.</Empty>;
  const items = [...list.items].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  return (
    <>
      <ul className="milestones">
        {items.map((m) => (
          <MilestoneItem key={m.id} m={m} canAct={canAct} />
        ))}
      </ul>
      <MoreButton
        hasMore={list.hasNextPage}
        loading={list.isFetchingNextPage}
        onMore={() => list.fetchNextPage()}
        what="milestones"
      />
    </>
  );
}

function MilestoneItem({ m, canAct }: { m: Milestone; canAct: boolean }) {
  const [action, setAction] = useState<MilestoneAction | null>(null);
  const auth = useAuth();
  const actions = canAct ? (actionsFor[m.status] ?? []) : [];
  return (
    <li className="milestone" data-milestone={m.title}>
      <div className="milestone-head">
        <h3>{m.title}</h3>
        <span className={`status status-${m.status}`}>{words(m.status)}</span>
        {m.overdue && <span className="badge sev-high">overdue</span>}
      </div>
      <p>
        {words(m.type)} · due <strong>{formatDate(m.dueDate)}</strong>
        {m.plannedDueDate !== m.dueDate && (
          <span className="muted"> (originally {formatDate(m.plannedDueDate)})</span>
        )}{' '}
        · {m.percent}% done
        {m.responsibleParty && ` · responsible: ${m.responsibleParty}`}
      </p>
      {m.slips.length > 0 && (
        <div>
          <span className="slip-count">
            Slipped {m.slipCount} time{m.slipCount === 1 ? '' : 's'}
          </span>
          <ol className="slips" aria-label={`Reschedules of ${m.title}`}>
            {m.slips.map((s, i) => (
              <li key={i}>
                {formatDate(s.previousDueDate)} → {formatDate(s.newDueDate)} ({signedDays(s.slipDays)}):{' '}
                {s.reason}
              </li>
            ))}
          </ol>
        </div>
      )}
      {m.evidence.length > 0 && (
        <p>
          Evidence:{' '}
          {m.evidence.map((e, i) => (
            <span key={e.url + i}>
              {i > 0 && ', '}
              {/^https?:\/\//i.test(e.url) ? (
                <a href={e.url} target="_blank" rel="noopener noreferrer">
                  {e.title ?? e.url}
                </a>
              ) : (
                (e.title ?? e.url)
              )}
            </span>
          ))}
        </p>
      )}
      {m.status === 'inProgress' && auth.can('alerts', 'monitor', 'stakeholder', 'auditor') && (
        <MilestoneForecast m={m} />
      )}
      {actions.length > 0 && (
        <ActionToggles
          label={`Act on ${m.title}`}
          actions={actions}
          labels={actionLabel}
          pressed={action}
          onPress={setAction}
        />
      )}
      {action && <MilestoneActionFormView m={m} action={action} onDone={() => setAction(null)} />}
    </li>
  );
}

const labels: Record<keyof MilestoneActionForm, string> = {
  occurredOn: 'Happened on (leave empty for today)',
  percent: 'Percent done',
  note: 'Note',
  newDueDate: 'New due date',
  reason: 'Reason',
  metOn: 'Reached on',
  evidence: 'Evidence links',
};

function MilestoneActionFormView({
  m,
  action,
  onDone,
}: {
  m: Milestone;
  action: MilestoneAction;
  onDone: () => void;
}) {
  const [form, setForm] = useState<MilestoneActionForm>(emptyActionForm);
  const command = useCommand();
  const fields = actionFields[action];

  async function submit(e: FormEvent) {
    e.preventDefault();
    // The version the user saw: if someone changed the milestone since, the API answers 409.
    const done = await command.run('milestones', `/milestones/${m.id}/${action}`, {
      body: milestoneActionRequest(action, form),
      ifMatch: m.version,
    });
    if (done) onDone();
  }
  return (
    <form
      className="form inline"
      onSubmit={submit}
      noValidate
      aria-label={`${actionLabel[action]}: ${m.title}`}
    >
      <ActionFields
        idPrefix={`${m.id}-${action}`}
        fields={fields}
        labels={labels}
        form={form}
        onChange={(f, value) => setForm({ ...form, [f]: value })}
        errors={command.fields}
        multiline={['evidence', 'note', 'reason']}
        inputProps={(f) => (f === 'percent' ? { type: 'number', min: 0, max: 100 } : { type: 'date' })}
        hints={{ evidence: 'One per line: the URL, then a title' }}
      />
      <FormFooter
        command={command}
        placed={fields.map(apiFieldName)}
        submit={actionLabel[action]}
        submitting="Saving…"
        onClose={onDone}
      />
    </form>
  );
}
