import { useEffect, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Icon } from "../ui/icon.tsx";
import { isTrustedImage } from "./is-trusted-image.ts";
import { fetchStoredFile, formatSize, isStoredFileUrl } from "./stored-files.ts";
import "./file-chip.css";
import { translate } from "../i18n/i18n.ts";

/** A file link the user may open: a web or same-site URL or inline data, never `javascript:`. */
function isLinkable(url: string): boolean {
  if (/^data:/i.test(url)) return true;
  try {
    return /^https?:$/.test(new URL(url, window.location.href).protocol);
  } catch {
    return false;
  }
}

export interface FileChipProps {
  name: string;
  /** Bytes, shown next to the name when known. */
  size?: number;
  /** Where the file can be downloaded from; stored files are fetched with the user's token. */
  url?: string;
  /** Shown while the file uploads. */
  isBusy?: boolean;
  /** Why the file could not be attached. */
  error?: string;
  /** Shows a remove button (the composer's chips). */
  onRemove?(): void;
}

/** Saves a Blob under a name, as a download link would. */
function saveBlob(blob: Blob, name: string): void {
  const objectUrl = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = objectUrl;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
}

/**
 * A file as a chip: its name and size, a download link when it has a URL (the file store's
 * are read with the user's token), and a remove button in the composer.
 */
export function FileChip({ name, size, url, isBusy, error, onRemove }: FileChipProps) {
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const label = (
    <>
      <Icon name="paperclip" size={14} />
      <span className="file-chip-name">{name}</span>
      {size !== undefined && <span className="file-chip-size">{formatSize(size)}</span>}
    </>
  );
  const download = async () => {
    setDownloadError(null);
    try {
      saveBlob(await fetchStoredFile(url!), name);
    } catch (failure) {
      setDownloadError(translate("Download failed: {reason}", { reason: errorMessage(failure) }));
    }
  };
  return (
    <span className={`file-chip${error ? " has-error" : ""}`} title={error ?? name}>
      {url && isStoredFileUrl(url) ? (
        <button
          type="button"
          className="file-chip-link"
          onClick={() => void download()}
          aria-label={translate("Download {name}", { name })}
        >
          {label}
        </button>
      ) : url && isLinkable(url) ? (
        <a
          className="file-chip-link"
          href={url}
          target="_blank"
          rel="noopener noreferrer nofollow"
          download={url.startsWith("data:") ? name : undefined}
        >
          {label}
        </a>
      ) : (
        <span className="file-chip-link">{label}</span>
      )}
      {isBusy && <span className="file-chip-status">{translate("uploading…")}</span>}
      {(error ?? downloadError) && (
        <span className="file-chip-status" role="alert">
          {error ?? downloadError}
        </span>
      )}
      {onRemove && (
        <button type="button" className="file-chip-remove" onClick={onRemove} aria-label={translate("Remove {name}", { name })}>
          <Icon name="close" size={12} />
        </button>
      )}
    </span>
  );
}

/**
 * An image that may load: inline data and this page's origin. Images in the file store are
 * fetched with the user's token and shown from a local object URL.
 */
export function ChatImage({ url, alt, className }: { url: string; alt: string; className?: string }) {
  const isStored = isStoredFileUrl(url);
  const [source, setSource] = useState<string | null>(isStored ? null : url);
  useEffect(() => {
    if (!isStored) {
      setSource(url);
      return;
    }
    let objectUrl: string | null = null;
    let isCurrent = true;
    fetchStoredFile(url).then(
      (blob) => {
        if (!isCurrent) return;
        objectUrl = URL.createObjectURL(blob);
        setSource(objectUrl);
      },
      () => isCurrent && setSource(null),
    );
    return () => {
      isCurrent = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url, isStored]);
  if (!isTrustedImage(url)) return null;
  return source ? (
    <img src={source} alt={alt} className={className} />
  ) : (
    <span className={`${className ?? ""} is-loading`} aria-label={alt} />
  );
}
