import { useState, type ReactNode } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Modal } from "../ui/modal.tsx";
import { useTranslate } from "../i18n/i18n.ts";

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Runs when confirmed; a throw is shown in the dialog, which stays open. */
  onConfirm(): Promise<void>;
  onClose(): void;
  isDangerous?: boolean;
}

/**
 * Asks before doing something that cannot be undone; focus starts on "Cancel".
 *
 * @example
 * <ConfirmDialog title="Delete Turn Limit?" confirmLabel="Delete" isDangerous onConfirm={remove} onClose={close}>
 *   Its code and valves are deleted.
 * </ConfirmDialog>
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose, isDangerous = false }: ConfirmDialogProps) {
  const t = useTranslate();
  const [isWorking, setIsWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setIsWorking(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (thrown) {
      setError(errorMessage(thrown));
      setIsWorking(false);
    }
  };
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} autoFocus>
            {t("Cancel")}
          </button>
          <button
            type="button"
            className={`button ${isDangerous ? "button-danger" : "button-primary"}`}
            onClick={confirm}
            disabled={isWorking}
          >
            {isWorking ? t("Working…") : confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
