import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const listeners = new Set<() => void>();
/** Questions to ask before leaving the page, from pages holding unsaved work (see {@link useLeaveGuard}). */
const leaveGuards = new Set<{ question: string }>();
/** The address the app shows, to go back to when a Back or Forward is refused. */
let shownPath = typeof window === "undefined" ? "/" : currentPath();

function currentPath(): string {
  return window.location.pathname + window.location.search + window.location.hash;
}

function notify(): void {
  shownPath = currentPath();
  for (const listener of listeners) listener();
}

/** Back and Forward: the browser has already changed the address, so a refused leave puts it back. */
function onPopState(): void {
  if (currentPath() !== shownPath && !mayLeave()) {
    window.history.pushState(null, "", shownPath);
    return;
  }
  notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener("popstate", onPopState);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener("popstate", onPopState);
  };
}

/** Asks each guard's question; false when the user chose to stay. */
function mayLeave(): boolean {
  for (const guard of [...leaveGuards]) {
    if (!window.confirm(guard.question)) return false;
  }
  return true;
}

/**
 * While `question` is set, leaving the page asks it first: in-app navigation (links,
 * {@link navigate}, Back and Forward) goes on only if the user confirms, and closing or
 * reloading the tab gets the browser's own warning.
 *
 * @example
 * useLeaveGuard(isDirty ? "Leave without saving? Your changes will be lost." : null);
 */
export function useLeaveGuard(question: string | null): void {
  useEffect(() => {
    if (question === null) return;
    const guard = { question };
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    leaveGuards.add(guard);
    window.addEventListener("beforeunload", warn);
    return () => {
      leaveGuards.delete(guard);
      window.removeEventListener("beforeunload", warn);
    };
  }, [question]);
}

/**
 * Goes to an in-app path (history API; the server answers every page path with index.html).
 * A page with unsaved work is asked first ({@link useLeaveGuard}) unless `isLeaveConfirmed`
 * (the page itself moves on after saving).
 *
 * @example
 * navigate(`/c/${chat.id}`);
 * navigate("/workspace/functions", { replace: true });
 */
export function navigate(path: string, options: { replace?: boolean; isLeaveConfirmed?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (!options.isLeaveConfirmed && !mayLeave()) return;
  if (options.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  notify();
}

/** The current path (`/c/abc`), re-rendering on navigation. */
export function usePathname(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.pathname,
    () => "/",
  );
}

/** The current query string's parameters. */
export function useSearchParams(): URLSearchParams {
  const search = useSyncExternalStore(
    subscribe,
    () => window.location.search,
    () => "",
  );
  return new URLSearchParams(search);
}

/**
 * Matches a path against a pattern with `:name` segments and a trailing `*`; returns the
 * decoded parameters, or null.
 *
 * @example
 * matchPath("/c/:id", "/c/42"); // { id: "42" }
 * matchPath("/workspace/*", "/workspace/functions/x"); // { "*": "functions/x" }
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const patternParts = pattern.split("/").filter(Boolean);
  const pathParts = pathname.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let index = 0; index < patternParts.length; index += 1) {
    const part = patternParts[index]!;
    if (part === "*") {
      params["*"] = pathParts.slice(index).map(decodeURIComponent).join("/");
      return params;
    }
    const value = pathParts[index];
    if (value === undefined) return null;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return pathParts.length === patternParts.length ? params : null;
}

/** An `<a>` that navigates inside the app (a modified click still opens a new tab). */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handleClick} {...rest} />;
}
