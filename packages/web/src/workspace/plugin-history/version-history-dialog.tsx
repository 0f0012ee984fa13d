import { useEffect, useMemo, useState } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { Modal } from "../../ui/modal.tsx";
import { Spinner } from "../../ui/spinner.tsx";
import { pluginApi, type PluginRow, type PluginSection, type PluginVersion, type PluginVersionSummary } from "../plugin-api.ts";
import { foldUnchanged, lineDiff } from "./line-diff.ts";
import "./plugin-history.css";

export interface VersionHistoryDialogProps {
  namespace: PluginSection;
  /** The plugin as stored now: versions are compared with its code. */
  row: PluginRow;
  /** The user may save the plugin (and so restore a version). */
  canRestore: boolean;
  /** Unsaved edits in the editor: a restore would replace them, so it waits until they are saved or undone. */
  isDirty: boolean;
  onRestored(row: PluginRow): void;
  onClose(): void;
}

function describeTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * A plugin's saved versions, newest first (who, when, what they wrote), the line diff of the one
 * chosen against the stored code, and a button that restores it. A restore is a save: the server
 * loads the old code again and refuses it, changing nothing, if it no longer loads.
 */
export function VersionHistoryDialog({ namespace, row, canRestore, isDirty, onRestored, onClose }: VersionHistoryDialogProps) {
  const [versions, setVersions] = useState<PluginVersionSummary[] | { failed: string } | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [selected, setSelected] = useState<PluginVersion | { failed: string } | null>(null);
  const [isRestoring, setIsRestoring] = useState(false);
  const [restoreError, setRestoreError] = useState<string | null>(null);

  useEffect(() => {
    let isCurrent = true;
    pluginApi.versions(namespace, row.id).then(
      (list) => {
        if (!isCurrent) return;
        setVersions(list);
        // The newest version is the stored code; the one before it is the likely question.
        setSelectedId((current) => current ?? (list[1] ?? list[0])?.id ?? null);
      },
      (error: unknown) => isCurrent && setVersions({ failed: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [namespace, row.id, row.content_hash]);

  useEffect(() => {
    if (!selectedId) return;
    let isCurrent = true;
    setSelected(null);
    setRestoreError(null);
    pluginApi.version(namespace, row.id, selectedId).then(
      (version) => isCurrent && setSelected(version),
      (error: unknown) => isCurrent && setSelected({ failed: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [namespace, row.id, selectedId]);

  const version = selected && !("failed" in selected) ? selected : null;
  const hunks = useMemo(() => (version ? foldUnchanged(lineDiff(version.content, row.content ?? "")) : []), [version, row.content]);
  const isSameCode = version !== null && version.content === row.content;

  const restore = async () => {
    if (!version) return;
    setIsRestoring(true);
    setRestoreError(null);
    try {
      onRestored(await pluginApi.restoreVersion(namespace, row.id, version.id));
      onClose();
    } catch (error) {
      setRestoreError(errorMessage(error));
      setIsRestoring(false);
    }
  };

  return (
    <Modal
      title={`History of ${row.name}`}
      size="wide"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          {canRestore && version && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => void restore()}
              disabled={isRestoring || isDirty}
              title={isDirty ? "Save or undo your changes first: a restore replaces the code in the editor" : undefined}
            >
              {isRestoring ? "Restoring…" : `Restore version ${version.number}`}
            </button>
          )}
        </>
      }
    >
      {versions === null && (
        <div className="loading-state">
          <Spinner label="Loading the history" /> Loading the history…
        </div>
      )}
      {versions && "failed" in versions && (
        <p className="form-error" role="alert">
          Could not load the history: {versions.failed}
        </p>
      )}
      {Array.isArray(versions) && versions.length === 0 && <p className="muted">No versions yet: the next save keeps the first.</p>}
      {Array.isArray(versions) && versions.length > 0 && (
        <div className="version-history">
          <ol className="version-list" aria-label="Versions">
            {versions.map((entry, index) => (
              <li key={entry.id}>
                <button
                  type="button"
                  className="version-entry"
                  aria-pressed={entry.id === selectedId}
                  aria-label={`Version ${entry.number}${entry.message ? `: ${entry.message}` : ""}`}
                  onClick={() => setSelectedId(entry.id)}
                >
                  <span className="version-title">
                    Version {entry.number}
                    {index === 0 && <span className="badge version-current">current</span>}
                  </span>
                  <span className="version-message">{entry.message ?? <span className="muted">No message</span>}</span>
                  <span className="small muted">
                    {entry.user?.name ?? "A deleted account"} ·{" "}
                    <time dateTime={new Date(entry.created_at * 1000).toISOString()}>{describeTime(entry.created_at)}</time>
                  </span>
                </button>
              </li>
            ))}
          </ol>
          <section className="version-diff" aria-label="Changes">
            {selected === null && selectedId && (
              <div className="loading-state">
                <Spinner label="Loading the version" /> Loading…
              </div>
            )}
            {selected && "failed" in selected && (
              <p className="form-error" role="alert">
                Could not load this version: {selected.failed}
              </p>
            )}
            {version && (
              <>
                <p className="small muted version-diff-lead">
                  {isSameCode
                    ? `Version ${version.number} has the same code as the stored plugin.`
                    : `Lines removed (−) are only in version ${version.number}; lines added (+) are in the stored code.`}
                  {version.name !== row.name && ` Its name was “${version.name}”.`}
                </p>
                {!isSameCode && (
                  <div className="diff-view" role="table" aria-label={`Differences between version ${version.number} and the stored code`}>
                    {hunks.map((hunk, index) =>
                      hunk.kind === "folded" ? (
                        <div key={index} role="row" className="diff-line diff-folded">
                          <span role="cell">
                            … {hunk.count} unchanged line{hunk.count === 1 ? "" : "s"}
                          </span>
                        </div>
                      ) : (
                        hunk.lines.map((line) => (
                          <div
                            key={`${index}-${line.kind}-${"oldNumber" in line ? line.oldNumber : ""}-${"newNumber" in line ? line.newNumber : ""}`}
                            role="row"
                            className={`diff-line diff-${line.kind}`}
                          >
                            <span role="cell" className="diff-number" aria-hidden="true">
                              {"oldNumber" in line ? line.oldNumber : ""}
                            </span>
                            <span role="cell" className="diff-number" aria-hidden="true">
                              {"newNumber" in line ? line.newNumber : ""}
                            </span>
                            <span role="cell" className="diff-sign" aria-label={line.kind === "same" ? undefined : line.kind}>
                              {line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}
                            </span>
                            <code role="cell" className="diff-text">
                              {line.text}
                            </code>
                          </div>
                        ))
                      ),
                    )}
                  </div>
                )}
              </>
            )}
            {restoreError && (
              <p className="form-error" role="alert">
                <strong>Not restored: </strong>
                {restoreError}
              </p>
            )}
          </section>
        </div>
      )}
    </Modal>
  );
}
