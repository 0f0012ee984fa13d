import { useState } from "react";
import { Spinner } from "../ui/spinner.tsx";
import type { StatusEntry } from "./chat-types.ts";

/**
 * A message's `status` events: the latest line (with a spinner while its `done` is false, in
 * red when it reports an error), and the earlier ones on demand. Hidden statuses are not shown.
 */
export function StatusLines({ statuses }: { statuses: StatusEntry[] }) {
  const [isExpanded, setIsExpanded] = useState(false);
  const visible = statuses.filter((status) => !status.hidden && (status.description ?? "") !== "");
  const latest = visible.at(-1);
  if (!latest) return null;
  const earlier = visible.slice(0, -1);
  return (
    <div className="status-lines">
      {isExpanded && (
        <ol className="status-history">
          {earlier.map((status, index) => (
            <li key={index} className={status.error ? "status-error" : undefined}>
              <StatusText status={status} />
            </li>
          ))}
        </ol>
      )}
      <div className={`status-line${latest.error ? " status-error" : ""}`} role="status" aria-live="polite">
        {latest.done === false ? (
          <Spinner label="Working" />
        ) : (
          <span className="status-check" aria-hidden="true">
            {latest.error ? "!" : "✓"}
          </span>
        )}
        <StatusText status={latest} />
        {earlier.length > 0 && (
          <button
            type="button"
            className="link-button status-toggle"
            aria-expanded={isExpanded}
            onClick={() => setIsExpanded((value) => !value)}
          >
            {isExpanded ? "Hide steps" : `${earlier.length} earlier step${earlier.length === 1 ? "" : "s"}`}
          </button>
        )}
      </div>
    </div>
  );
}

function StatusText({ status }: { status: StatusEntry }) {
  const urls = Array.isArray(status.urls) ? status.urls.filter((url): url is string => typeof url === "string") : [];
  return (
    <span className="status-text">
      {status.description}
      {urls.length > 0 && (
        <span className="status-urls">
          {urls.slice(0, 5).map((url) => (
            <a key={url} href={url} target="_blank" rel="noopener noreferrer nofollow">
              {hostOf(url)}
            </a>
          ))}
        </span>
      )}
    </span>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
