import { useCallback, useMemo, useState } from 'react';
import { ComparePage } from '../compare/ComparePage';
import { credentialStorage } from '../session/credential-storage';
import { clientFor, SessionContext, type Session } from '../session/session-context';
import { SignIn } from '../session/SignIn';
import { WorkflowPage } from '../workflow/WorkflowPage';
import { WorkflowsPage } from '../workflows/WorkflowsPage';
import { hrefOf } from './routes';
import { useRoute } from './use-route';

/** The dashboard: sign-in until a credential is kept, then the page the address names. */
export function App() {
  const [credential, setCredential] = useState(() => credentialStorage.read());
  const [notice, setNotice] = useState<string | undefined>();
  const route = useRoute();

  /** Signs `from` out (only if it is still the credential in use: a late 401 of an earlier session changes nothing). */
  const signOut = useCallback((from: string, why: string) => {
    if (credentialStorage.read() !== from) return;
    credentialStorage.clear();
    setCredential(null);
    setNotice(why);
  }, []);

  const session = useMemo<Session | null>(() => {
    if (!credential) return null;
    // A credential revoked or expired meanwhile: back to sign-in, saying so.
    const client = clientFor(credential, () => signOut(credential, 'Your credential is no longer accepted: sign in again.'));
    return { client, signOut: () => signOut(credential, 'You are signed out.') };
  }, [credential, signOut]);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(value) => {
          credentialStorage.write(value);
          setNotice(undefined);
          setCredential(value);
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="top-bar">
        <a className="brand" href={hrefOf({ page: 'workflows' })}>
          TopDog
        </a>
        <nav aria-label="Main">
          <a href={hrefOf({ page: 'workflows' })} aria-current={route.page === 'workflows' ? 'page' : undefined}>
            Workflows
          </a>
          <a href="/docs" target="_blank" rel="noopener noreferrer">
            API docs
          </a>
        </nav>
        <button type="button" className="secondary" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'workflows' && <WorkflowsPage />}
        {route.page === 'workflow' && <WorkflowPage key={route.workflowId} workflowId={route.workflowId} />}
        {route.page === 'compare' && <ComparePage key={`${route.a}/${route.b}`} a={route.a} b={route.b} />}
        {route.page === 'not-found' && (
          <section>
            <h1>Not found</h1>
            <p>
              No page here. <a href={hrefOf({ page: 'workflows' })}>See the workflows</a>.
            </p>
          </section>
        )}
      </main>
    </SessionContext.Provider>
  );
}
