import { useEffect, useRef, useState } from "react";
import { copyText } from "./copy-text.ts";
import { useTranslate } from "../i18n/i18n.ts";

const SHOWN_MS = 1500;

/**
 * A Copy button's behaviour: `copy(text)` on click, and the label to show ("Copy", then
 * "Copied", or "Copy failed" when the browser refused, for a moment), in the interface's language.
 *
 * @example
 * const copier = useCopyButton();
 * <button onClick={() => void copier.copy(code)}>{copier.label}</button>
 */
export function useCopyButton(): { label: string; isCopied: boolean; copy(text: string): Promise<void> } {
  const t = useTranslate();
  const [result, setResult] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async (text: string) => {
    const isCopied = await copyText(text);
    setResult(isCopied ? "copied" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setResult("idle"), SHOWN_MS);
  };
  return { label: t(result === "copied" ? "Copied" : result === "failed" ? "Copy failed" : "Copy"), isCopied: result === "copied", copy };
}
