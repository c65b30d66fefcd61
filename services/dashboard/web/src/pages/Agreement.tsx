import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, get } from '../api/client';
import { useCatchUp, usePaged } from '../api/hooks';
import type { Agreement, Alert, Timeline } from '../api/types';
import { useAuth } from '../auth';
import { AgreementActions } from '../components/AgreementActions';
import { AgreementHistory } from '../components/AgreementHistory';
import { AlertList } from '../components/AlertList';
import { MilestoneList } from '../components/MilestoneList';
import { PlanMilestone } from '../components/PlanMilestone';
import { TimelineChart } from '../components/TimelineChart';
import { Empty, ErrorBox, Loading } from '../components/ui';
import { countryName, formatDate, precisionLabel, words } from '../lib/format';
import { layoutTimeline, type TimelineLayout } from '../lib/timeline';

export function AgreementPage() {
  const { id = '' } = useParams();
  const auth = useAuth();
  const agreement = useQuery({
    queryKey: ['agreements', `/agreements/${id}`],
    queryFn: ({ signal }) => get<Agreement>('agreements', `/agreements/${id}`, signal),
  });
  const a = agreement.data;

  if (agreement.isLoading) return <Loading what="the agreement" />;
  if (!a) return <ErrorBox error={agreement.error} />;
  const open = a.lifecycle === 'active';
  return (
    <>
      <p className="crumbs">
        <Link to="/">Portfolio</Link> › {a.reference}
      </p>
      <div className="page-head">
        <h1>
          <span className="ref">{a.reference}</span> {a.title}
        </h1>
        <span className={`status status-${a.status}`}>{words(a.status)}</span>
      </div>
      <AgreementFacts a={a} />
      {auth.can('agreements', 'monitor') && <AgreementActions agreement={a} />}
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <TimelineSection agreement={a} />
      </section>
      <section aria-labelledby="milestones-h">
        <h2 id="milestones-h">Milestones</h2>
        <MilestoneList agreementId={a.id} canAct={auth.can('milestones', 'monitor') && open} />
        {auth.can('milestones', 'monitor') && open && <PlanMilestone agreementId={a.id} />}
        {!open && (
          <p className="muted">This agreement is {a.lifecycle}: its milestones are not changed from here.</p>
        )}
      </section>
      {auth.can('alerts', 'monitor', 'stakeholder', 'auditor') && (
        <section aria-labelledby="alerts-h">
          <h2 id="alerts-h">Open alerts</h2>
          <AgreementAlerts agreementId={a.id} />
        </section>
      )}
      {auth.can('agreements', 'auditor') && (
        <section aria-labelledby="history-h">
          <h2 id="history-h">History</h2>
          <AgreementHistory agreementId={a.id} />
        </section>
      )}
    </>
  );
}

function AgreementFacts({ a }: { a: Agreement }) {
  return (
    <section aria-label="Facts" className="facts">
      <dl>
        <dt>Kind</dt>
        <dd>{words(a.kind)}</dd>
        <dt>Parties</dt>
        <dd>
          <ul>
            {a.parties.map((p) => (
              <li key={`${p.country}-${p.name}`}>
                {p.name}
                {p.country && (
                  <span className="muted">
                    {' '}
                    ({countryName(p.country)}, {p.country})
                  </span>
                )}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Signatories</dt>
        <dd>
          {a.signatories.length ? (
            <ul>
              {a.signatories.map((s) => (
                <li key={s.name}>
                  {s.name}
                  {s.title && `, ${s.title}`}
                  {s.party && <span className="muted"> ({s.party})</span>}
                </li>
              ))}
            </ul>
          ) : (
            'not recorded'
          )}
        </dd>
        <dt>Signed</dt>
        <dd>
          {formatDate(a.signedOn, a.datePrecision)}{' '}
          <span className="muted">({precisionLabel(a.datePrecision)})</span>
        </dd>
        {a.place && (
          <>
            <dt>Place</dt>
            <dd>{a.place}</dd>
          </>
        )}
        {a.context && (
          <>
            <dt>Context</dt>
            <dd>{a.context}</dd>
          </>
        )}
        <dt>Commodities</dt>
        <dd>{a.commodities.length ? a.commodities.map(words).join(', ') : 'none recorded'}</dd>
        <dt>Objectives</dt>
        <dd>
          {a.objectives.length ? (
            <ul>
              {a.objectives.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          ) : (
            'none recorded'
          )}
        </dd>
        <dt>Targets</dt>
        <dd>
          {a.targets.length ? (
            <ul>
              {a.targets.map((t) => (
                <li key={t.description}>
                  {t.description}
                  {t.amount !== undefined &&
                    ` — ${t.currency ?? ''} ${t.amount.toLocaleString('en')} ${t.unit ?? ''}`.trimEnd()}
                  {t.byDate && <span className="muted"> by {formatDate(t.byDate)}</span>}
                </li>
              ))}
            </ul>
          ) : (
            'none recorded'
          )}
        </dd>
        <dt>Sources</dt>
        <dd>
          {a.sources.length ? (
            <ul>
              {a.sources.map((s) => (
                <li key={s.title}>
                  {s.url && /^https?:\/\//i.test(s.url) ? (
                    <a href={s.url} target="_blank" rel="noopener noreferrer">
                      {s.title}
                    </a>
                  ) : (
                    s.title
                  )}
                  {(s.publisher || s.published) && (
                    <span className="muted"> — {[s.publisher, s.published].filter(Boolean).join(', ')}</span>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            'none recorded'
          )}
        </dd>
      </dl>
    </section>
  );
}

/** The lifecycle the timeline shows, to tell whether the milestones service has caught up with the agreement's. */
function lifecycleOf(layout: TimelineLayout): string {
  if (layout.endedOn) return layout.endedOn.how;
  return layout.suspensions.some((p) => p.to === null) ? 'suspended' : 'active';
}

function TimelineSection({ agreement }: { agreement: Agreement }) {
  const today = new Date().toISOString().slice(0, 10);
  const signing = { signedOn: agreement.signedOn, datePrecision: agreement.datePrecision };
  const catchUp = useCatchUp();
  const timeline = useQuery({
    queryKey: ['milestones', `/agreements/${agreement.id}/timeline`],
    queryFn: ({ signal }) => get<Timeline>('milestones', `/agreements/${agreement.id}/timeline`, signal),
    // The milestones service learns of the agreement's changes through Kafka, a moment after the agreements
    // service: ask again while the timeline does not know the agreement yet (404) or shows another lifecycle.
    refetchInterval: (q) =>
      catchUp(
        (q.state.error instanceof ApiError && q.state.error.status === 404) ||
          (q.state.data !== undefined &&
            lifecycleOf(layoutTimeline(q.state.data.steps, today, signing)) !== agreement.lifecycle),
      ),
  });
  const layout = useMemo(
    () =>
      timeline.data &&
      layoutTimeline(timeline.data.steps, today, {
        signedOn: agreement.signedOn,
        datePrecision: agreement.datePrecision,
      }),
    [timeline.data, today, agreement.signedOn, agreement.datePrecision],
  );
  if (timeline.isLoading) return <Loading what="the timeline" />;
  if (timeline.error instanceof ApiError && timeline.error.status === 404)
    return <Loading what="the timeline (the milestones service is learning of this agreement)" />;
  if (!layout) return <ErrorBox error={timeline.error} />;
  if (layout.lanes.length === 0)
    return <Empty>No milestone planned yet: the timeline starts with the first one.</Empty>;
  return (
    <>
      <TimelineChart layout={layout} />
      <p className="muted legend-note">
        Drawn in business time (when things happened). Light bar: the planned span; dark fill: progress;
        orange: a slip (hover for its days and reason); ◇ original and ◆ current due date; ● met, ▲ partially
        met, ◆ red not met, ■ cancelled; shaded: suspended.
      </p>
    </>
  );
}

function AgreementAlerts({ agreementId }: { agreementId: string }) {
  const alerts = usePaged<Alert>('alerts', `/alerts?agreementId=${agreementId}&status=open`, { limit: 20 });
  return <AlertList list={alerts} empty="No open alert for this agreement." />;
}
