/**
 * Who is signed in: the API key (sessionStorage, see api/client) and what each service's `GET /me` says its roles
 * are. The UI shows only what those roles may do; the services enforce it anyway.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, session, SIGNED_OUT, type Service } from './api/client';
import type { Me } from './api/types';

export type Role = 'monitor' | 'stakeholder' | 'auditor' | 'admin';

interface Auth {
  /** Null while signed out. */
  name: string | null;
  roles: Record<Service, string[]>;
  checking: boolean;
  signIn(key: string): Promise<void>;
  signOut(): void;
  /** Whether the key may act in one of `roles` on `service` (admin may do anything). */
  can(service: Service, ...roles: Role[]): boolean;
}

const none: Record<Service, string[]> = { agreements: [], milestones: [], alerts: [] };
const AuthContext = createContext<Auth | null>(null);

async function whoAmI(): Promise<{ name: string; roles: Record<Service, string[]> }> {
  const services: Service[] = ['agreements', 'milestones', 'alerts'];
  const answers = await Promise.all(services.map((s) => get<Me>(s, '/me')));
  return {
    name: answers[0].name,
    roles: Object.fromEntries(services.map((s, i) => [s, answers[i].roles])) as Record<Service, string[]>,
  };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [name, setName] = useState<string | null>(null);
  const [roles, setRoles] = useState(none);
  const [checking, setChecking] = useState(() => session.key() !== null);
  const queries = useQueryClient();

  const signOut = useCallback(() => {
    session.clear();
    setName(null);
    setRoles(none);
    queries.clear();
  }, [queries]);

  useEffect(() => {
    window.addEventListener(SIGNED_OUT, signOut);
    return () => window.removeEventListener(SIGNED_OUT, signOut);
  }, [signOut]);

  // A key kept from earlier in this browser session: check it again.
  useEffect(() => {
    if (!session.key()) return;
    whoAmI()
      .then((me) => {
        setName(me.name);
        setRoles(me.roles);
      })
      .catch(() => session.clear())
      .finally(() => setChecking(false));
  }, []);

  const signIn = useCallback(async (key: string) => {
    session.set(key.trim());
    try {
      const me = await whoAmI();
      setName(me.name);
      setRoles(me.roles);
    } catch (err) {
      session.clear();
      if (err instanceof ApiError && err.status === 401)
        throw new ApiError(
          401,
          'Key not accepted',
          'The services do not know this API key. Check it, or ask whoever runs the tracker for one.',
          {},
        );
      throw err;
    }
  }, []);

  const can = useCallback(
    (service: Service, ...wanted: Role[]) =>
      roles[service].includes('admin') || wanted.some((r) => roles[service].includes(r)),
    [roles],
  );

  return (
    <AuthContext.Provider value={{ name, roles, checking, signIn, signOut, can }}>
      {children}
    </AuthContext.Provider>
  );
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
