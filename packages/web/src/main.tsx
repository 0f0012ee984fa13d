import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/app.tsx";
import "./styles.css";
import "./ui/theme.css";
import { applyTheme, storedTheme } from "./ui/theme.ts";

// Before the first paint, so a dark page does not flash light.
applyTheme(storedTheme());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
