import { Choice } from '../components/Choice';
import { AgreementKinds, AlertSeverities, ImplementationStatuses } from '@tracker/contracts';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { query, saveBlob } from '../api/client';
import { fetchAllPages, useAllPages, usePaged } from '../api/hooks';
import type { Agreement, Alert, Milestone } from '../api/types';
import { useAuth } from '../auth';
import { EChart, type ChartOption } from '../components/EChart';
import { Empty, ErrorBox, Loading, MoreButton } from '../components/ui';
import { useCodeLists } from '../lib/code-lists';
import { countryName, formatDate, words } from '../lib/format';
import {
  byStatus,
  duePerMonth,
  partiesText,
  portfolioCsv,
  portfolioRows,
  sortRows,
  type PortfolioRow,
  type SortKey,
} from '../lib/portfolio';

const statuses = [...ImplementationStatuses, 'suspended', 'terminated', 'expired'];
const filterNames = ['q', 'country', 'commodity', 'status', 'kind'] as const;
const today = () => new Date().toISOString().slice(0, 10);

export function PortfolioPage() {
  const auth = useAuth();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(filterNames.map((n) => [n, params.get(n) ?? ''])) as Record<
    (typeof filterNames)[number],
    string
  >;
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'nextDueDate', dir: 'asc' });
  const codes = useCodeLists();
  const [search, setSearch] = useState(filters.q);

  const agreements = usePaged<Agreement>('agreements', `/agreements${query(filters)}`, { limit: 100 });
  const alerts = useAllPages<Alert>('alerts', '/alerts?status=open', {
    enabled: auth.can('alerts', 'monitor', 'stakeholder', 'auditor'),
  });
  const scheduled = useAllPages<Milestone>('milestones', '/milestones?status=scheduled', { maxPages: 10 });
  const inProgress = useAllPages<Milestone>('milestones', '/milestones?status=inProgress', { maxPages: 10 });

  const rows = useMemo(
    () => sortRows(portfolioRows(agreements.items, alerts.data?.items ?? []), sort.key, sort.dir),
    [agreements.items, alerts.data, sort],
  );
  const shownIds = useMemo(() => new Set(rows.map((r) => r.id)), [rows]);
  const open = useMemo(
    () =>
      [...(scheduled.data?.items ?? []), ...(inProgress.data?.items ?? [])].filter((m) =>
        shownIds.has(m.agreementId),
      ),
    [scheduled.data, inProgress.data, shownIds],
  );

  // Search as the user types, once they pause (not a request per keystroke).
  useEffect(() => {
    if (search === (params.get('q') ?? '')) return;
    const t = setTimeout(() => setFilter('q', search.trim()), 300);
    return () => clearTimeout(t);
  });

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  function sortBy(key: SortKey) {
    setSort((s) => ({ key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));
  }

  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => sortBy(key)}>
        {label}
        <span aria-hidden="true">{sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );

  return (
    <>
      <div className="page-head">
        <h1>Portfolio</h1>
        <div className="actions">
          {auth.can('agreements', 'monitor') && (
            <Link className="button" to="/agreements/new">
              Register an agreement
            </Link>
          )}
          <CsvButton
            path={`/agreements${query(filters)}`}
            alerts={alerts.data?.items ?? []}
            sort={sort}
            disabled={rows.length === 0}
          />
        </div>
      </div>

      <form
        className="filters"
        role="search"
        aria-label="Filter agreements"
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="field">
          <label htmlFor="f-q">Search</label>
          <input
            id="f-q"
            type="search"
            value={search}
            placeholder="title words"
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <Choice
          id="f-country"
          label="Country"
          value={filters.country}
          onChange={(v) => setFilter('country', v)}
          any="any"
          options={codes.countries.map((c) => [c, `${countryName(c)} (${c})`] as const)}
        />
        <Choice
          id="f-commodity"
          label="Commodity"
          value={filters.commodity}
          onChange={(v) => setFilter('commodity', v)}
          any="any"
          options={codes.commodities.map((c) => [c, words(c)] as const)}
        />
        <Choice
          id="f-status"
          label="Status"
          value={filters.status}
          onChange={(v) => setFilter('status', v)}
          any="any"
          options={statuses.map((s) => [s, words(s)] as const)}
        />
        <Choice
          id="f-kind"
          label="Kind"
          value={filters.kind}
          onChange={(v) => setFilter('kind', v)}
          any="any"
          options={AgreementKinds.map((k) => [k, words(k)] as const)}
        />
      </form>

      <PortfolioCharts
        rows={rows}
        open={open}
        complete={(scheduled.data?.complete ?? true) && (inProgress.data?.complete ?? true)}
        loading={scheduled.isLoading || inProgress.isLoading}
      />

      <ErrorBox error={agreements.error} />
      {agreements.isLoading ? (
        <Loading what="agreements" />
      ) : rows.length === 0 ? (
        <Empty>No agreement matches these filters.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="portfolio" aria-label="Agreements">
            <thead>
              <tr>
                {header('reference', 'Reference')}
                {header('title', 'Title')}
                <th scope="col">Parties</th>
                {header('signedOn', 'Signed')}
                {header('status', 'Status')}
                {header('progress', 'Milestones met')}
                {header('slips', 'Slipped')}
                {header('nextDueDate', 'Next due')}
                {header('alerts', 'Open alerts')}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <Row key={r.id} row={r} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton
        hasMore={agreements.hasNextPage}
        loading={agreements.isFetchingNextPage}
        onMore={() => agreements.fetchNextPage()}
        what="agreements"
      />
      {alerts.error ? <ErrorBox error={alerts.error} /> : null}
    </>
  );
}

/** Every agreement the filters match, not only the pages loaded, in the table's order. */
function CsvButton({
  path,
  alerts,
  sort,
  disabled,
}: {
  path: string;
  alerts: Alert[];
  sort: { key: SortKey; dir: 'asc' | 'desc' };
  disabled: boolean;
}) {
  const [loaded, setLoaded] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function run() {
    setError(null);
    setLoaded(0);
    try {
      const { items: all } = await fetchAllPages<Agreement>('agreements', path, { onPage: setLoaded });
      const csv = portfolioCsv(sortRows(portfolioRows(all, alerts), sort.key, sort.dir));
      saveBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), `portfolio-${today()}.csv`);
    } catch (err) {
      setError(err);
    } finally {
      setLoaded(null);
    }
  }
  return (
    <>
      <button type="button" onClick={run} disabled={disabled || loaded !== null}>
        {loaded === null ? 'Download CSV' : `Preparing the CSV… ${loaded} agreements`}
      </button>
      <ErrorBox error={error} />
    </>
  );
}

function Row({ row: r }: { row: PortfolioRow }) {
  return (
    <tr>
      <td>
        <Link to={`/agreements/${r.id}`}>{r.reference}</Link>
      </td>
      <td>{r.title}</td>
      <td>{partiesText(r)}</td>
      <td>
        {formatDate(r.signedOn, r.datePrecision)}
        {r.datePrecision !== 'day' && r.datePrecision !== 'unknown' && (
          <span className="muted"> ({r.datePrecision})</span>
        )}
      </td>
      <td>
        <span className={`status status-${r.status}`}>{words(r.status)}</span>
      </td>
      <td>
        {r.met} / {r.total}
      </td>
      <td>{r.slips}</td>
      <td>{r.nextDueDate ? formatDate(r.nextDueDate) : '—'}</td>
      <td>
        <AlertBadges counts={r.openAlerts} />
      </td>
    </tr>
  );
}

export function AlertBadges({ counts }: { counts: PortfolioRow['openAlerts'] }) {
  const present = [...AlertSeverities].reverse().filter((s) => counts[s] > 0);
  if (present.length === 0) return <span className="muted">none</span>;
  return (
    <span className="badges">
      {present.map((s) => (
        <span key={s} className={`badge sev-${s}`}>
          {counts[s]} {s}
        </span>
      ))}
    </span>
  );
}

function PortfolioCharts({
  rows,
  open,
  complete,
  loading,
}: {
  rows: PortfolioRow[];
  open: Milestone[];
  complete: boolean;
  loading: boolean;
}) {
  const statusData = useMemo(() => byStatus(rows), [rows]);
  const months = useMemo(() => duePerMonth(open, today()), [open]);
  const statusOption: ChartOption = useMemo(
    () => ({
      grid: { left: 130, right: 24, top: 8, bottom: 24 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: statusData.map((s) => words(s.status)) },
      series: [
        {
          type: 'bar',
          name: 'agreements',
          data: statusData.map((s) => s.count),
          itemStyle: { color: '#1f5f8b' },
          label: { show: true, position: 'right' },
        },
      ],
    }),
    [statusData],
  );
  const monthOption: ChartOption = useMemo(
    () => ({
      grid: { left: 40, right: 16, top: 28, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: months.map((m) => m.month), axisLabel: { rotate: 45 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: 'overdue',
          stack: 'due',
          data: months.map((m) => m.overdue),
          itemStyle: { color: '#b3261e' },
        },
        {
          type: 'bar',
          name: 'due',
          stack: 'due',
          data: months.map((m) => m.due),
          itemStyle: { color: '#1f5f8b' },
        },
      ],
    }),
    [months],
  );
  const statusLabel = `Agreements by status: ${statusData.map((s) => `${words(s.status)} ${s.count}`).join(', ') || 'none'}`;
  const monthLabel = `Open milestones due per month: ${months.map((m) => `${m.month} ${m.due + m.overdue}${m.overdue ? ` (${m.overdue} overdue)` : ''}`).join(', ') || 'none'}`;
  return (
    <section className="charts" aria-label="Portfolio charts">
      <figure>
        <figcaption>Agreements by status</figcaption>
        <EChart option={statusOption} label={statusLabel} height={200} testId="chart-status" />
      </figure>
      <figure>
        <figcaption>
          Open milestones due per month
          {!complete && <span className="muted"> (the first 1,000 scheduled and 1,000 in progress)</span>}
        </figcaption>
        {loading ? (
          <Loading what="milestones" />
        ) : months.length === 0 ? (
          <Empty>No open milestone.</Empty>
        ) : (
          <EChart option={monthOption} label={monthLabel} height={200} testId="chart-due" />
        )}
      </figure>
    </section>
  );
}
