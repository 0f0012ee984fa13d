import { useEffect } from "react";
import { accountApi } from "./account-api.ts";
import { isLanguageTag, setInterfaceLanguage } from "../i18n/i18n.ts";

const LANGUAGE_KEY = "sluice.language";

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

/**
 * Shows the interface in `tag` (one of the i18n module's `LANGUAGES`; anything else is English),
 * sets `<html lang>` and remembers the language on this device, to show it at once on the next
 * visit. Settles once the interface has changed.
 */
export async function applyLanguage(tag: string): Promise<void> {
  const language = isLanguageTag(tag) ? tag : "en";
  writeStorage(LANGUAGE_KEY, language);
  await setInterfaceLanguage(language);
  document.documentElement.lang = language;
}

/** The language last applied on this device, else English. */
export function currentLanguage(): string {
  const remembered = readStorage(LANGUAGE_KEY);
  return isLanguageTag(remembered) ? remembered : "en";
}

/**
 * Applies the signed-in user's stored language (`settings.ui.language`) from the server: this
 * device's memory of it was applied before the first paint (main.tsx), and another device may
 * have changed it since.
 */
export function useUserLanguage(userId: string | undefined): void {
  useEffect(() => {
    if (!userId) return;
    let isCurrent = true;
    accountApi.uiSettings().then(
      (ui) => {
        if (isCurrent && typeof ui.language === "string") void applyLanguage(ui.language);
      },
      () => {},
    );
    return () => {
      isCurrent = false;
    };
  }, [userId]);
}
