import { useEffect, useRef } from "react";
import type { ChatMessage } from "./chat-types.ts";
import { contentText } from "./content-text.ts";
import { splitRichContent } from "./split-rich-content.ts";
import { translate } from "../i18n/i18n.ts";

/** What a screen reader hears of an answer: its text without reasoning and tool-call blocks, cut at 1,000 characters. */
function spokenText(message: ChatMessage): string {
  const text = splitRichContent(contentText(message.content))
    .filter((segment) => segment.kind === "markdown")
    .map((segment) => segment.text)
    .join(" ")
    .trim();
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/**
 * A polite live region that reads out an answer once it has finished streaming (not while it
 * streams, and not the answers already there when a chat opens). The region sits in a closed
 * shadow root: screen readers read it like any other text, while a search of the page's text
 * (the browser's find, a test's `getByText`) finds the answer once, where it is shown.
 */
export function AnswerAnnouncer({ messages }: { messages: ChatMessage[] }) {
  const host = useRef<HTMLSpanElement>(null);
  const region = useRef<HTMLDivElement | null>(null);
  const streamingIds = useRef(new Set<string>());
  const last = messages.at(-1);

  useEffect(() => {
    if (region.current) return;
    const root = host.current!.attachShadow({ mode: "closed" });
    const live = document.createElement("div");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-atomic", "true");
    root.append(live);
    region.current = live;
  }, []);

  useEffect(() => {
    if (!last || last.role !== "assistant") return;
    if (last.done === false) {
      streamingIds.current.add(last.id);
      return;
    }
    if (!streamingIds.current.delete(last.id) || !region.current) return;
    const error = last.error ? translate("The answer stopped with an error.") : "";
    region.current.textContent = `${translate("Answer finished.")} ${spokenText(last)} ${error}`.trim();
  }, [last]);

  return <span ref={host} className="visually-hidden" data-testid="answer-announcer" />;
}
