import { useEffect, useId, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useCopyButton } from "../ui/use-copy-button.ts";
import { useToaster } from "../ui/toasts.tsx";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import { accountApi } from "./account-api.ts";
import { useTranslate } from "../i18n/i18n.ts";

/**
 * The user's API key, for scripts and OpenAI clients (base URL `<server>/api`): created (shown
 * once, with a Copy button that also works over plain HTTP), replaced or revoked.
 */
export function ApiKeySection() {
  const t = useTranslate();
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
      <h2 id={headingId}>{t("API key")}</h2>
      <p className="muted small">
        {t("For scripts and OpenAI-compatible clients: base URL")} <code>{baseUrl}</code>
        {t(", the key as the bearer token. It acts as you.")}
      </p>
      {hint === undefined ? null : hint === null ? (
        <p>{t("You have no API key.")}</p>
      ) : (
        <p>
          {t("Your key:")} <code data-testid="api-key-hint">{hint}</code>
        </p>
      )}
      {newKey && (
        <div className="api-key-new" role="status">
          <label className="field">
            <span className="field-label">{t("Your new key (shown once: copy it now)")}</span>
            <input className="input api-key-value" readOnly value={newKey} onFocus={(event) => event.currentTarget.select()} />
          </label>
          <button type="button" className="button button-small" onClick={() => void copier.copy(newKey)} aria-label={t("Copy API key")}>
            {copier.label}
          </button>
        </div>
      )}
      <div className="button-row">
        <button type="button" className="button button-primary" disabled={isBusy} onClick={create}>
          {hint ? t("Replace key") : t("Create key")}
        </button>
        {hint && (
          <button type="button" className="button button-quiet danger-text" disabled={isBusy} onClick={() => setIsConfirmingRevoke(true)}>
            {t("Revoke key")}
          </button>
        )}
      </div>
      {isConfirmingRevoke && (
        <ConfirmDialog
          title={t("Revoke your API key?")}
          confirmLabel={t("Revoke")}
          isDangerous
          onConfirm={async () => {
            await accountApi.revokeApiKey();
            setHint(null);
            setNewKey(null);
            toaster.show({ type: "success", content: t("Revoked your API key") });
          }}
          onClose={() => setIsConfirmingRevoke(false)}
        >
          {t("Scripts that use it stop working at once.")}
        </ConfirmDialog>
      )}
    </section>
  );
}
