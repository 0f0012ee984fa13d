import "./details-block.css";
import { useEffect, useState, type ReactNode } from "react";
import type { ContentSegment } from "./split-rich-content.ts";
import { translate } from "../i18n/i18n.ts";

type DetailsSegment = Extract<ContentSegment, { kind: "details" }>;

/** "Thought for 12 seconds", "Thought for 1 minute 5 seconds", "Thought for a moment" (under a second). */
export function thoughtLabel(seconds: number | null): string {
  if (seconds === null) return translate("Thought");
  const whole = Math.round(seconds);
  if (whole < 1) return translate("Thought for a moment");
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  const secondsText = rest === 1 ? translate("1 second") : translate("{count} seconds", { count: rest });
  const minutesText = minutes === 1 ? translate("1 minute") : translate("{count} minutes", { count: minutes });
  const duration = minutes === 0 ? secondsText : rest ? `${minutesText} ${secondsText}` : minutesText;
  return translate("Thought for {duration}", { duration });
}

/** Seconds since `startedAt` (ms), ticking once a second while `isRunning`. */
function useElapsedSeconds(startedAt: number | undefined, isRunning: boolean): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!isRunning) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isRunning]);
  return startedAt === undefined ? null : Math.max(0, (now - startedAt) / 1000);
}

export interface ReasoningBlockProps {
  /** The model's thoughts (Markdown). */
  body: string;
  isDone: boolean;
  durationSeconds: number | null;
  /** Renders the body (the Markdown renderer, passed in to keep this file free of it). */
  renderBody(text: string): ReactNode;
}

/**
 * A model's reasoning, collapsed: "Thinking…" while it streams, then "Thought for N seconds";
 * a click (or Enter on the summary) shows the thoughts.
 */
export function ReasoningBlock({ body, isDone, durationSeconds, renderBody }: ReasoningBlockProps) {
  return (
    <details className={`details-block reasoning-block${isDone ? "" : " is-running"}`}>
      <summary>
        <span className="details-block-title">{isDone ? thoughtLabel(durationSeconds) : translate("Thinking…")}</span>
      </summary>
      <div className="details-block-body">{body ? renderBody(body) : <p className="muted">{translate("No thoughts shown.")}</p>}</div>
    </details>
  );
}

/** Reasoning streamed as `reasoning_content` deltas: its duration counts from the first delta to the first answer text. */
export function StreamedReasoning({
  text,
  startedAt,
  endedAt,
  renderBody,
}: {
  text: string;
  startedAt?: number;
  endedAt?: number;
  renderBody(text: string): ReactNode;
}) {
  const isDone = endedAt !== undefined;
  const elapsed = useElapsedSeconds(startedAt, !isDone);
  const duration = isDone && startedAt !== undefined ? (endedAt - startedAt) / 1000 : elapsed;
  return <ReasoningBlock body={text} isDone={isDone} durationSeconds={duration} renderBody={renderBody} />;
}

function toolCallTitle(segment: DetailsSegment): string {
  const name = segment.attributes.name;
  if (!segment.isDone) return name ? translate("Running {name}…", { name }) : translate("Running a tool…");
  return name ? translate("Used {name}", { name }) : (segment.summary ?? translate("Tool call"));
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * One `<details>` block of an answer, collapsed: reasoning as "Thought for N seconds", a tool
 * call (`type="tool_calls"`) with its name, arguments and result, any other block under its
 * `<summary>`.
 */
export function DetailsBlock({ segment, renderBody }: { segment: DetailsSegment; renderBody(text: string): ReactNode }) {
  if (segment.type === "reasoning") {
    return <ReasoningBlock body={segment.body} isDone={segment.isDone} durationSeconds={segment.durationSeconds} renderBody={renderBody} />;
  }
  const isToolCall = segment.type === "tool_calls";
  const title = isToolCall
    ? toolCallTitle(segment)
    : (segment.summary ?? (segment.type ? segment.type.replace(/_/g, " ") : translate("Details")));
  const { arguments: argumentsText, result } = segment.attributes;
  return (
    <details className={`details-block${segment.isDone ? "" : " is-running"}${isToolCall ? " tool-call-details" : ""}`}>
      <summary>
        <span className="details-block-title">{title}</span>
      </summary>
      <div className="details-block-body">
        {isToolCall && argumentsText !== undefined && (
          <>
            <div className="details-block-label">{translate("Arguments")}</div>
            <pre className="details-block-code">{prettyJson(argumentsText)}</pre>
          </>
        )}
        {isToolCall && result !== undefined && (
          <>
            <div className="details-block-label">{translate("Result")}</div>
            <pre className="details-block-code">{prettyJson(result)}</pre>
          </>
        )}
        {segment.body && renderBody(segment.body)}
      </div>
    </details>
  );
}
