import { TopDogApiError } from '@topdog/client';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../ui/ErrorMessage';
import { clientFor } from './session-context';

/**
 * Sign-in with an API key (or an OIDC access token): checked against the API at once (listing
 * one workflow needs any valid credential), then kept for the tab by the caller.
 */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (credential: string) => void; notice?: string }) {
  const [credential, setCredential] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = credential.trim();
    if (!value) {
      setError(new TopDogApiError(400, 'VALIDATION_FAILED', 'enter an API key', [{ field: 'API key', reason: 'required' }]));
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await clientFor(value).list({ limit: 1 });
      onSignedIn(value);
    } catch (err) {
      setError(err);
    } finally {
      setChecking(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <h1>TopDog</h1>
      <p>
        Sign in with an API key (<code>tdk_…</code>) or an access token. It is kept in this tab only, until you sign out or close it.
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-busy={checking}>
        <label htmlFor="credential">API key</label>
        <input
          id="credential"
          name="credential"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={credential}
          onChange={(e) => setCredential(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'sign-in-error' : undefined}
          autoFocus
        />
        <button type="submit" disabled={checking}>
          {checking ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <div id="sign-in-error">
        <ErrorMessage error={error} />
      </div>
    </main>
  );
}
