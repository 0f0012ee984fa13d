import { useEffect } from "react";
import { focusComposer } from "../chat/focus-composer.ts";
import { navigate } from "./router.tsx";

/** Ctrl+Shift+O (⌘+Shift+O on a Mac), as in Open WebUI: a new chat, with the cursor in its message box. */
export function useNewChatShortcut(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || !event.shiftKey || event.altKey || event.key.toLowerCase() !== "o") return;
      event.preventDefault();
      navigate("/");
      focusComposer();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
