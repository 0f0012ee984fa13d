import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";

const SECRET_KEY_FILE = ".secret_key";

/**
 * The server's signing secret: `WEBUI_SECRET_KEY` when set; otherwise 32 random bytes generated
 * once into `<dataDir>/.secret_key` (mode 0600) and read back on every later start, so tokens
 * survive restarts. Instances sharing a data folder share the key.
 */
export function loadSecretKey(config: Pick<Config, "secretKey" | "dataDir">): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey, "utf8");
  const file = path.join(config.dataDir, SECRET_KEY_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // "wx" fails when the file exists, so two instances starting together keep one key.
    fs.writeFileSync(file, randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A key written by hand or by an older version: only the server's OS user may read it
    // (best effort: a key mounted read-only stays as it is).
    try {
      fs.chmodSync(file, 0o600);
    } catch {
      // Not ours to change.
    }
  }
  const text = fs.readFileSync(file, "utf8").trim();
  if (text === "") throw new Error(`${file} is empty; delete it to generate a new key (signed-in users will have to sign in again)`);
  return Buffer.from(text, "base64");
}
