import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { SluiceError } from "@sluice/sdk";
import { isPublicAddress } from "../sandbox/network-policy.ts";

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
  /** Reach loopback, private and link-local addresses too (`PLUGIN_ALLOW_PRIVATE_NETWORK`); off by default, as for plugins' `ctx.fetch`. */
  allowPrivateNetwork?: boolean;
}

const MAX_REDIRECTS = 5;

interface Address {
  address: string;
  family: number;
}

interface Fetched {
  status: number;
  statusText: string;
  body: string;
}

/** The address to connect to for `url`: every address the name resolves to must be public unless private ones are allowed. */
async function checkedAddress(url: URL, allowPrivateNetwork: boolean): Promise<Address> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  let addresses: Address[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await dnsLookup(hostname, { all: true, verbatim: true });
    } catch (error) {
      throw new SluiceError(
        "UPSTREAM_ERROR",
        `Could not resolve ${hostname} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    if (addresses.length === 0) throw new SluiceError("UPSTREAM_ERROR", `${hostname} has no addresses`);
  }
  const refused = allowPrivateNetwork ? undefined : addresses.find(({ address }) => !isPublicAddress(address));
  if (refused) {
    throw new SluiceError(
      "PERMISSION_DENIED",
      `Loading from ${hostname} is refused: it resolves to ${refused.address}, a loopback, private, link-local or reserved address ` +
        "(an admin can allow those with PLUGIN_ALLOW_PRIVATE_NETWORK=true)",
    );
  }
  return addresses[0]!;
}

/** One GET to the address that was checked, whatever DNS says now; the body is read up to `maxBytes`. */
function get(url: URL, address: Address, maxBytes: number, signal: AbortSignal): Promise<Fetched & { location?: string }> {
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as (error: null, addresses: Address[]) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.get(url, { lookup, signal, agent: false, headers: { accept: "text/plain, */*" } }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (!(status >= 200 && status < 300)) {
        response.resume();
        resolve({ status, statusText: response.statusMessage ?? "", body: "", location });
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on("data", (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > maxBytes) {
          response.destroy();
          reject(new SluiceError("PAYLOAD_TOO_LARGE", `The file at that URL is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.once("end", () =>
        resolve({ status, statusText: response.statusMessage ?? "", body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.once("error", reject);
    });
    outgoing.once("error", reject);
  });
}

/** GETs a URL, following redirects by hand so each hop's address is checked again. */
async function fetchChecked(input: string, options: Required<LoadFromUrlOptions>): Promise<Fetched> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = new URL(input);
  try {
    for (let redirects = 0; ; redirects++) {
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new SluiceError("INVALID_INPUT", "Only http and https URLs can be loaded");
      const address = await checkedAddress(url, options.allowPrivateNetwork);
      const fetched = await get(url, address, options.maxBytes, signal);
      if (![301, 302, 303, 307, 308].includes(fetched.status) || !fetched.location) return fetched;
      if (redirects >= MAX_REDIRECTS) throw new SluiceError("UPSTREAM_ERROR", `More than ${MAX_REDIRECTS} redirects from ${input}`);
      url = new URL(fetched.location, url);
    }
  } catch (error) {
    if (SluiceError.isInstance(error)) throw error;
    const reason = signal.aborted ? "timed out" : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new SluiceError("UPSTREAM_ERROR", `Could not fetch ${url.href}: ${reason}`);
  }
}

/**
 * Fetches a plugin's source from a URL (`POST …/load/url`); saves nothing. Like a plugin's
 * `ctx.fetch`, it reaches only public addresses unless `allowPrivateNetwork`, checking every
 * redirect, so an admin's request cannot be pointed at the server's own network.
 */
export async function loadFromUrl(input: string, options: LoadFromUrlOptions = {}): Promise<LoadedSource> {
  let candidates: string[];
  try {
    candidates = candidateUrls(input);
  } catch {
    throw new SluiceError("INVALID_INPUT", `Not a valid URL: ${input}`);
  }
  if (!/^https?:$/.test(new URL(candidates[0]!).protocol)) throw new SluiceError("INVALID_INPUT", "Only http and https URLs can be loaded");
  const settings = {
    timeoutMs: options.timeoutMs ?? 15_000,
    maxBytes: options.maxBytes ?? 1024 * 1024,
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
  };
  let lastStatus = 404;
  let lastStatusText = "Not Found";
  for (const candidate of candidates) {
    const fetched = await fetchChecked(candidate, settings);
    if (fetched.status < 200 || fetched.status >= 300) {
      lastStatus = fetched.status;
      lastStatusText = fetched.statusText;
      continue;
    }
    if (fetched.body.trim() === "") throw new SluiceError("INVALID_INPUT", `The file at ${candidate} is empty`);
    return { name: nameFromUrl(candidate), content: fetched.body };
  }
  throw new SluiceError(lastStatus === 404 ? "NOT_FOUND" : "UPSTREAM_ERROR", `Fetching ${input} failed: ${lastStatus} ${lastStatusText}`, {
    details: { status: lastStatus },
  });
}
