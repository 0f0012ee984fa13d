import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/app.tsx";
import "./styles.css";
import "./ui/theme.css";
import { applyTheme, storedTheme } from "./ui/theme.ts";
import { applyLanguage, currentLanguage } from "./account/preferences.ts";

// Before the first paint, so a dark page does not flash light.
applyTheme(storedTheme());

function render(): void {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The language this device last showed, before the first paint too (its catalogue is a small chunk).
const language = currentLanguage();
if (language === "en") render();
else
  void applyLanguage(language)
    .catch(() => {})
    .finally(render);
