import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { ErrorBox } from '../components/ui';

export function SignInPage() {
  const { signIn } = useAuth();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Agreement tracker</h1>
      <p>
        International agreements followed from signing to outcome: milestones, slips, alerts and their
        evidence.
      </p>
      <form onSubmit={submit} aria-label="Sign in">
        <label htmlFor="api-key">API key</label>
        <span className="hint" id="api-key-hint">
          Kept for this browser session only. On a development stack: dev-monitor, dev-stakeholder,
          dev-auditor or dev-admin.
        </span>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby="api-key-hint"
          required
        />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}
