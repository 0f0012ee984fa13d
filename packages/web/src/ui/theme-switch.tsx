import { useTheme, type ThemeChoice } from "./theme.ts";
import { useTranslate } from "../i18n/i18n.ts";

const CHOICES: { value: ThemeChoice; label: string; symbol: string }[] = [
  { value: "system", label: "System theme", symbol: "◐" },
  { value: "light", label: "Light theme", symbol: "☀" },
  { value: "dark", label: "Dark theme", symbol: "☾" },
];

/** Three buttons (system, light, dark) choosing the page's colours; the choice is remembered in this browser. */
export function ThemeSwitch() {
  const [theme, setTheme] = useTheme();
  const t = useTranslate();
  return (
    <div className="theme-switch" role="group" aria-label={t("Theme")}>
      {CHOICES.map((choice) => (
        <button
          key={choice.value}
          type="button"
          className="theme-switch-button"
          aria-pressed={theme === choice.value}
          aria-label={t(choice.label)}
          title={t(choice.label)}
          onClick={() => setTheme(choice.value)}
        >
          <span aria-hidden="true">{choice.symbol}</span>
        </button>
      ))}
    </div>
  );
}
