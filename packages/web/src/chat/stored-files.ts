import { ApiError, detailOf } from "../api/api-error.ts";
import { sendRequest } from "../api/api-client.ts";
import { readToken } from "../api/token-storage.ts";

/** A file in the server's file store, as `POST /api/v1/files/` answers (Open WebUI's shape). */
export interface StoredFile {
  id: string;
  filename: string;
  meta: { name: string; content_type: string; size: number };
}

/** The path a stored file's bytes are read from; image parts and `files` entries point at it. */
export function storedFileUrl(id: string): string {
  return `/api/v1/files/${encodeURIComponent(id)}/content`;
}

/** Whether a URL is this server's file store, which needs the user's token to be read. */
export function isStoredFileUrl(url: string): boolean {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.origin === window.location.origin && /^\/api\/v1\/files\/[^/]+\/content$/.test(parsed.pathname);
  } catch {
    return false;
  }
}

/** Uploads a file to the file store (multipart field `file`); an error carries the server's `detail`. */
export async function uploadFile(file: File, signal?: AbortSignal): Promise<StoredFile> {
  const form = new FormData();
  form.append("file", file, file.name);
  const token = readToken();
  let response: Response;
  try {
    response = await fetch("/api/v1/files/", {
      method: "POST",
      headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: form,
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "Cannot reach the Sluice server. Check your connection and try again.");
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: a proxy's error page
  }
  if (!response.ok) throw new ApiError(response.status, detailOf(body, `${response.status} ${response.statusText}`), body);
  return body as StoredFile;
}

/** Reads a stored file with the user's token (an `<img>` or a link cannot send it) as a Blob. */
export async function fetchStoredFile(url: string): Promise<Blob> {
  return (await sendRequest(url, { headers: { accept: "*/*" } })).blob();
}

/** A size for people: `512 B`, `1.5 KB`, `3.2 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
