import { createContext, useCallback, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, del, get, post, SESSION_ENDED } from '../api/client.ts';
import type { Scope, Session } from '../api/types.ts';

/**
 * Who is signed in and what their role allows. The UI hides what a role lacks (a viewer sees no
 * reply box, an agent no connector install); the server enforces the same scopes on every call.
 */
interface SessionApi {
  session: Session;
  can(scope: Scope): boolean;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);
export const SESSION_KEY = ['session'];

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

/** Same rule as the server's hasScope: admin implies every scope. */
export const hasScope = (scopes: readonly string[], needed: Scope) => scopes.includes('admin') || scopes.includes(needed);

export function useCan() {
  return useSession().can;
}

export async function signIn(email: string, password: string): Promise<void> {
  await post('/v1/sessions', { email, password });
}

/**
 * A platform's sign-in link, `/#sign_in_token=sbt_…` (token exchange, docs/platforms.md): the
 * token is taken out of the address at once (it is single-use; a fragment never reaches a server
 * log or a Referer) and exchanged for the session cookie. A failed exchange is remembered so the
 * sign-in page can say why the link did not work.
 */
export let signInLinkError: unknown = null;
async function exchangeSignInLink(): Promise<void> {
  const m = /(?:^#|&)sign_in_token=([^&]+)/.exec(window.location.hash);
  if (!m) return;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  try {
    await post('/v1/sessions/exchange', { token: decodeURIComponent(m[1]!) });
    signInLinkError = null;
  } catch (err) {
    signInLinkError = err;
  }
}

export function SessionProvider({ signedOut, loading, children }: { signedOut: ReactNode; loading: ReactNode; children: ReactNode }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      await exchangeSignInLink();
      try {
        return await get<Session>('/v1/sessions/current');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
  useEffect(() => {
    const ended = () => qc.setQueryData(SESSION_KEY, null);
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, [qc]);
  const signOut = useCallback(async () => {
    await del('/v1/sessions/current').catch(() => undefined);
    qc.setQueryData(SESSION_KEY, null);
    // Nothing of the signed-out user's data stays in memory for the next one.
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
  }, [qc]);
  if (q.isPending) return <>{loading}</>;
  if (!q.data) return <>{signedOut}</>;
  const session = q.data;
  const api: SessionApi = { session, can: (scope) => hasScope(session.scopes, scope), signOut };
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}
