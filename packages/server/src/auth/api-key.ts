import { createHash, randomBytes } from "node:crypto";

const PREFIX = "sk-";
const API_KEY_PATTERN = /^sk-[0-9a-f]{48}$/;

export interface GeneratedApiKey {
  /** Shown to the user once; never stored. */
  key: string;
  /** sha256 of the key, hex: what is stored and looked up. */
  hash: string;
  /** The key's last four characters. */
  hint: string;
}

/** A new API key, `sk-` followed by 48 hex characters. */
export function generateApiKey(): GeneratedApiKey {
  const key = PREFIX + randomBytes(24).toString("hex");
  return { key, hash: hashApiKey(key), hint: key.slice(-4) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** True for strings shaped like our keys (a bearer token is otherwise taken as a JWT). */
export function isApiKey(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** True for a well-formed key (`sk-` + 48 lower-case hex). */
export function isWellFormedApiKey(token: string): boolean {
  return API_KEY_PATTERN.test(token);
}

/** How a stored key is shown: `sk-…abcd`. */
export function formatApiKeyHint(hint: string): string {
  return `${PREFIX}…${hint}`;
}
