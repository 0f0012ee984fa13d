import { errors, jwtVerify, SignJWT } from "jose";

export interface SignedToken {
  token: string;
  /** Epoch seconds, or null when the token does not expire. */
  expiresAt: number | null;
}

/**
 * Signs a session token (HS256) whose subject is the user id and whose `ver` claim is the user's
 * token version (tokens of an older version are refused: see `authenticateToken`);
 * `expiresInSeconds` 0 = no expiry.
 */
export async function signToken(secretKey: Uint8Array, userId: string, expiresInSeconds: number, tokenVersion = 0): Promise<SignedToken> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const builder = new SignJWT({ ver: tokenVersion })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuedAt(issuedAt);
  const expiresAt = expiresInSeconds > 0 ? issuedAt + expiresInSeconds : null;
  if (expiresAt !== null) builder.setExpirationTime(expiresAt);
  return { token: await builder.sign(secretKey), expiresAt };
}

/** A valid token names its user and the token version it was signed at (0 for tokens made before versions existed). */
export type TokenCheck = { isValid: true; userId: string; tokenVersion: number } | { isValid: false; reason: string };

/** A token whose signature checked out: whom it names, and when it expires (epoch seconds). */
interface VerifiedToken {
  userId: string;
  tokenVersion: number;
  expiresAt: number | undefined;
}

/** How many verified tokens each key remembers; past it the oldest is forgotten. */
const MAX_REMEMBERED_TOKENS = 10_000;

/**
 * Tokens already verified, per secret key. A signature check goes through WebCrypto, which is
 * asynchronous: a few hundred µs of every request's time to first token. A token's signature
 * does not change, so it is checked once; the expiry is checked on every use.
 */
const verifiedTokens = new WeakMap<Uint8Array, Map<string, VerifiedToken>>();

const EXPIRED: TokenCheck = { isValid: false, reason: "Your session has expired; sign in again" };

/** Checks a token's signature and expiry; says why when it is not valid. Never throws. */
export async function verifyToken(secretKey: Uint8Array, token: string): Promise<TokenCheck> {
  let remembered = verifiedTokens.get(secretKey);
  const known = remembered?.get(token);
  if (known) {
    if (known.expiresAt !== undefined && known.expiresAt <= Date.now() / 1000) {
      remembered!.delete(token);
      return EXPIRED;
    }
    return { isValid: true, userId: known.userId, tokenVersion: known.tokenVersion };
  }
  let verified: VerifiedToken;
  try {
    const { payload } = await jwtVerify(token, secretKey, { algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || payload.sub === "") return { isValid: false, reason: "Invalid token" };
    const version = payload.ver ?? 0;
    if (!Number.isSafeInteger(version)) return { isValid: false, reason: "Invalid token" };
    verified = { userId: payload.sub, tokenVersion: version as number, expiresAt: payload.exp };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return EXPIRED;
    return { isValid: false, reason: "Invalid token" };
  }
  if (!remembered) verifiedTokens.set(secretKey, (remembered = new Map()));
  if (remembered.size >= MAX_REMEMBERED_TOKENS) remembered.delete(remembered.keys().next().value!);
  remembered.set(token, verified);
  return { isValid: true, userId: verified.userId, tokenVersion: verified.tokenVersion };
}
