import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api } from "../api/api-client.ts";
import { ApiError } from "../api/api-error.ts";
import { onTokenChange, readToken, writeToken } from "../api/token-storage.ts";
import type { Session, SessionUser } from "../api/types.ts";

export interface AuthState {
  /** `loading` while the stored token is checked. */
  status: "loading" | "signed-out" | "signed-in";
  user: SessionUser | null;
  token: string | null;
  signIn(email: string, password: string): Promise<SessionUser>;
  signUp(name: string, email: string, password: string): Promise<SessionUser>;
  signOut(): void;
  /** Asks the server again who the token belongs to (e.g. to see whether a pending account was approved). */
  refresh(): Promise<SessionUser | null>;
}

const AuthContext = createContext<AuthState | null>(null);

function userOf(session: Session): SessionUser {
  return {
    id: session.id,
    name: session.name,
    email: session.email,
    role: session.role,
    profile_image_url: session.profile_image_url ?? null,
    permissions: session.permissions,
  };
}

/** Holds the signed-in user; the token lives in localStorage so a reload keeps the session. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(readToken);
  const [user, setUser] = useState<SessionUser | null>(null);
  const [isChecking, setIsChecking] = useState<boolean>(() => readToken() !== null);

  useEffect(
    () =>
      onTokenChange((next) => {
        setToken(next);
        if (next === null) setUser(null);
      }),
    [],
  );

  const refresh = useCallback(async () => {
    if (!readToken()) return null;
    try {
      const session = await api.get<Session>("/api/v1/auths/");
      const current = userOf(session);
      setUser(current);
      return current;
    } catch (error) {
      if (ApiError.isInstance(error) && error.isAuthFailure) writeToken(null);
      throw error;
    } finally {
      setIsChecking(false);
    }
  }, []);

  useEffect(() => {
    if (token && !user) refresh().catch(() => {});
    if (!token) setIsChecking(false);
  }, [token, user, refresh]);

  const start = useCallback((session: Session) => {
    const current = userOf(session);
    setUser(current);
    writeToken(session.token);
    return current;
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      status: token && (user || isChecking) ? (user ? "signed-in" : "loading") : "signed-out",
      user,
      token,
      signIn: async (email, password) => start(await api.post<Session>("/api/v1/auths/signin", { email, password })),
      signUp: async (name, email, password) => start(await api.post<Session>("/api/v1/auths/signup", { name, email, password })),
      signOut: () => writeToken(null),
      refresh,
    }),
    [token, user, isChecking, start, refresh],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The auth state; only inside {@link AuthProvider}. */
export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth needs an <AuthProvider> above it");
  return state;
}
