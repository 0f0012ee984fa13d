import { randomBytes } from "node:crypto";
import { api } from "./api.ts";

/** An account made by a test, with the credentials to use it. */
export interface TestAccount {
  id: string;
  name: string;
  email: string;
  password: string;
  role: "admin" | "user" | "pending";
  /** A JWT from sign-up. */
  token: string;
}

function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}@example.com`;
}

/** Signs up a new account (the server decides the role) and fails loudly if that does not work. */
export async function signUp(url: string, fields: { name?: string; email?: string; password?: string } = {}): Promise<TestAccount> {
  const name = fields.name ?? "Test User";
  const email = fields.email ?? uniqueEmail("user");
  const password = fields.password ?? "correct horse battery staple";
  const { status, body } = await api(url).post("/api/v1/auths/signup", { name, email, password });
  if (status !== 200) throw new Error(`Sign-up of ${email} failed with ${status}: ${JSON.stringify(body)}`);
  return { id: body.id, name: body.name, email: body.email, password, role: body.role, token: body.token };
}

/** Signs up the first account of a fresh server, which is the admin. */
export async function signUpAdmin(url: string): Promise<TestAccount> {
  const admin = await signUp(url, { name: "Admin", email: uniqueEmail("admin") });
  if (admin.role !== "admin") throw new Error(`Expected the first account to be admin, got ${admin.role}: was the server fresh?`);
  return admin;
}

/** Changes an account's role as an admin. */
export async function setRole(url: string, admin: TestAccount, userId: string, role: TestAccount["role"]): Promise<void> {
  const { status, body } = await api(url, admin.token).post(`/api/v1/users/${userId}/update`, { role });
  if (status !== 200) throw new Error(`Setting role ${role} failed with ${status}: ${JSON.stringify(body)}`);
}

/** Signs up an account and has the admin approve it as `user` (or make it another role). */
export async function signUpUser(url: string, admin: TestAccount, role: TestAccount["role"] = "user"): Promise<TestAccount> {
  const account = await signUp(url);
  if (account.role !== role) {
    await setRole(url, admin, account.id, role);
    account.role = role;
  }
  return account;
}

/** Makes an API key for the account (it must be approved). */
export async function createApiKey(url: string, account: TestAccount): Promise<string> {
  const { status, body } = await api(url, account.token).post("/api/v1/auths/api_key");
  if (status !== 200) throw new Error(`Creating an API key failed with ${status}: ${JSON.stringify(body)}`);
  return body.api_key;
}
