/**
 * Who is signed in. The token lives in sessionStorage (gone when the tab closes) and goes to the
 * API only as a bearer header. Signing out also ends any break-glass codec session in this browser.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, loadConfig, setApiToken } from './api';
import { endCognitoSession } from './cognitoSignOut';
import type { User } from './types';

interface Session {
  token: string;
  user: User;
  /** Cognito's refresh token, kept only to be revoked at sign-out. */
  refreshToken?: string;
}

interface SessionContext {
  session: Session | undefined;
  signIn(token: string, user: User, refreshToken?: string): Promise<void>;
  signOut(): Promise<void>;
}

const KEY = 'carepath.session';
const Context = createContext<SessionContext | undefined>(undefined);

const stored = (): Session | undefined => {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Session) : undefined;
};

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(stored);
  setApiToken(session?.token, () => setSession(undefined));
  useEffect(() => {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  }, [session]);
  const value = useMemo<SessionContext>(
    () => ({
      session,
      async signIn(token, user, refreshToken) {
        setApiToken(token, () => setSession(undefined));
        setSession({ token, user, ...(refreshToken ? { refreshToken } : {}) });
      },
      async signOut() {
        await api('DELETE', '/auth/codec-session').catch(() => undefined);
        const refreshToken = session?.refreshToken;
        sessionStorage.removeItem(KEY);
        setSession(undefined);
        // In AWS the Cognito session ends too (cognito.ts): the browser leaves for its logout page.
        const config = await loadConfig().catch(() => undefined);
        if (config?.auth.kind === 'cognito') await endCognitoSession(config.auth, refreshToken);
      },
    }),
    [session],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const value = useContext(Context);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for pages behind sign-in. */
export function useUser(): User {
  const { session } = useSession();
  if (!session) throw new Error('not signed in');
  return session.user;
}
