import { useCallback, useRef, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Icon } from "../ui/icon.tsx";
import type { FileEntry } from "./chat-types.ts";
import { FileChip } from "./file-chip.tsx";
import { storedFileUrl, uploadFile } from "./stored-files.ts";
import "./composer-attachments.css";
import { translate, useTranslate } from "../i18n/i18n.ts";

/** Image types vision models take as image parts (the server's list). */
const VISION_IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Images go inline as `data:` URLs in the message; past this they would make the chat heavy. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** One file in the composer: an image read into a `data:` URL, or a file uploaded to the store. */
export interface ComposerAttachment {
  key: string;
  kind: "image" | "file";
  name: string;
  size: number;
  contentType: string;
  /** The image's `data:` URL, once read. */
  dataUrl?: string;
  /** The stored file's id, once uploaded. */
  fileId?: string;
  state: "loading" | "ready" | "failed";
  error?: string;
}

let nextKey = 0;

/** Whether a file goes into the message as an image (a `data:` URL the model gets as an image part). */
export function isImageFile(file: Pick<File, "type">): boolean {
  return VISION_IMAGE_TYPES.has(file.type);
}

function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read"));
    reader.readAsDataURL(file);
  });
}

/** The message's `files` entries for the attachments that are ready (Open WebUI's shapes). */
export function attachmentEntries(attachments: readonly ComposerAttachment[]): FileEntry[] {
  return attachments
    .filter((attachment) => attachment.state === "ready")
    .map((attachment) =>
      attachment.kind === "image"
        ? { type: "image", url: attachment.dataUrl!, name: attachment.name, size: attachment.size, content_type: attachment.contentType }
        : {
            type: "file",
            id: attachment.fileId!,
            url: storedFileUrl(attachment.fileId!),
            name: attachment.name,
            size: attachment.size,
            content_type: attachment.contentType,
          },
    );
}

/**
 * The composer's attachments: images (PNG, JPEG, GIF, WebP) are read into `data:` URLs, other
 * files are uploaded to the file store as soon as they are added. A failed one stays, marked,
 * until removed.
 */
export function useComposerAttachments() {
  const [attachments, setAttachments] = useState<ComposerAttachment[]>([]);
  const removed = useRef(new Set<string>());

  const update = useCallback((key: string, change: Partial<ComposerAttachment>) => {
    setAttachments((current) => current.map((attachment) => (attachment.key === key ? { ...attachment, ...change } : attachment)));
  }, []);

  const add = useCallback(
    (files: readonly File[]) => {
      for (const file of files) {
        const key = `attachment-${(nextKey += 1)}`;
        const kind = isImageFile(file) ? "image" : "file";
        const name = file.name || (kind === "image" ? "pasted image" : "file");
        setAttachments((current) => [
          ...current,
          { key, kind, name, size: file.size, contentType: file.type || "application/octet-stream", state: "loading" },
        ]);
        const work =
          kind === "image"
            ? file.size > MAX_IMAGE_BYTES
              ? Promise.reject(new Error(`Images may have ${MAX_IMAGE_BYTES / 1024 / 1024} MB at most`))
              : readDataUrl(file).then((dataUrl) => ({ dataUrl }))
            : uploadFile(file).then((stored) => ({ fileId: stored.id }));
        work.then(
          (result) => !removed.current.has(key) && update(key, { ...result, state: "ready" }),
          (error: unknown) => !removed.current.has(key) && update(key, { state: "failed", error: errorMessage(error) }),
        );
      }
    },
    [update],
  );

  const remove = useCallback((key: string) => {
    removed.current.add(key);
    setAttachments((current) => current.filter((attachment) => attachment.key !== key));
  }, []);

  const clear = useCallback(() => setAttachments([]), []);
  const restore = useCallback((previous: ComposerAttachment[]) => setAttachments((current) => [...previous, ...current]), []);

  return {
    attachments,
    add,
    remove,
    clear,
    restore,
    isLoading: attachments.some((attachment) => attachment.state === "loading"),
    readyCount: attachments.filter((attachment) => attachment.state === "ready").length,
  };
}

/** The attachments above the message box: images as thumbnails, other files as chips; each can be removed. */
export function ComposerAttachments({ attachments, onRemove }: { attachments: ComposerAttachment[]; onRemove(key: string): void }) {
  if (attachments.length === 0) return null;
  return (
    <ul className="composer-attachments" aria-label={translate("Attached files")}>
      {attachments.map((attachment) =>
        attachment.kind === "image" && attachment.dataUrl ? (
          <li key={attachment.key} className="composer-thumbnail">
            <img src={attachment.dataUrl} alt={attachment.name} />
            <button
              type="button"
              className="composer-thumbnail-remove"
              onClick={() => onRemove(attachment.key)}
              aria-label={translate("Remove {name}", { name: attachment.name })}
            >
              <Icon name="close" size={12} />
            </button>
          </li>
        ) : (
          <li key={attachment.key}>
            <FileChip
              name={attachment.name}
              size={attachment.size}
              isBusy={attachment.state === "loading"}
              error={attachment.error}
              onRemove={() => onRemove(attachment.key)}
            />
          </li>
        ),
      )}
    </ul>
  );
}

/** The paperclip button: opens the file chooser (several files at once). */
export function AttachButton({ onFiles, isDisabled }: { onFiles(files: File[]): void; isDisabled: boolean }) {
  const t = useTranslate();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="button button-quiet composer-icon-button"
        aria-label={t("Attach files")}
        title={t("Attach files or images (you can also drop or paste them)")}
        disabled={isDisabled}
        onClick={() => input.current?.click()}
      >
        <Icon name="paperclip" />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        onChange={(event) => {
          onFiles([...(event.target.files ?? [])]);
          event.target.value = "";
        }}
      />
    </>
  );
}
