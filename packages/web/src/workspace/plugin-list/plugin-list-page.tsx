import { useCallback, useEffect, useMemo, useState } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { useAuth } from "../../auth/auth-context.tsx";
import { Spinner } from "../../ui/spinner.tsx";
import { useToaster } from "../../ui/toasts.tsx";
import { ConfirmDialog } from "../confirm-dialog.tsx";
import { downloadJson } from "../download-json.ts";
import { kindOf, pluginApi, type AccessControl, type PluginSection, type PluginRow } from "../plugin-api.ts";
import { ValvesDialog } from "../valves-form/valves-dialog.tsx";
import { ImportDialog } from "./import-dialog.tsx";
import { NewPluginMenu } from "./new-plugin-menu.tsx";
import { PluginListItem } from "./plugin-list-item.tsx";
import "../workspace.css";

type Dialog = { type: "import" } | { type: "delete"; row: PluginRow } | { type: "valves"; row: PluginRow; isUser: boolean } | null;

const KIND_ORDER = { pipe: 0, filter: 1, action: 2, events: 3, tools: 4 };

/**
 * The functions (pipes, filters, actions) or tools of the workspace: switches, access, valves,
 * create from a template, import, export, delete.
 */
export function PluginListPage({ namespace }: { namespace: PluginSection }) {
  const { user } = useAuth();
  const toaster = useToaster();
  const isAdmin = user?.role === "admin";
  const canCreate = namespace === "functions" ? isAdmin : isAdmin || user?.permissions?.workspace?.tools === true;
  const [rows, setRows] = useState<PluginRow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [query, setQuery] = useState("");

  const reload = useCallback(() => {
    setLoadError(null);
    pluginApi.list(namespace).then(setRows, (error: unknown) => setLoadError(errorMessage(error)));
  }, [namespace]);

  useEffect(() => {
    setRows(null);
    reload();
  }, [reload]);

  const shown = useMemo(() => {
    const words = query.trim().toLowerCase();
    return (rows ?? [])
      .filter(
        (row) =>
          !words ||
          [row.name, row.id, row.meta?.description ?? "", row.meta?.manifest?.author ?? ""].some((text) =>
            text.toLowerCase().includes(words),
          ),
      )
      .sort((a, b) => KIND_ORDER[kindOf(namespace, a)] - KIND_ORDER[kindOf(namespace, b)] || a.name.localeCompare(b.name));
  }, [rows, query, namespace]);

  const replaceRow = (updated: PluginRow) =>
    setRows((current) => current?.map((row) => (row.id === updated.id ? { ...row, ...updated } : row)) ?? null);

  const change = async (row: PluginRow, action: () => Promise<PluginRow>, success?: (updated: PluginRow) => string) => {
    setBusyId(row.id);
    try {
      const updated = await action();
      replaceRow(updated);
      if (success) toaster.show({ type: "success", content: success(updated) });
    } catch (error) {
      toaster.show({ type: "error", content: `${row.name}: ${errorMessage(error)}` });
    } finally {
      setBusyId(null);
    }
  };

  const exportAll = async () => {
    try {
      const exported = await pluginApi.exportAll(namespace);
      downloadJson(`sluice-${namespace}-${new Date().toISOString().slice(0, 10)}.json`, exported);
    } catch (error) {
      toaster.show({ type: "error", content: `Export failed: ${errorMessage(error)}` });
    }
  };

  const title = namespace === "functions" ? "Functions" : "Tools";
  return (
    <div className="workspace-page">
      <div className="page-header">
        <div>
          <h2>{title}</h2>
          <p className="muted small page-lead">
            {namespace === "functions"
              ? "Pipes are models, filters run around every model call, actions are buttons under messages."
              : "Functions the model may call. Offer them in a chat or attach them to a model."}
          </p>
        </div>
        <div className="button-row">
          {isAdmin && (
            <button type="button" className="button" onClick={() => setDialog({ type: "import" })}>
              Import
            </button>
          )}
          {(isAdmin || canCreate) && (
            <button type="button" className="button" onClick={exportAll} disabled={!rows || rows.length === 0}>
              Export
            </button>
          )}
          {canCreate && <NewPluginMenu namespace={namespace} />}
        </div>
      </div>

      {rows && rows.length > 3 && (
        <div className="list-filter">
          <label className="visually-hidden" htmlFor={`${namespace}-search`}>
            Search {namespace}
          </label>
          <input
            id={`${namespace}-search`}
            className="input"
            type="search"
            placeholder={`Search ${namespace}`}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
      )}

      {loadError && (
        <div className="form-error" role="alert">
          Could not load the {namespace}: {loadError}{" "}
          <button type="button" className="link-button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {!rows && !loadError && (
        <div className="loading-state">
          <Spinner label={`Loading ${namespace}`} /> Loading {namespace}…
        </div>
      )}
      {rows && rows.length === 0 && (
        <div className="empty-state">
          <h2>No {namespace} yet</h2>
          <p>
            {canCreate
              ? "Start from a template with New, or bring some in with Import."
              : `An admin has not added any ${namespace} you can use.`}
          </p>
        </div>
      )}
      {rows && rows.length > 0 && shown.length === 0 && <p className="empty-state">Nothing matches “{query}”.</p>}
      {shown.length > 0 && (
        <ul className="plugin-list" aria-label={title}>
          {shown.map((row) => (
            <PluginListItem
              key={row.id}
              namespace={namespace}
              row={row}
              isAdmin={isAdmin}
              isBusy={busyId === row.id}
              onToggleActive={() =>
                change(
                  row,
                  () => pluginApi.toggle(row.id),
                  (updated) => `${row.name} is ${updated.is_active ? "on" : "off"}`,
                )
              }
              onToggleGlobal={() =>
                change(
                  row,
                  () => pluginApi.toggleGlobal(row.id),
                  (updated) =>
                    updated.is_global ? `${row.name} now runs for every model` : `${row.name} runs only for the models it is attached to`,
                )
              }
              onChangeAccess={(accessControl: AccessControl) => change(row, () => pluginApi.updateAccess(row.id, accessControl))}
              onOpenValves={(isUser) => setDialog({ type: "valves", row, isUser })}
              onDelete={() => setDialog({ type: "delete", row })}
            />
          ))}
        </ul>
      )}

      {dialog?.type === "import" && <ImportDialog namespace={namespace} onClose={() => setDialog(null)} onImported={reload} />}
      {dialog?.type === "valves" && (
        <ValvesDialog namespace={namespace} plugin={dialog.row} isUser={dialog.isUser} onClose={() => setDialog(null)} />
      )}
      {dialog?.type === "delete" && (
        <ConfirmDialog
          title={`Delete ${dialog.row.name}?`}
          confirmLabel="Delete"
          isDangerous
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await pluginApi.remove(namespace, dialog.row.id);
            setRows((current) => current?.filter((row) => row.id !== dialog.row.id) ?? null);
            toaster.show({ type: "success", content: `Deleted ${dialog.row.name}` });
          }}
        >
          <p>
            Its code, valves and every user’s settings for it are deleted. Models it is attached to no longer use it. Export first if you
            may want it back.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
