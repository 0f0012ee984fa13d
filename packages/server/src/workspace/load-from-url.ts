import { SluiceError } from "@sluice/sdk";

/** Entry files tried, in order, when a URL names a folder (a GitHub `tree` URL). */
const FOLDER_ENTRY_FILES = ["index.ts", "main.ts", "index.js", "main.js"];
const ENTRY_FILE_NAMES = new Set([...FOLDER_ENTRY_FILES, "main.py", "index.py", "__init__.py"]);

/**
 * The URLs to try for a plugin URL. GitHub `blob` URLs become raw URLs of the same file; `tree`
 * URLs (a folder) become raw URLs of the folder's entry file (Open WebUI tries `main.py`; a
 * Sluice plugin's entry is `index.ts`, so those come first). Other URLs are used as they are.
 */
export function candidateUrls(input: string): string[] {
  const url = new URL(input);
  if (url.hostname !== "github.com") return [url.toString()];
  const [owner, repository, mode, branch, ...rest] = url.pathname.split("/").filter(Boolean);
  if (!owner || !repository || !branch || (mode !== "blob" && mode !== "tree")) return [url.toString()];
  const base = `https://raw.githubusercontent.com/${owner}/${repository}/refs/heads/${branch}`;
  const path = rest.join("/");
  if (mode === "blob") return [`${base}/${path}`];
  const folder = path ? `${base}/${path}` : base;
  return [...FOLDER_ENTRY_FILES, "main.py"].map((file) => `${folder}/${file}`);
}

/** A plugin name from its URL: the file name without extension, or the folder for entry files. */
export function nameFromUrl(input: string): string {
  const parts = new URL(input).pathname.split("/").filter(Boolean);
  const file = parts.at(-1);
  if (!file) return "plugin";
  if (ENTRY_FILE_NAMES.has(file)) return parts.at(-2) && !["heads", "refs"].includes(parts.at(-2)!) ? parts.at(-2)! : "plugin";
  return file.replace(/\.(ts|mts|js|mjs|py)$/, "") || "plugin";
}

export interface LoadedSource {
  name: string;
  content: string;
}

export interface LoadFromUrlOptions {
  timeoutMs?: number;
  maxBytes?: number;
  fetch?: typeof globalThis.fetch;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new SluiceError("PAYLOAD_TOO_LARGE", `The file at that URL is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Fetches a plugin's source from a URL (`POST …/load/url`); saves nothing. */
export async function loadFromUrl(input: string, options: LoadFromUrlOptions = {}): Promise<LoadedSource> {
  let candidates: string[];
  try {
    candidates = candidateUrls(input);
  } catch {
    throw new SluiceError("INVALID_INPUT", `Not a valid URL: ${input}`);
  }
  if (!/^https?:$/.test(new URL(candidates[0]!).protocol)) throw new SluiceError("INVALID_INPUT", "Only http and https URLs can be loaded");
  const fetchText = options.fetch ?? globalThis.fetch;
  let lastStatus = 404;
  let lastStatusText = "Not Found";
  for (const candidate of candidates) {
    let response: Response;
    try {
      response = await fetchText(candidate, { redirect: "follow", signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : (error as Error).message;
      throw new SluiceError("UPSTREAM_ERROR", `Could not fetch ${candidate}: ${reason}`);
    }
    if (!response.ok) {
      lastStatus = response.status;
      lastStatusText = response.statusText;
      await response.body?.cancel();
      continue;
    }
    const content = await readCapped(response, options.maxBytes ?? 1024 * 1024);
    if (content.trim() === "") throw new SluiceError("INVALID_INPUT", `The file at ${candidate} is empty`);
    return { name: nameFromUrl(candidate), content };
  }
  throw new SluiceError(lastStatus === 404 ? "NOT_FOUND" : "UPSTREAM_ERROR", `Fetching ${input} failed: ${lastStatus} ${lastStatusText}`, {
    details: { status: lastStatus },
  });
}
