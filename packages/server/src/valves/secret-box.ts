import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const PREFIX = "enc:v1:";

/** Encrypts short secrets (valve values) at rest with AES-256-GCM. */
export interface SecretBox {
  encrypt(plaintext: string): string;
  /** Throws when the text was sealed with another key or was tampered with. */
  decrypt(sealed: string): string;
}

/** True for a string produced by {@link SecretBox.encrypt}. */
export function isSealed(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** A box keyed from the server's secret key (a separate key per purpose, derived by hashing). */
export function createSecretBox(secretKey: Buffer | string): SecretBox {
  const key = createHash("sha256").update("sluice:valves:").update(secretKey).digest();
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url");
    },
    decrypt(sealed) {
      if (!isSealed(sealed)) throw new Error("Not a sealed value");
      const raw = Buffer.from(sealed.slice(PREFIX.length), "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
  };
}
