import { useId, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useToaster } from "../ui/toasts.tsx";
import { accountApi } from "./account-api.ts";
import { useTheme, type ThemeChoice } from "../ui/theme.ts";
import { applyLanguage, currentLanguage, LANGUAGES } from "./preferences.ts";

/** Theme (this device) and language (kept with the account; sets `<html lang>`). */
export function PreferencesSection() {
  const toaster = useToaster();
  const headingId = useId();
  const themeId = useId();
  const languageId = useId();
  const [theme, setTheme] = useTheme();
  const [language, setLanguage] = useState(() => {
    const current = currentLanguage();
    return LANGUAGES.some((item) => item.tag === current) ? current : "en";
  });

  const changeLanguage = async (tag: string) => {
    const previous = language;
    setLanguage(tag);
    try {
      const ui = await accountApi.uiSettings();
      await accountApi.updateUiSettings({ ...ui, language: tag });
      applyLanguage(tag);
      toaster.show({ type: "success", content: `Language: ${LANGUAGES.find((item) => item.tag === tag)?.label ?? tag}` });
    } catch (thrown) {
      setLanguage(previous);
      toaster.show({ type: "error", content: errorMessage(thrown) });
    }
  };

  return (
    <section className="card account-section" aria-labelledby={headingId}>
      <h2 id={headingId}>Preferences</h2>
      <div className="form account-form">
        <div className="field">
          <label className="field-label" htmlFor={themeId}>
            Theme
          </label>
          <select
            id={themeId}
            className="input"
            value={theme}
            onChange={(event) => {
              setTheme(event.target.value as ThemeChoice);
            }}
          >
            <option value="system">Same as the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
          <span className="field-hint">Kept on this device.</span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={languageId}>
            Language
          </label>
          <select id={languageId} className="input" value={language} onChange={(event) => void changeLanguage(event.target.value)}>
            {LANGUAGES.map((item) => (
              <option key={item.tag} value={item.tag} lang={item.tag}>
                {item.label}
              </option>
            ))}
          </select>
          <span className="field-hint">
            Kept with your account. Sluice’s own texts are in English for now; the choice tells your browser and screen reader the page’s
            language.
          </span>
        </div>
      </div>
    </section>
  );
}
