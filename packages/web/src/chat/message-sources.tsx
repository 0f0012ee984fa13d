import { useState } from "react";
import { Modal } from "../ui/modal.tsx";
import type { FileEntry, SourceEntry } from "./chat-types.ts";
import { ChatImage, FileChip } from "./file-chip.tsx";
import { isTrustedImage } from "./is-trusted-image.ts";
import { translate } from "../i18n/i18n.ts";

function isWebUrl(value: unknown): value is string {
  return typeof value === "string" && /^https?:\/\//i.test(value);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

interface SourceGroup {
  name: string;
  url?: string;
  documents: Array<{ text: string; metadata?: Record<string, unknown> }>;
}

/** Citations grouped by source (name and url), as Open WebUI shows them. */
export function groupSources(sources: SourceEntry[]): SourceGroup[] {
  const groups = new Map<string, SourceGroup>();
  for (const source of sources) {
    const documents = Array.isArray(source.document) ? source.document : [];
    const metadata = Array.isArray(source.metadata) ? source.metadata : [];
    const fallbackUrl = [source.source?.url, metadata[0]?.url, metadata[0]?.source].find(isWebUrl);
    const name = source.source?.name || metadata[0]?.name || (fallbackUrl ? hostOf(fallbackUrl) : "Source");
    const key = `${name}|${fallbackUrl ?? ""}`;
    const group = groups.get(key) ?? { name, url: fallbackUrl, documents: [] };
    documents.forEach((text, index) => group.documents.push({ text: String(text), metadata: metadata[index] }));
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** The citations under an answer; pressing one shows its excerpts. */
export function MessageSources({ sources }: { sources: SourceEntry[] }) {
  const [opened, setOpened] = useState<SourceGroup | null>(null);
  const groups = groupSources(sources);
  if (groups.length === 0) return null;
  return (
    <div className="message-sources" aria-label={translate("Sources")}>
      <span className="message-sources-label">{translate("Sources")}</span>
      {groups.map((group, index) => (
        <button
          key={`${group.name}-${index}`}
          type="button"
          className="source-chip"
          onClick={() => setOpened(group)}
          title={group.url ?? group.name}
        >
          <span className="source-number">{index + 1}</span>
          {group.name}
        </button>
      ))}
      {opened && (
        <Modal title={opened.name} onClose={() => setOpened(null)} size="wide">
          {opened.url && (
            <p>
              <a href={opened.url} target="_blank" rel="noopener noreferrer nofollow">
                {opened.url}
              </a>
            </p>
          )}
          {opened.documents.length === 0 && <p className="muted">{translate("No excerpt was given.")}</p>}
          {opened.documents.map((document, index) => (
            <blockquote key={index} className="source-excerpt">
              {document.text}
            </blockquote>
          ))}
        </Modal>
      )}
    </div>
  );
}

/** Files a plugin attached to an answer: images shown when they come from this server, others as chips to download. */
export function MessageFiles({ files }: { files: FileEntry[] }) {
  if (files.length === 0) return null;
  return (
    <ul className="message-files" aria-label={translate("Files")}>
      {files.map((file, index) => {
        const url = typeof file.url === "string" ? file.url : undefined;
        const name = String(file.name ?? url?.split("/").at(-1) ?? file.id ?? "file");
        const isImage = file.type === "image" || (url !== undefined && /^data:image\//.test(url));
        return (
          <li key={`${file.id ?? url ?? index}`} className="message-file">
            {isImage && url && isTrustedImage(url) ? (
              <ChatImage url={url} alt={name} className="message-image" />
            ) : (
              <FileChip name={name} size={typeof file.size === "number" ? file.size : undefined} url={url} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
