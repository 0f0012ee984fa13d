import { useEffect } from "react";
import { accountApi } from "./account-api.ts";

const LANGUAGE_KEY = "sluice.language";

/** The languages offered. The UI is English only for now: the choice sets `<html lang>` and is kept per user. */
export const LANGUAGES = [
  { tag: "en", label: "English" },
  { tag: "de", label: "Deutsch" },
  { tag: "fr", label: "Français" },
  { tag: "es", label: "Español" },
  { tag: "it", label: "Italiano" },
  { tag: "pt", label: "Português" },
  { tag: "nl", label: "Nederlands" },
  { tag: "ja", label: "日本語" },
  { tag: "zh", label: "中文" },
] as const;

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage unavailable: the choice lasts for this page
  }
}

/** Sets `<html lang>` and remembers the language on this device, to set it at once on the next visit. */
export function applyLanguage(tag: string): void {
  document.documentElement.lang = tag;
  writeStorage(LANGUAGE_KEY, tag);
}

/** The language last applied on this device, else the page's. */
export function currentLanguage(): string {
  return readStorage(LANGUAGE_KEY) ?? (document.documentElement.lang || "en");
}

/**
 * Applies the signed-in user's stored language (`settings.ui.language`) to `<html lang>`: at
 * once from this device's memory, then from the server (another device may have changed it).
 */
export function useUserLanguage(userId: string | undefined): void {
  useEffect(() => {
    const remembered = readStorage(LANGUAGE_KEY);
    if (remembered) document.documentElement.lang = remembered;
  }, []);
  useEffect(() => {
    if (!userId) return;
    let isCurrent = true;
    accountApi.uiSettings().then(
      (ui) => {
        if (isCurrent && typeof ui.language === "string") applyLanguage(ui.language);
      },
      () => {},
    );
    return () => {
      isCurrent = false;
    };
  }, [userId]);
}
