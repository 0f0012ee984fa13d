import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Modal } from "../ui/modal.tsx";
import { Spinner } from "../ui/spinner.tsx";
import {
  type Connection,
  type ConnectionCheck,
  type ConnectionFields,
  type ConnectionKind,
  maskKey,
  modelSettingsOf,
} from "./connection-api.ts";

export const KIND_LABELS: Record<ConnectionKind, string> = { openai: "OpenAI-compatible", ollama: "Ollama" };

const URL_HINTS: Record<ConnectionKind, string> = {
  openai: "The API's base URL, with its version: https://api.openai.com/v1, http://localhost:8000/v1",
  ollama: "The Ollama server's address, without /v1: http://localhost:11434",
};

export interface ConnectionDialogProps {
  /** The connection being edited; absent when adding one. */
  connection?: Connection;
  /** Fields to start from when adding (the Ollama offer). */
  initial?: Partial<ConnectionFields> & { kind?: ConnectionKind };
  /** Saves; a throw is shown in the dialog, which stays open. */
  onSubmit(kind: ConnectionKind, fields: ConnectionFields): Promise<void>;
  onTest(kind: ConnectionKind, url: string, key: string): Promise<ConnectionCheck>;
  onClose(): void;
}

/** Adds or edits one connection. Editing shows the key masked; leaving the field empty keeps it. */
export function ConnectionDialog({ connection, initial, onSubmit, onTest, onClose }: ConnectionDialogProps) {
  const formId = useId();
  const [kind, setKind] = useState<ConnectionKind>(connection?.kind ?? initial?.kind ?? "openai");
  const [url, setUrl] = useState(connection?.url ?? initial?.url ?? "");
  const [key, setKey] = useState(initial?.key ?? "");
  const [shouldClearKey, setShouldClearKey] = useState(false);
  const [isEnabled, setIsEnabled] = useState(connection?.isEnabled ?? initial?.isEnabled ?? true);
  const stored = modelSettingsOf(connection?.config ?? {});
  const [prefixId, setPrefixId] = useState(stored.prefixId);
  const [modelIds, setModelIds] = useState(stored.modelIds.join(", "));
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<string | null>(null);

  const hasStoredKey = connection !== undefined && connection.key !== "";
  const keyToUse = () => (key !== "" ? key : hasStoredKey && !shouldClearKey ? connection.key : "");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      await onSubmit(kind, { url: url.trim(), key: keyToUse(), isEnabled, prefixId, modelIds: modelIds.split(",") });
      onClose();
    } catch (thrown) {
      setError(errorMessage(thrown));
      setIsBusy(false);
    }
  };

  const test = async () => {
    setIsBusy(true);
    setError(null);
    setTestResult(null);
    try {
      const result = await onTest(kind, url.trim().replace(/\/+$/, ""), keyToUse());
      const models = `${result.modelCount} ${result.modelCount === 1 ? "model" : "models"}`;
      setTestResult(result.version ? `Connected · Ollama ${result.version} · ${models}` : `Connected · ${models}`);
    } catch (thrown) {
      setError(errorMessage(thrown));
    } finally {
      setIsBusy(false);
    }
  };

  return (
    <Modal
      title={connection ? "Edit connection" : "Add connection"}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={test} disabled={isBusy || url.trim() === ""}>
            Test
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={isBusy}>
            {isBusy ? <Spinner label="Working" /> : connection ? "Save" : "Add"}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} aria-label={connection ? "Edit connection" : "Add connection"}>
        <label className="field">
          <span className="field-label">Kind</span>
          <select value={kind} onChange={(event) => setKind(event.target.value as ConnectionKind)} disabled={connection !== undefined}>
            <option value="openai">{KIND_LABELS.openai}</option>
            <option value="ollama">{KIND_LABELS.ollama}</option>
          </select>
        </label>
        <label className="field">
          <span className="field-label">URL</span>
          <input
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            type="url"
            required
            autoFocus
            autoComplete="off"
            spellCheck={false}
            placeholder={kind === "openai" ? "https://api.openai.com/v1" : "http://localhost:11434"}
          />
          <span className="field-hint">{URL_HINTS[kind]}</span>
        </label>
        <div className="field">
          <label className="field-label" htmlFor={`${formId}-key`}>
            API key
          </label>
          <input
            id={`${formId}-key`}
            value={key}
            onChange={(event) => setKey(event.target.value)}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            disabled={shouldClearKey}
            placeholder={hasStoredKey ? `Unchanged (${maskKey(connection.key)})` : kind === "ollama" ? "Usually none" : "sk-…"}
          />
          {hasStoredKey && (
            <label className="connection-checkbox small">
              <input type="checkbox" checked={shouldClearKey} onChange={(event) => setShouldClearKey(event.target.checked)} />
              Remove the key
            </label>
          )}
        </div>
        <label className="field">
          <span className="field-label">Prefix ID</span>
          <input
            value={prefixId}
            onChange={(event) => setPrefixId(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
            placeholder="None"
          />
          <span className="field-hint">
            Lists this connection&apos;s models as prefix.model, so two connections offering one model stay apart.
          </span>
        </label>
        <label className="field">
          <span className="field-label">Model IDs</span>
          <input
            value={modelIds}
            onChange={(event) => setModelIds(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="All the models it lists"
          />
          <span className="field-hint">
            {kind === "openai"
              ? "Only these models, separated by commas; they are offered without asking the connection for its list."
              : "Only these of the server's models, separated by commas."}
          </span>
        </label>
        <label className="connection-checkbox">
          <input type="checkbox" checked={isEnabled} onChange={(event) => setIsEnabled(event.target.checked)} />
          Use this connection
        </label>
        {testResult && (
          <p className="connection-status is-ok" role="status">
            {testResult}
          </p>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}
