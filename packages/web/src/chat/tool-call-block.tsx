import type { ToolCallEntry } from "@sluice/sdk/wire";
import { Spinner } from "../ui/spinner.tsx";
import "./tool-call-block.css";
import { translate } from "../i18n/i18n.ts";

/** JSON text pretty-printed when it parses, else as it came. */
function prettyJson(text: string | undefined): string {
  if (text === undefined || text.trim() === "") return "{}";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** One tool call of an answer, collapsed to its name and state; open, its arguments and result (an error in red). */
export function ToolCallBlock({ call }: { call: ToolCallEntry }) {
  const isRunning = call.done !== true;
  const isError = call.error === true;
  return (
    <details className={`tool-call${isError ? " is-error" : ""}`} data-state={isRunning ? "running" : isError ? "failed" : "done"}>
      <summary>
        {isRunning ? (
          <Spinner label={translate("Running {name}", { name: call.name })} />
        ) : (
          <span aria-hidden="true">{isError ? "✕" : "✓"}</span>
        )}
        <span>
          {isRunning ? translate("Running tool") : isError ? translate("Failed tool") : translate("Ran tool")} <code>{call.name}</code>
        </span>
      </summary>
      <div className="tool-call-body">
        <h4>{translate("Arguments")}</h4>
        <pre className="tool-call-arguments">{prettyJson(call.arguments)}</pre>
        {!isRunning && (
          <>
            <h4>{isError ? translate("Error") : translate("Result")}</h4>
            <pre className="tool-call-result">{isError ? call.result : prettyJson(call.result)}</pre>
          </>
        )}
      </div>
    </details>
  );
}

/** The tool calls the server ran for an answer, as they happen. */
export function ToolCallBlocks({ calls }: { calls: unknown }) {
  const entries = Array.isArray(calls)
    ? (calls as ToolCallEntry[]).filter((call) => typeof call?.id === "string" && typeof call.name === "string")
    : [];
  if (entries.length === 0) return null;
  return (
    <div className="tool-calls" aria-label={translate("Tool calls")}>
      {entries.map((call) => (
        <ToolCallBlock key={call.id} call={call} />
      ))}
    </div>
  );
}
