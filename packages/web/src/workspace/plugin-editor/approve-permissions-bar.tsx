import { useEffect, useState } from "react";
import { ApiError, errorMessage } from "../../api/api-error.ts";
import { useToaster } from "../../ui/toasts.tsx";
import { pluginApi, type PluginSection, type PluginRow } from "../plugin-api.ts";
import "./approve-permissions-bar.css";

export interface ApprovePermissionsBarProps {
  namespace: PluginSection;
  /** The row as loaded or saved: its `content_hash` is the code on screen. */
  row: PluginRow;
  /** Unsaved edits: approving grants the stored code, not the text in the editor. */
  isDirty: boolean;
  onApproved(row: PluginRow): void;
}

function describePermission(permission: string): string {
  if (permission === "node") return "the trusted tier (a Node.js process with Node APIs and any network access)";
  if (permission === "python") return "the Python tier (its own Python process)";
  if (!permission.startsWith("network:")) return permission;
  const host = permission.slice("network:".length);
  if (host === "*") return "network access to any host on the internet";
  if (host.startsWith("*:")) return `network access to any host on the internet, port ${host.slice(2)}`;
  return `network access to ${host}`;
}

/**
 * For admins: what a plugin asks for that nobody granted yet, what approving would grant in the
 * server's own words (`GET …/permissions`), and a button that approves it. The approval names the
 * code shown (its `content_hash`): if the code changed since it was loaded, the server grants
 * nothing and the bar says to reload.
 */
export function ApprovePermissionsBar({ namespace, row, isDirty, onApproved }: ApprovePermissionsBarProps) {
  const toaster = useToaster();
  const [isApproving, setIsApproving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notices, setNotices] = useState<{ contentHash: string; lines: string[] } | null>(null);
  const permissions = row.meta?.permissions;
  const waiting = permissions ? permissions.requested.filter((permission) => !permissions.granted.includes(permission)) : [];
  const isWaiting = waiting.length > 0 && Boolean(row.content_hash);

  useEffect(() => {
    if (!isWaiting) return;
    let isCurrent = true;
    pluginApi.permissions(namespace, row.id).then(
      (report) => isCurrent && setNotices({ contentHash: report.content_hash, lines: report.notices }),
      // Without the notices the bar still says what is asked for; the approval answers with them too.
      () => isCurrent && setNotices(null),
    );
    return () => {
      isCurrent = false;
    };
  }, [isWaiting, namespace, row.id, row.content_hash]);

  if (!isWaiting) return null;
  const shownNotices = notices && notices.contentHash === row.content_hash ? notices.lines : [];

  const approve = async () => {
    setIsApproving(true);
    setError(null);
    try {
      const approved = await pluginApi.approvePermissions(namespace, row.id, row.content_hash!);
      onApproved(approved);
      toaster.show({ type: "success", content: approved.notices.join(" ") || `Approved ${approved.name}` });
    } catch (caught) {
      const isChanged = ApiError.isInstance(caught) && caught.status === 409;
      setError(
        isChanged
          ? "The code changed since this page loaded it; nothing was approved. Reload the page and read the new code."
          : errorMessage(caught),
      );
    } finally {
      setIsApproving(false);
    }
  };

  return (
    <div className="form-error" role="note" aria-label="Waiting for approval">
      <strong>Waiting for an admin's approval: </strong>
      {waiting.map(describePermission).join("; ")}. Approving grants the code shown here.{" "}
      {shownNotices.length > 0 && (
        <ul className="approval-notices small">
          {shownNotices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="button button-small"
        onClick={() => void approve()}
        disabled={isApproving || isDirty}
        title={isDirty ? "Save or undo your changes first: approval grants the stored code" : undefined}
      >
        {isApproving ? "Approving…" : "Approve"}
      </button>
      {error && (
        <p role="alert" className="small">
          {error}
        </p>
      )}
    </div>
  );
}
