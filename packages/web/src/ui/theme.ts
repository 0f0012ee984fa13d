import { useEffect, useSyncExternalStore } from "react";

export type ThemeChoice = "system" | "light" | "dark";

const THEME_KEY = "sluice.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

/** The theme the user chose (localStorage `sluice.theme`), "system" when none. */
export function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

function systemIsDark(): boolean {
  return typeof matchMedia === "function" && matchMedia(DARK_QUERY).matches;
}

/**
 * Applies a theme to the page: `data-theme` on `<html>` for a chosen light or dark (the CSS
 * follows `prefers-color-scheme` without it), and `data-resolved-theme` with what shows.
 */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
  root.dataset.resolvedTheme = choice === "dark" || (choice === "system" && systemIsDark()) ? "dark" : "light";
}

/** Every mounted theme control (the top bar's switch, the account page) shares one choice. */
let shared: ThemeChoice | null = null;
const listeners = new Set<() => void>();

function currentChoice(): ThemeChoice {
  shared ??= storedTheme();
  return shared;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Stores and applies a theme choice, and tells every control showing it. */
export function chooseTheme(next: ThemeChoice): void {
  shared = next;
  try {
    if (next === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, next);
  } catch {
    // storage unavailable: the choice lasts for this page
  }
  applyTheme(next);
  for (const listener of listeners) listener();
}

/**
 * The theme's state, shared by every control: the choice, stored and applied to the page at
 * once; "system" keeps following the operating system as it changes.
 *
 * @example
 * const [theme, setTheme] = useTheme();
 * <select value={theme} onChange={(event) => setTheme(event.target.value as ThemeChoice)}>…</select>
 */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const choice = useSyncExternalStore(subscribe, currentChoice, () => "system" as ThemeChoice);
  useEffect(() => {
    if (choice !== "system" || typeof matchMedia !== "function") return;
    const query = matchMedia(DARK_QUERY);
    const follow = () => applyTheme("system");
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, [choice]);
  return [choice, chooseTheme];
}
