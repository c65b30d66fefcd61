/**
 * The completion forecast in a milestone's row: projected date with its band, the pace, at risk or not, the
 * reason in words, and the chart. The alerts service computes it from the progress reports it has heard of.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiError, get } from '../api/client';
import { useCatchUp } from '../api/hooks';
import type { Forecast, Milestone } from '../api/types';
import { summariseForecast } from '../lib/forecast';
import { ForecastChart } from './ForecastChart';
import { ErrorBox } from './ui';

const notKnown = (error: unknown) => error instanceof ApiError && error.status === 404;

export function MilestoneForecast({ m }: { m: Milestone }) {
  const catchUp = useCatchUp({ giveUpMs: 60_000 });
  const path = `/forecasts/${m.id}`;
  const forecast = useQuery({
    queryKey: ['alerts', path],
    queryFn: ({ signal }) => get<Forecast>('alerts', path, signal),
    // The alerts service hears of progress reports through Kafka, a moment after the milestones service: ask
    // again while it does not know the milestone (404) or knows an older version of it than this page shows.
    refetchInterval: (q) =>
      catchUp(
        notKnown(q.state.error) || (q.state.data !== undefined && q.state.data.milestoneVersion < m.version),
        m.version,
      ),
    retry: (count, error) => !notKnown(error) && count < 2,
  });
  if (forecast.isLoading) return null;
  if (forecast.error && !notKnown(forecast.error)) return <ErrorBox error={forecast.error} />;
  const f = forecast.data ?? null;
  const s = summariseForecast(f);
  return (
    <div className="forecast" data-testid="forecast">
      <p>
        <strong>Forecast:</strong>{' '}
        {s.projected ? (
          <>
            {s.projected} · {s.pace}
          </>
        ) : (
          s.reason
        )}
        {s.risk && (
          <>
            {' '}
            <span className="badge sev-high">{s.risk}</span>
          </>
        )}
      </p>
      {s.projected && <p className="muted">{s.reason}</p>}
      {f && <ForecastChart title={m.title} forecast={f} />}
    </div>
  );
}
