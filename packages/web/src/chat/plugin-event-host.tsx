import { useState, type FormEvent } from "react";
import { useSocketEvent } from "../realtime/socket-provider.tsx";
import { Modal } from "../ui/modal.tsx";
import { useToaster, type ToastType } from "../ui/toasts.tsx";
import { chatList } from "./chat-list-store.ts";
import type { EventEnvelope } from "./chat-types.ts";
import { LazyMarkdown as MarkdownContent } from "./lazy-markdown.tsx";

interface PendingCall {
  key: number;
  type: "confirmation" | "input";
  data: { title?: string; message?: string; placeholder?: string; value?: string; type?: string };
  answer(value: unknown): void;
}

const TOAST_TYPES = new Set<ToastType>(["info", "success", "warning", "error"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * Plugin events that concern the whole app, on every page: `confirmation` and `input` calls
 * open a dialog whose answer goes back as the socket acknowledgement (closing it answers
 * `false` / `null`), one call at a time; `notification` shows a toast; `chat:title` renames
 * the chat in the sidebar. `execute` calls are answered with an error: this UI runs no plugin code.
 */
export function PluginEventHost() {
  const toaster = useToaster();
  const [calls, setCalls] = useState<PendingCall[]>([]);

  useSocketEvent("events", (envelope: EventEnvelope, acknowledge) => {
    if (!isRecord(envelope) || !isRecord(envelope.data)) return;
    const { type, data } = envelope.data;
    if (type === "confirmation" || type === "input") {
      if (!acknowledge) return;
      let isAnswered = false;
      const key = Date.now() + Math.random();
      const answer = (value: unknown) => {
        if (isAnswered) return;
        isAnswered = true;
        acknowledge(value);
        setCalls((list) => list.filter((call) => call.key !== key));
      };
      setCalls((list) => [...list, { key, type, data: isRecord(data) ? (data as PendingCall["data"]) : {}, answer }]);
    } else if (type === "execute") {
      acknowledge?.({ error: "This browser does not run plugin code: execute events are not supported by the Sluice web UI" });
    } else if (type === "notification" && isRecord(data) && typeof data.content === "string") {
      const toastType = TOAST_TYPES.has(data.type as ToastType) ? (data.type as ToastType) : "info";
      toaster.show({ type: toastType, content: data.content });
    } else if (type === "chat:title" && envelope.chat_id) {
      const title = typeof data === "string" ? data : isRecord(data) && typeof data.title === "string" ? data.title : null;
      if (title) chatList.rename(envelope.chat_id, title);
    }
  });

  const current = calls[0];
  if (!current) return null;
  return current.type === "confirmation" ? (
    <ConfirmationDialog key={current.key} call={current} />
  ) : (
    <InputDialog key={current.key} call={current} />
  );
}

function ConfirmationDialog({ call }: { call: PendingCall }) {
  return (
    <Modal
      title={call.data.title || "Please confirm"}
      onClose={() => call.answer(false)}
      footer={
        <>
          <button type="button" className="button" onClick={() => call.answer(false)}>
            Cancel
          </button>
          <button type="button" className="button button-primary" onClick={() => call.answer(true)} autoFocus>
            Confirm
          </button>
        </>
      }
    >
      {call.data.message && <MarkdownContent text={call.data.message} />}
    </Modal>
  );
}

function InputDialog({ call }: { call: PendingCall }) {
  const [value, setValue] = useState(typeof call.data.value === "string" ? call.data.value : "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    call.answer(value);
  };
  const formId = `event-input-${call.key}`;
  return (
    <Modal
      title={call.data.title || "A plugin asks"}
      onClose={() => call.answer(null)}
      footer={
        <>
          <button type="button" className="button" onClick={() => call.answer(null)}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary">
            Send
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit}>
        {call.data.message && <MarkdownContent text={call.data.message} />}
        <label className="field">
          <span className="visually-hidden">{call.data.title || "Answer"}</span>
          <input
            type={call.data.type === "password" ? "password" : "text"}
            placeholder={call.data.placeholder ?? ""}
            value={value}
            autoFocus
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
      </form>
    </Modal>
  );
}
