/** Shapes of the server's answers that several pages use (see docs/api.md). */

export type Role = "admin" | "user" | "pending";

/** The signed-in account, as `/api/v1/auths/` and sign-in answer it. */
export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** The avatar, a small data URL or a link; null = initials. */
  profile_image_url?: string | null;
  permissions?: Record<string, Record<string, boolean>>;
}

/** `POST /api/v1/auths/signin` and `/signup`. */
export interface Session extends SessionUser {
  token: string;
  token_type: "Bearer";
  expires_at: number | null;
}

/** `GET /api/config`: what the sign-in pages need before anyone is signed in. */
export interface ServerConfig {
  name: string;
  version: string;
  /** False on a fresh server: the first account to sign up becomes the admin. */
  has_users: boolean;
  /** The role of accounts created after the first: `pending` means an admin approves them. */
  default_user_role: "pending" | "user";
  /** `enable_signup` false: only admins add accounts (the first account may always sign up). */
  features?: { enable_signup?: boolean };
}
