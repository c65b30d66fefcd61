/** An agreement's merged history (its own, its milestones' and its alerts' events) with filters, for auditors. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, query } from '../api/client';
import { usePaged } from '../api/hooks';
import type { Agreement, Alert, HistoryEntry, Milestone } from '../api/types';
import { formatDate, formatInstant, words } from '../lib/format';
import { Empty, ErrorBox, Loading, MoreButton } from './ui';

const sources = ['agreements', 'milestones', 'alerts'];

export function AgreementHistory({ agreementId }: { agreementId: string }) {
  const [order, setOrder] = useState<'recorded' | 'business'>('recorded');
  const [source, setSource] = useState('');
  const [type, setType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const path = `/agreements/${agreementId}/history${query({ order, source, type: type.trim(), from: from && `${from}T00:00:00Z`, to: to && `${to}T23:59:59Z` })}`;
  const list = usePaged<HistoryEntry>('agreements', path, { limit: 50 });
  return (
    <>
      <form className="filters" aria-label="Filter the history" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`h-order-${agreementId}`}>Order</label>
          <select
            id={`h-order-${agreementId}`}
            value={order}
            onChange={(e) => setOrder(e.target.value as typeof order)}
          >
            <option value="recorded">as recorded</option>
            <option value="business">as it happened</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`h-source-${agreementId}`}>Service</label>
          <select id={`h-source-${agreementId}`} value={source} onChange={(e) => setSource(e.target.value)}>
            <option value="">all</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`h-type-${agreementId}`}>Event type</label>
          <input
            id={`h-type-${agreementId}`}
            value={type}
            placeholder="e.g. milestone.rescheduled"
            onChange={(e) => setType(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`h-from-${agreementId}`}>From</label>
          <input
            id={`h-from-${agreementId}`}
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`h-to-${agreementId}`}>To</label>
          <input id={`h-to-${agreementId}`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </form>
      <ErrorBox error={list.error} />
      {list.isLoading ? (
        <Loading what="the history" />
      ) : list.items.length === 0 ? (
        <Empty>No event matches these filters.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-label="History">
            <thead>
              <tr>
                <th scope="col">Happened</th>
                <th scope="col">Recorded</th>
                <th scope="col">Service</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">Stream version</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => (
                <tr key={e.eventId}>
                  <td>{formatInstant(e.occurredAt)}</td>
                  <td>{formatInstant(e.recordedAt)}</td>
                  <td>{String(e.source ?? '')}</td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>{e.actor ? `${e.actor.id} (${e.actor.role})` : ''}</td>
                  <td>{String(e['streamVersion'] ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton
        hasMore={list.hasNextPage}
        loading={list.isFetchingNextPage}
        onMore={() => list.fetchNextPage()}
        what="events"
      />
    </>
  );
}

interface AsOf {
  validAt: string | null;
  knownAt: string | null;
  agreement: Agreement;
  milestones: Milestone[];
  openAlerts: Alert[];
}

/** The agreement as it stood at a chosen date (business time), optionally as recorded by another date. */
export function AsOfView({ agreementId }: { agreementId: string }) {
  const [validAt, setValidAt] = useState('');
  const [knownAt, setKnownAt] = useState('');
  const path = `/agreements/${agreementId}/as-of${query({ validAt, knownAt: knownAt && `${knownAt}T23:59:59Z` })}`;
  const asOf = useQuery({
    queryKey: ['agreements', path],
    enabled: !!validAt,
    queryFn: ({ signal }) => get<AsOf>('agreements', path, signal),
  });
  const a = asOf.data?.agreement;
  return (
    <>
      <form className="filters" aria-label="Choose a date" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`asof-${agreementId}`}>As it stood on</label>
          <input
            id={`asof-${agreementId}`}
            type="date"
            value={validAt}
            onChange={(e) => setValidAt(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`known-${agreementId}`}>As recorded by (optional)</label>
          <input
            id={`known-${agreementId}`}
            type="date"
            value={knownAt}
            onChange={(e) => setKnownAt(e.target.value)}
          />
        </div>
      </form>
      {!validAt ? (
        <Empty>Choose a date to see the agreement as it stood then.</Empty>
      ) : asOf.isLoading ? (
        <Loading what="the agreement as of that date" />
      ) : asOf.error ? (
        <ErrorBox error={asOf.error} />
      ) : a ? (
        <div className="as-of" data-testid="as-of">
          <p>
            On {formatDate(validAt)}: <span className={`status status-${a.status}`}>{words(a.status)}</span>,{' '}
            {asOf.data!.milestones.length} milestone(s), {asOf.data!.openAlerts.length} open alert(s).
          </p>
          {asOf.data!.milestones.length > 0 && (
            <ul>
              {asOf.data!.milestones.map((m) => (
                <li key={m.id}>
                  {m.title}: {words(m.status)}, due {formatDate(m.dueDate)}, {m.percent}%
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </>
  );
}
