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

/** Checks a token's signature and expiry; says why when it is not valid. Never throws. */
export async function verifyToken(secretKey: Uint8Array, token: string): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, secretKey, { algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || payload.sub === "") return { isValid: false, reason: "Invalid token" };
    const version = payload.ver ?? 0;
    if (!Number.isSafeInteger(version)) return { isValid: false, reason: "Invalid token" };
    return { isValid: true, userId: payload.sub, tokenVersion: version as number };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { isValid: false, reason: "Your session has expired; sign in again" };
    return { isValid: false, reason: "Invalid token" };
  }
}
