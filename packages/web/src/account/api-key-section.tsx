import { useEffect, useId, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useCopyButton } from "../ui/use-copy-button.ts";
import { useToaster } from "../ui/toasts.tsx";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import { accountApi } from "./account-api.ts";

/**
 * The user's API key, for scripts and OpenAI clients (base URL `<server>/api`): created (shown
 * once, with a Copy button that also works over plain HTTP), replaced or revoked.
 */
export function ApiKeySection() {
  const toaster = useToaster();
  const headingId = useId();
  const copier = useCopyButton();
  const [hint, setHint] = useState<string | null | undefined>(undefined);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [isConfirmingRevoke, setIsConfirmingRevoke] = useState(false);
  const baseUrl = `${window.location.origin}/api`;

  useEffect(() => {
    accountApi.apiKeyHint().then(setHint, (thrown: unknown) => toaster.show({ type: "error", content: errorMessage(thrown) }));
  }, []);

  const create = async () => {
    setIsBusy(true);
    try {
      const key = await accountApi.createApiKey();
      setNewKey(key);
      setHint(`sk-…${key.slice(-4)}`);
    } catch (thrown) {
      toaster.show({ type: "error", content: errorMessage(thrown) });
    } finally {
      setIsBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby={headingId}>
      <h2 id={headingId}>API key</h2>
      <p className="muted small">
        For scripts and OpenAI-compatible clients: base URL <code>{baseUrl}</code>, the key as the bearer token. It acts as you.
      </p>
      {hint === undefined ? null : hint === null ? (
        <p>You have no API key.</p>
      ) : (
        <p>
          Your key: <code data-testid="api-key-hint">{hint}</code>
        </p>
      )}
      {newKey && (
        <div className="api-key-new" role="status">
          <label className="field">
            <span className="field-label">Your new key (shown once: copy it now)</span>
            <input className="input api-key-value" readOnly value={newKey} onFocus={(event) => event.currentTarget.select()} />
          </label>
          <button type="button" className="button button-small" onClick={() => void copier.copy(newKey)} aria-label="Copy API key">
            {copier.label}
          </button>
        </div>
      )}
      <div className="button-row">
        <button type="button" className="button button-primary" disabled={isBusy} onClick={create}>
          {hint ? "Replace key" : "Create key"}
        </button>
        {hint && (
          <button type="button" className="button button-quiet danger-text" disabled={isBusy} onClick={() => setIsConfirmingRevoke(true)}>
            Revoke key
          </button>
        )}
      </div>
      {isConfirmingRevoke && (
        <ConfirmDialog
          title="Revoke your API key?"
          confirmLabel="Revoke"
          isDangerous
          onConfirm={async () => {
            await accountApi.revokeApiKey();
            setHint(null);
            setNewKey(null);
            toaster.show({ type: "success", content: "Revoked your API key" });
          }}
          onClose={() => setIsConfirmingRevoke(false)}
        >
          Scripts that use it stop working at once.
        </ConfirmDialog>
      )}
    </section>
  );
}
