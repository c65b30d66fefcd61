import { Choice } from '../components/Choice';
import { useEffect, useState } from 'react';
import { call, download, query, type Service } from '../api/client';
import { usePaged } from '../api/hooks';
import type { Agreement, Verification } from '../api/types';
import { useAuth } from '../auth';
import { AgreementHistory, AsOfView } from '../components/AgreementHistory';
import { ErrorBox, MoreButton } from '../components/ui';
import { words } from '../lib/format';

const services: Service[] = ['agreements', 'milestones', 'alerts'];

export function AuditPage() {
  const auth = useAuth();
  const agreements = usePaged<Agreement>('agreements', '/agreements', { limit: 100 });
  const [agreementId, setAgreementId] = useState('');
  if (!auth.can('agreements', 'auditor')) return <p>The audit needs the auditor role.</p>;
  return (
    <>
      <h1>Audit</h1>
      <section aria-labelledby="verify-h">
        <h2 id="verify-h">Verify the event history</h2>
        <p>
          Each service recomputes the hash chain of every stream it stores and names any link that does not
          hold.
        </p>
        <div className="cards">
          {services.map((s) => (
            <VerifyCard key={s} service={s} />
          ))}
        </div>
      </section>
      <section aria-labelledby="export-h">
        <h2 id="export-h">Export</h2>
        <p>Every stored event, with its hash chain, as NDJSON: one line per event, verifiable offline.</p>
        <Choice
          id="export-agreement"
          label="Agreement"
          value={agreementId}
          onChange={setAgreementId}
          any="all agreements"
          options={agreements.items.map((a) => [a.id, a.reference] as const)}
        />
        <div className="actions">
          {services.map((s) => (
            <ExportButton key={s} service={s} agreementId={agreementId} />
          ))}
        </div>
      </section>
      <section aria-labelledby="audit-history-h">
        <h2 id="audit-history-h">Agreement history</h2>
        <Choice
          id="audit-agreement"
          label="Agreement"
          value={agreementId}
          onChange={setAgreementId}
          any="choose…"
          options={agreements.items.map((a) => [a.id, `${a.reference} — ${a.title}`] as const)}
        />
        <MoreButton
          hasMore={agreements.hasNextPage}
          loading={agreements.isFetchingNextPage}
          onMore={() => agreements.fetchNextPage()}
          what="agreements into the lists"
        />
        {agreementId && (
          <>
            <h3>As of a date</h3>
            <AsOfView key={`asof-${agreementId}`} agreementId={agreementId} />
            <h3>Events</h3>
            <AgreementHistory key={agreementId} agreementId={agreementId} />
          </>
        )}
      </section>
    </>
  );
}

/** Seconds since `startedAt` while running, ticking four times a second, so a long check shows it is still going. */
function useElapsed(startedAt: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (startedAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [startedAt]);
  return startedAt === null ? 0 : Math.max(0, Math.floor((now - startedAt) / 1000));
}

function VerifyCard({ service }: { service: Service }) {
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const running = startedAt !== null;
  const elapsed = useElapsed(startedAt);
  async function verify() {
    setStartedAt(Date.now());
    setError(null);
    try {
      setResult((await call<Verification>(service, '/audit/verify')).data);
    } catch (err) {
      setError(err);
    } finally {
      setStartedAt(null);
    }
  }
  return (
    <div className="card" data-testid={`verify-${service}`}>
      <h3>{service}</h3>
      <button type="button" onClick={verify} disabled={running}>
        {running ? `Verifying… ${elapsed}s` : result ? 'Verify again' : 'Verify'}
      </button>
      {running && <progress aria-label={`Verifying ${service}`} />}
      <div aria-live="polite">
        {result && (
          <div className={result.ok ? 'ok' : 'error'} data-ok={result.ok}>
            <strong>
              {result.ok ? 'Verified: every link holds' : `${result.broken.length} broken link(s)`}
            </strong>
            <p>
              {result.streamsChecked} streams, {result.eventsChecked} events checked in {result.tookMs} ms
            </p>
            {result.broken.length > 0 && (
              <ul>
                {result.broken.map((b, i) => (
                  <li key={i}>
                    <code>{b.streamId}</code> at version {b.streamVersion} (event <code>{b.eventId}</code>):{' '}
                    {words(b.reason)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <ErrorBox error={error} />
    </div>
  );
}

function ExportButton({ service, agreementId }: { service: Service; agreementId: string }) {
  const [bytes, setBytes] = useState<number | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run() {
    setRunning(true);
    setError(null);
    setBytes(0);
    try {
      await download(
        service,
        `/audit/export${query({ agreementId })}`,
        `${service}-${agreementId || 'all'}.ndjson`,
        setBytes,
      );
    } catch (err) {
      setError(err);
    } finally {
      setRunning(false);
    }
  }
  return (
    <span className="export">
      <button type="button" onClick={run} disabled={running}>
        {running
          ? `Exporting ${service}… ${((bytes ?? 0) / 1024).toFixed(0)} KiB`
          : `Download ${service} export`}
      </button>
      {!running && bytes !== null && !error && (
        <span className="muted"> {(bytes / 1024).toFixed(1)} KiB saved</span>
      )}
      <ErrorBox error={error} />
    </span>
  );
}
