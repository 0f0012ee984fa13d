import "./chat-controls.css";
import { useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Modal } from "../ui/modal.tsx";
import { CONTROL_PARAMS, type ChatControls, type ControlParamKey } from "./chat-controls.ts";
import { translate, useTranslate } from "../i18n/i18n.ts";

export interface ChatControlsDialogProps {
  controls: ChatControls;
  /** Resolves once stored; a rejection shows its message and keeps the dialog open. */
  onSave(controls: ChatControls): Promise<void>;
  onClose(): void;
}

type Drafts = Record<ControlParamKey, string>;

function draftsOf(controls: ChatControls): Drafts {
  const drafts = {} as Drafts;
  for (const { key } of CONTROL_PARAMS) drafts[key] = controls[key] === undefined ? "" : String(controls[key]);
  return drafts;
}

/** The controls from the form, or the first field's complaint. */
function parseDrafts(system: string, drafts: Drafts): { controls: ChatControls } | { error: string } {
  const controls: ChatControls = system.trim() ? { system } : {};
  for (const { key, label, min, max, isInteger } of CONTROL_PARAMS) {
    const text = drafts[key].trim();
    if (text === "") continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max || (isInteger && !Number.isInteger(value))) {
      const values = { label: translate(label), min, max };
      return {
        error:
          max === Number.MAX_SAFE_INTEGER
            ? translate("{label} must be a whole number of at least {min}", values)
            : isInteger
              ? translate("{label} must be a whole number from {min} to {max}", values)
              : translate("{label} must be a number from {min} to {max}", values),
      };
    }
    controls[key] = value;
  }
  return { controls };
}

/**
 * The chat's controls: a system prompt and the common parameters (temperature, top P, max
 * tokens, seed) for this chat only. An empty field uses the model's default.
 */
export function ChatControlsDialog({ controls, onSave, onClose }: ChatControlsDialogProps) {
  const t = useTranslate();
  const [system, setSystem] = useState(controls.system ?? "");
  const [drafts, setDrafts] = useState(() => draftsOf(controls));
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);

  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    const parsed = parseDrafts(system, drafts);
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setIsSaving(true);
    try {
      await onSave(parsed.controls);
      onClose();
    } catch (saveError) {
      setError(t("The controls could not be saved: {reason}", { reason: errorMessage(saveError) }));
      setIsSaving(false);
    }
  };

  return (
    <Modal
      title={t("Chat controls")}
      onClose={onClose}
      footer={
        <>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setSystem("");
              setDrafts(draftsOf({}));
            }}
          >
            {t("Reset")}
          </button>
          <button type="button" className="button button-primary" disabled={isSaving} onClick={() => void save()}>
            {t("Save")}
          </button>
        </>
      }
    >
      <form className="chat-controls-form" onSubmit={(event) => void save(event)}>
        <p className="muted">{t("For this chat only. Empty fields use the model's defaults.")}</p>
        <label className="field">
          <span className="field-label">{t("System prompt")}</span>
          <textarea
            className="input chat-controls-system"
            rows={4}
            value={system}
            placeholder={t("You are a helpful assistant.")}
            onChange={(event) => setSystem(event.target.value)}
            data-autofocus
          />
        </label>
        <div className="chat-controls-params">
          {CONTROL_PARAMS.map(({ key, label, min, max, step }) => (
            <label key={key} className="field">
              <span className="field-label">{t(label)}</span>
              <input
                className="input"
                type="number"
                inputMode={step === 1 ? "numeric" : "decimal"}
                min={min}
                max={max === Number.MAX_SAFE_INTEGER ? undefined : max}
                step={step}
                placeholder={t("Default")}
                value={drafts[key]}
                onChange={(event) => setDrafts((current) => ({ ...current, [key]: event.target.value }))}
              />
            </label>
          ))}
        </div>
        {error && (
          <p className="message-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" hidden />
      </form>
    </Modal>
  );
}
