import { useId, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useToaster } from "../ui/toasts.tsx";
import { accountApi } from "./account-api.ts";
import { useTheme, type ThemeChoice } from "../ui/theme.ts";
import { applyLanguage } from "./preferences.ts";
import { LANGUAGES, translate, useInterfaceLanguage, useTranslate } from "../i18n/i18n.ts";

/** Theme (this device) and language (kept with the account; the interface's texts and `<html lang>`). */
export function PreferencesSection() {
  const toaster = useToaster();
  const headingId = useId();
  const themeId = useId();
  const languageId = useId();
  const [theme, setTheme] = useTheme();
  const t = useTranslate();
  const shown = useInterfaceLanguage();
  const [language, setLanguage] = useState<string>(shown);

  const changeLanguage = async (tag: string) => {
    const previous = language;
    setLanguage(tag);
    try {
      const ui = await accountApi.uiSettings();
      await accountApi.updateUiSettings({ ...ui, language: tag });
      await applyLanguage(tag);
      // In the language just chosen.
      toaster.show({ type: "success", content: `${translate("Language")}: ${LANGUAGES.find((item) => item.tag === tag)?.label ?? tag}` });
    } catch (thrown) {
      setLanguage(previous);
      toaster.show({ type: "error", content: errorMessage(thrown) });
    }
  };

  return (
    <section className="card account-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("Preferences")}</h2>
      <div className="form account-form">
        <div className="field">
          <label className="field-label" htmlFor={themeId}>
            {t("Theme")}
          </label>
          <select
            id={themeId}
            className="input"
            value={theme}
            onChange={(event) => {
              setTheme(event.target.value as ThemeChoice);
            }}
          >
            <option value="system">{t("Same as the system")}</option>
            <option value="light">{t("Light")}</option>
            <option value="dark">{t("Dark")}</option>
          </select>
          <span className="field-hint">{t("Kept on this device.")}</span>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={languageId}>
            {t("Language")}
          </label>
          <select id={languageId} className="input" value={language} onChange={(event) => void changeLanguage(event.target.value)}>
            {LANGUAGES.map((item) => (
              <option key={item.tag} value={item.tag} lang={item.tag}>
                {item.label}
              </option>
            ))}
          </select>
          <span className="field-hint">
            {t("Kept with your account. The chat, the sidebar and this page are translated; the workspace and admin pages are in English.")}
          </span>
        </div>
      </div>
    </section>
  );
}
