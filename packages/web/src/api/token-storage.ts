/** Open WebUI keeps the JWT under this key too, so a token set by either client works. */
const TOKEN_KEY = "token";

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

/** The signed-in user's JWT, or null. */
export function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Stores (or, with null, forgets) the JWT and tells every subscriber. */
export function writeToken(token: string | null): void {
  try {
    if (token === null) localStorage.removeItem(TOKEN_KEY);
    else localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Private mode without storage: the session lasts as long as the page.
  }
  for (const listener of listeners) listener(token);
}

/** Calls `listener` whenever the token changes (sign in, sign out, a 401); returns the unsubscribe. */
export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
