import type { Kysely } from "kysely";
import { z } from "zod";
import type { Config } from "../config.ts";
import { getConfigValue, setConfigValue } from "../db/config-repository.ts";
import type { Database } from "../db/schema.ts";

const SIGN_UP_CONFIG_KEY = "auth.sign_up";

/** Open WebUI's admin config names (`GET/POST /api/v1/auths/admin/config`). */
export const signUpConfigSchema = z.object({
  ENABLE_SIGNUP: z.boolean(),
  DEFAULT_USER_ROLE: z.enum(["pending", "user"]),
});

export type SignUpConfig = z.output<typeof signUpConfigSchema>;

/**
 * Whether strangers may sign up and the role they get: what an admin set in the UI, else the
 * environment (`ENABLE_SIGNUP`, `DEFAULT_USER_ROLE`). The first account may always sign up.
 */
export async function readSignUpConfig(
  db: Kysely<Database>,
  config: Pick<Config, "enableSignup" | "defaultUserRole">,
): Promise<SignUpConfig> {
  const fallback: SignUpConfig = { ENABLE_SIGNUP: config.enableSignup, DEFAULT_USER_ROLE: config.defaultUserRole };
  const stored = await getConfigValue(db, SIGN_UP_CONFIG_KEY, signUpConfigSchema.partial(), {});
  return { ...fallback, ...stored };
}

export async function writeSignUpConfig(db: Kysely<Database>, value: SignUpConfig): Promise<void> {
  await setConfigValue(db, SIGN_UP_CONFIG_KEY, value);
}
