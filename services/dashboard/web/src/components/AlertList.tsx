import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useCommand } from '../api/command';
import { get } from '../api/client';
import type { Agreement, Alert } from '../api/types';
import { useAuth } from '../auth';
import { alertKindLabel, alertSummary } from '../lib/alerts';
import { formatInstant, words } from '../lib/format';
import { Empty, ErrorBox, Loading, MoreButton } from './ui';

interface PagedAlerts {
  items: Alert[];
  isLoading: boolean;
  error: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** The agreements alerts name, by id (each fetched once and cached), so an alert shows a reference, not a uuid. */
function useReferences(ids: string[]): Map<string, string> {
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

export function AlertList({
  list,
  empty,
  extra = [],
}: {
  list: PagedAlerts;
  empty: string;
  extra?: Alert[];
}) {
  const all = [...extra.filter((e) => !list.items.some((i) => i.id === e.id)), ...list.items];
  const refs = useReferences(all.map((a) => a.agreementId));
  if (list.isLoading) return <Loading what="alerts" />;
  if (list.error) return <ErrorBox error={list.error} />;
  if (all.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <ul className="alerts" aria-label="Alerts">
        {all.map((a) => (
          <AlertItem key={a.id} a={a} reference={refs.get(a.agreementId) ?? '…'} />
        ))}
      </ul>
      <MoreButton
        hasMore={list.hasNextPage}
        loading={list.isFetchingNextPage}
        onMore={() => list.fetchNextPage()}
        what="alerts"
      />
    </>
  );
}

function AlertItem({ a, reference }: { a: Alert; reference: string }) {
  const auth = useAuth();
  const command = useCommand();
  const [note, setNote] = useState('');
  const [acked, setAcked] = useState<Alert | null>(null);
  const shown = acked ?? a;
  // Acknowledging is each stakeholder's own: someone else's acknowledgement leaves it open for this one.
  const canAck = auth.can('alerts', 'stakeholder') && shown.status !== 'resolved' && (shown.mine?.state ?? 'open') === 'open';
  async function ack() {
    const done = await command.run<Alert>('alerts', `/alerts/${a.id}/ack`, {
      body: note.trim() ? { note: note.trim() } : {},
    });
    if (done) setAcked(done.data);
  }
  return (
    <li
      className={`alert sev-border-${shown.severity}`}
      data-alert-kind={shown.kind}
      data-alert-status={shown.status}
    >
      <div className="alert-head">
        <span className={`badge sev-${shown.severity}`}>{shown.severity}</span>
        <strong>{alertKindLabel(shown.kind)}</strong>
        <span className="muted">{formatInstant(shown.raisedAt)}</span>
        <span className={`status status-${shown.status}`}>{words(shown.status)}</span>
        {shown.inhibited && <span className="muted">held back: {words(shown.inhibited)}</span>}
      </div>
      <p>
        <Link to={`/agreements/${shown.agreementId}`}>{reference}</Link>
        {shown.milestoneTitle && <> · {shown.milestoneTitle}</>}
      </p>
      <p className="alert-summary">{alertSummary(shown)}</p>
      {canAck && (
        <div className="ack">
          <label htmlFor={`ack-${a.id}`}>Note (optional)</label>
          <input id={`ack-${a.id}`} value={note} onChange={(e) => setNote(e.target.value)} />
          <button type="button" onClick={ack} disabled={command.busy}>
            {command.busy ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        </div>
      )}
      <ErrorBox error={command.error} onReload={command.reload} />
    </li>
  );
}
