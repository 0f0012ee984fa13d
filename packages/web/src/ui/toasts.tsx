import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";

export type ToastType = "info" | "success" | "warning" | "error";

export interface ToastInput {
  type?: ToastType;
  content: string;
  /** How long it stays, in ms; errors stay until closed when 0. Default 5 s (errors 8 s). */
  durationMs?: number;
}

interface Toast extends Required<Omit<ToastInput, "durationMs">> {
  id: number;
}

export interface Toaster {
  /** Shows a toast; returns a function that closes it. */
  show(toast: ToastInput): () => void;
}

const ToastContext = createContext<Toaster | null>(null);

/**
 * Renders toasts in a live region at the bottom right (bottom on phones).
 *
 * @example
 * const toaster = useToaster();
 * toaster.show({ type: "success", content: "Saved" });
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const close = useCallback((id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (input: ToastInput) => {
      const id = nextId.current++;
      const type = input.type ?? "info";
      setToasts((list) => [...list.slice(-4), { id, type, content: input.content }]);
      const durationMs = input.durationMs ?? (type === "error" ? 8000 : 5000);
      if (durationMs > 0) setTimeout(() => close(id), durationMs);
      return () => close(id);
    },
    [close],
  );
  const toaster = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.type}`} role={toast.type === "error" ? "alert" : "status"}>
            <span className="toast-content">{toast.content}</span>
            <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => close(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** The toaster; only inside {@link ToastProvider}. */
export function useToaster(): Toaster {
  const toaster = useContext(ToastContext);
  if (!toaster) throw new Error("useToaster needs a <ToastProvider> above it");
  return toaster;
}
