import type { FileEntry } from "./chat-types.ts";
import { ChatImage, FileChip } from "./file-chip.tsx";
import "./composer-attachments.css";
import { translate } from "../i18n/i18n.ts";

/** The files a user sent with a message: images as thumbnails, other files as chips to download. */
export function MessageAttachments({ files }: { files: unknown }) {
  const entries = Array.isArray(files) ? (files as FileEntry[]).filter((file) => typeof file?.url === "string") : [];
  if (entries.length === 0) return null;
  return (
    <ul className="message-attachments" aria-label={translate("Attached files")}>
      {entries.map((file, index) => {
        const name = String(file.name ?? "file");
        return (
          <li key={`${file.id ?? index}`}>
            {file.type === "image" ? (
              <ChatImage url={file.url!} alt={name} className="message-attachment-image" />
            ) : (
              <FileChip name={name} size={typeof file.size === "number" ? file.size : undefined} url={file.url} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
