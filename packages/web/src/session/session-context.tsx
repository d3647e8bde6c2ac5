import { TopDogClient } from '@topdog/client';
import { createContext, useContext } from 'react';

export interface Session {
  client: TopDogClient;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session: its API client (the credential inside it) and sign-out. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/**
 * A client of the gateway that served this page, sending the credential with every request;
 * `onUnauthorized` is told when the API answers 401 (the credential was revoked or expired).
 */
export function clientFor(credential: string, onUnauthorized?: () => void): TopDogClient {
  const fetchWatching401: typeof fetch = async (input, init) => {
    const response = await window.fetch(input, init);
    if (response.status === 401) onUnauthorized?.();
    return response;
  };
  return new TopDogClient({ baseUrl: window.location.origin, apiKey: credential, fetch: fetchWatching401 });
}
