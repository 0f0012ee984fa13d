import { useRef, useState, type KeyboardEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useToaster } from "../ui/toasts.tsx";

/**
 * A name being edited in the sidebar (a chat's title, a folder's name): Enter or leaving the
 * field saves it, Escape or an empty or unchanged name cancels; a failed save is a toast
 * `<failure>: <reason>`.
 */
export function NameField({
  label,
  initial,
  onSave,
  failure,
  onDone,
}: {
  label: string;
  initial: string;
  onSave(name: string): Promise<void>;
  failure: string;
  onDone(): void;
}) {
  const toaster = useToaster();
  const [name, setName] = useState(initial);
  const isDone = useRef(false);

  const save = async () => {
    if (isDone.current) return;
    isDone.current = true;
    onDone();
    const trimmed = name.trim();
    if (!trimmed || trimmed === initial) return;
    try {
      await onSave(trimmed);
    } catch (error) {
      toaster.show({ type: "error", content: `${failure}: ${errorMessage(error)}` });
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") void save();
    if (event.key === "Escape") {
      isDone.current = true;
      onDone();
    }
  };
  return (
    <input
      className="input rename-input"
      aria-label={label}
      value={name}
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setName(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => void save()}
    />
  );
}
