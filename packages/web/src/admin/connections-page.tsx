import { useCallback, useEffect, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import {
  type Connection,
  type ConnectionCheck,
  type ConnectionFields,
  type ConnectionKind,
  connectionApi,
  connectionsOf,
  maskKey,
  modelSettingsOf,
  type OllamaConfig,
  type OpenAIConfig,
  withOllamaConnection,
  withoutOllamaConnection,
  withoutOpenAIConnection,
  withOpenAIConnection,
} from "./connection-api.ts";
import { ConnectionDialog, KIND_LABELS } from "./connection-dialog.tsx";
import "../workspace/workspace.css";
import "./connections-page.css";

type Check = { state: "checking" } | ({ state: "ok" } & ConnectionCheck) | { state: "failed"; message: string };

/** Tests are remembered by connection, not position: removing one shifts the others. */
const checkKey = (kind: ConnectionKind, url: string) => `${kind} ${url}`;

function describeCheck(check: ConnectionCheck): string {
  const models = `${check.modelCount} ${check.modelCount === 1 ? "model" : "models"}`;
  return check.version ? `Connected · Ollama ${check.version} · ${models}` : `Connected · ${models}`;
}

/**
 * Admins add, edit, switch off, test and remove the upstream connections (OpenAI-compatible
 * and Ollama). Changes apply at once; keys show masked.
 */
export function ConnectionsPage() {
  const toaster = useToaster();
  const [openai, setOpenAI] = useState<OpenAIConfig | null>(null);
  const [ollama, setOllama] = useState<OllamaConfig | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checks, setChecks] = useState<Record<string, Check>>({});
  const [dialog, setDialog] = useState<{ connection?: Connection; initial?: Partial<ConnectionFields> & { kind?: ConnectionKind } } | null>(
    null,
  );
  const [removing, setRemoving] = useState<Connection | null>(null);
  const [localOllama, setLocalOllama] = useState<{ url: string; version: string } | null>(null);

  const reload = useCallback(() => {
    setError(null);
    Promise.all([connectionApi.openai(), connectionApi.ollama()]).then(
      ([openaiConfig, ollamaConfig]) => {
        setOpenAI(openaiConfig);
        setOllama(ollamaConfig);
      },
      (thrown: unknown) => setError(errorMessage(thrown)),
    );
  }, []);
  useEffect(reload, [reload]);

  const connections = openai && ollama ? connectionsOf(openai, ollama) : null;
  const isEmpty = connections?.length === 0;

  useEffect(() => {
    if (!isEmpty) return;
    let isCurrent = true;
    connectionApi.detectOllama().then(
      (found) => {
        if (isCurrent) setLocalOllama(found.url && found.version ? { url: found.url, version: found.version } : null);
      },
      () => {},
    );
    return () => {
      isCurrent = false;
    };
  }, [isEmpty]);

  const check = async (kind: ConnectionKind, url: string, key: string, config: Connection["config"] = {}) => {
    const id = checkKey(kind, url);
    setChecks((current) => ({ ...current, [id]: { state: "checking" } }));
    try {
      const result = await connectionApi.check(kind, url, key, config);
      setChecks((current) => ({ ...current, [id]: { state: "ok", ...result } }));
    } catch (thrown) {
      setChecks((current) => ({ ...current, [id]: { state: "failed", message: errorMessage(thrown) } }));
    }
  };

  /** Saves one kind's whole config; the server uses it at once. */
  const save = async (kind: ConnectionKind, change: { openai?: OpenAIConfig; ollama?: OllamaConfig }) => {
    if (kind === "openai" && change.openai) setOpenAI(await connectionApi.updateOpenAI(change.openai));
    if (kind === "ollama" && change.ollama) setOllama(await connectionApi.updateOllama(change.ollama));
  };

  /** Switches one kind on or off as a whole (`ENABLE_OPENAI_API`, `ENABLE_OLLAMA_API`). */
  const switchOn = async (kind: ConnectionKind) => {
    try {
      if (kind === "openai" && openai) await save(kind, { openai: { ...openai, ENABLE_OPENAI_API: true } });
      if (kind === "ollama" && ollama) await save(kind, { ollama: { ...ollama, ENABLE_OLLAMA_API: true } });
    } catch (thrown) {
      toaster.show({ type: "error", content: errorMessage(thrown) });
    }
  };

  const saveFields = async (kind: ConnectionKind, index: number, fields: ConnectionFields) => {
    if (!openai || !ollama) return;
    if (kind === "openai") await save(kind, { openai: withOpenAIConnection(openai, index, fields) });
    else await save(kind, { ollama: withOllamaConnection(ollama, index, fields) });
  };

  const setEnabled = async (connection: Connection, isEnabled: boolean) => {
    try {
      await saveFields(connection.kind, connection.index, { url: connection.url, key: connection.key, isEnabled });
      toaster.show({ type: "success", content: `${connection.url} ${isEnabled ? "switched on" : "switched off"}` });
    } catch (thrown) {
      toaster.show({ type: "error", content: errorMessage(thrown) });
    }
  };

  const remove = async (connection: Connection) => {
    if (!openai || !ollama) return;
    if (connection.kind === "openai") await save("openai", { openai: withoutOpenAIConnection(openai, connection.index) });
    else await save("ollama", { ollama: withoutOllamaConnection(ollama, connection.index) });
    toaster.show({ type: "success", content: `Removed ${connection.url}` });
  };

  const submitDialog = async (kind: ConnectionKind, fields: ConnectionFields) => {
    const existing = dialog?.connection;
    const index = existing ? existing.index : kind === "openai" ? openai!.OPENAI_API_BASE_URLS.length : ollama!.OLLAMA_BASE_URLS.length;
    await saveFields(kind, index, fields);
    toaster.show({ type: "success", content: existing ? `Saved ${fields.url}` : `Added ${fields.url}` });
    if (fields.isEnabled) void check(kind, fields.url.replace(/\/+$/, ""), fields.key, existing?.config);
  };

  return (
    <div className="workspace-page connections-page">
      <div className="page-header">
        <div>
          <h2>Connections</h2>
          <p className="muted small page-lead">
            The model servers Sluice chats through: OpenAI-compatible APIs and Ollama. Changes apply at once.
          </p>
        </div>
        {connections && (
          <button type="button" className="button button-primary" onClick={() => setDialog({})}>
            Add connection
          </button>
        )}
      </div>
      {error && (
        <div className="form-error" role="alert">
          Could not load the connections: {error}{" "}
          <button type="button" className="link-button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {!connections && !error && (
        <div className="loading-state">
          <Spinner label="Loading connections" /> Loading connections…
        </div>
      )}
      {openai && !openai.ENABLE_OPENAI_API && (
        <p className="connection-note" role="status">
          OpenAI-compatible connections are switched off as a whole (ENABLE_OPENAI_API).{" "}
          <button type="button" className="link-button" onClick={() => switchOn("openai")}>
            Switch them on
          </button>
        </p>
      )}
      {ollama && !ollama.ENABLE_OLLAMA_API && (
        <p className="connection-note" role="status">
          Ollama connections are switched off as a whole (ENABLE_OLLAMA_API).{" "}
          <button type="button" className="link-button" onClick={() => switchOn("ollama")}>
            Switch them on
          </button>
        </p>
      )}
      {isEmpty && localOllama && (
        <section className="connection-offer" aria-label="Ollama found">
          <div>
            <strong>
              Ollama {localOllama.version} is running at {localOllama.url}.
            </strong>
            <div className="small muted">Add it to chat with its models.</div>
          </div>
          <button
            type="button"
            className="button button-primary"
            onClick={() => setDialog({ initial: { kind: "ollama", url: localOllama.url, key: "", isEnabled: true } })}
          >
            Add Ollama
          </button>
        </section>
      )}
      {isEmpty && (
        <div className="empty-state">
          <p>No connections yet. Without one, only pipes answer chats.</p>
        </div>
      )}
      {connections && connections.length > 0 && (
        <ul className="plugin-list" aria-label="Connections">
          {connections.map((connection) => {
            const status = checks[checkKey(connection.kind, connection.url)];
            const { prefixId, modelIds } = modelSettingsOf(connection.config);
            return (
              <li
                key={`${connection.kind}-${connection.index}`}
                className={`plugin-item${connection.isEnabled ? "" : " is-off"}`}
                aria-label={connection.url}
              >
                <div className="plugin-item-main">
                  <div className="plugin-item-title">
                    <span className="badge">{KIND_LABELS[connection.kind]}</span>
                    <span className="plugin-name connection-url">{connection.url}</span>
                    {!connection.isEnabled && <span className="badge badge-warning">off</span>}
                  </div>
                  <div className="small muted">
                    Key: <span className="connection-key">{maskKey(connection.key)}</span>
                    {prefixId && <> · Prefix: {prefixId}</>}
                    {modelIds.length > 0 && <> · Only: {modelIds.join(", ")}</>}
                  </div>
                  {status && (
                    <div
                      className={`connection-status small${status.state === "failed" ? " is-failed" : status.state === "ok" ? " is-ok" : ""}`}
                      role="status"
                      aria-label={`Status of ${connection.url}`}
                    >
                      {status.state === "checking" && (
                        <>
                          <Spinner label="Testing" /> Testing…
                        </>
                      )}
                      {status.state === "ok" && describeCheck(status)}
                      {status.state === "failed" && `Failed: ${status.message}`}
                    </div>
                  )}
                </div>
                <div className="plugin-item-controls">
                  <label className="switch">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={connection.isEnabled}
                      onChange={(event) => setEnabled(connection, event.target.checked)}
                      aria-label={`Use ${connection.url}`}
                    />
                    <span aria-hidden="true">On</span>
                  </label>
                  <div className="button-row plugin-buttons">
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Test ${connection.url}`}
                      disabled={status?.state === "checking"}
                      onClick={() => check(connection.kind, connection.url, connection.key, connection.config)}
                    >
                      Test
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Edit ${connection.url}`}
                      onClick={() => setDialog({ connection })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="button button-small button-quiet danger-text"
                      aria-label={`Remove ${connection.url}`}
                      onClick={() => setRemoving(connection)}
                    >
                      Remove
                    </button>
                  </div>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {dialog && (
        <ConnectionDialog
          connection={dialog.connection}
          initial={dialog.initial}
          onSubmit={submitDialog}
          onTest={(kind, url, key) => connectionApi.check(kind, url, key, dialog.connection?.config)}
          onClose={() => setDialog(null)}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.url}?`}
          confirmLabel="Remove"
          isDangerous
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
        >
          Its models disappear from the model picker at once. Chats that used them stay.
        </ConfirmDialog>
      )}
    </div>
  );
}
