import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * scrypt cost: N=2^14, r=8 (16 MB, libsodium's "interactive" level) takes ~60 ms here, which
 * keeps sign-in responsive and throttles guessing. Stored hashes carry their parameters, so
 * raising these later keeps old hashes verifiable.
 */
const COST = 2 ** 14;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function deriveKey(
  password: string,
  salt: Buffer,
  cost: number,
  blockSize: number,
  parallelism: number,
  keyLength: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      keyLength,
      { N: cost, r: blockSize, p: parallelism, maxmem: 256 * cost * blockSize },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * Hashes a password with scrypt and a random salt into `scrypt$N$r$p$salt$hash` (base64 parts),
 * so parameters can be raised later without breaking stored hashes.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await deriveKey(password, salt, COST, BLOCK_SIZE, PARALLELISM, KEY_LENGTH);
  return ["scrypt", COST, BLOCK_SIZE, PARALLELISM, salt.toString("base64"), key.toString("base64")].join("$");
}

/** True when `password` matches `encoded` (from {@link hashPassword}); compares in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, cost, blockSize, parallelism, salt, hash] = encoded.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const numbers = [cost, blockSize, parallelism].map(Number);
  if (!numbers.every((value) => Number.isInteger(value) && value > 0) || expected.length === 0) return false;
  const actual = await deriveKey(password, Buffer.from(salt, "base64"), numbers[0], numbers[1], numbers[2], expected.length);
  return timingSafeEqual(actual, expected);
}

/** A valid hash of no one's password, to spend the same time on unknown emails at sign-in. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}
