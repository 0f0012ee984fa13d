import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { formatApiKeyHint, generateApiKey } from "../../auth/api-key.ts";
import { checkNewPassword } from "../../auth/check-new-password.ts";
import { signToken } from "../../auth/jwt.ts";
import { SignInThrottle } from "../../auth/sign-in-throttle.ts";
import { decoyPasswordHash, hashPassword, verifyPassword } from "../../auth/password.ts";
import { deleteApiKey, findApiKeyByUserId, replaceApiKey } from "../../db/api-keys-repository.ts";
import { epochSeconds } from "../../db/epoch-seconds.ts";
import { createUser, findUserByEmail, updateUser, type User } from "../../db/users-repository.ts";
import type { AppServices } from "../../services.ts";
import { toAuthenticatedUser } from "../../auth/authenticate-token.ts";
import { parseInput } from "../parse-body.ts";
import { type RequestUser, requireUser, requireVerified } from "../request-user.ts";
import { actorOf } from "../../workspace/event-plugins.ts";

const WRONG_CREDENTIALS = "Wrong email or password";

/** Emails are compared trimmed and lower-cased, so `Ada@Example.com ` signs in as ada@example.com. */
const normalisedEmail = z.string().trim().toLowerCase();
const newPassword = z.string().min(1, "Password must not be empty").max(1024, "Password is too long (at most 1024 characters)");

export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Name must not be empty").max(255),
  email: normalisedEmail.pipe(z.email("Invalid email address")),
  password: newPassword,
});

const signInSchema = z.object({ email: normalisedEmail, password: z.string() });

const updatePasswordSchema = z.object({ password: z.string(), new_password: newPassword });

/** Open WebUI's SessionUserResponse. */
function sessionResponse(user: RequestUser, token: string, expiresAt: number | null) {
  return {
    token,
    token_type: "Bearer",
    expires_at: expiresAt,
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    permissions: user.permissions,
  };
}

async function startSession(services: AppServices, user: User) {
  const { token, expiresAt } = await signToken(services.secretKey, user.id, services.config.jwtExpiresInSeconds, user.token_version);
  return sessionResponse(await toAuthenticatedUser(services, user), token, expiresAt);
}

function bearerToken(request: FastifyRequest): string {
  return request.headers.authorization?.replace(/^Bearer\s+/i, "").trim() ?? "";
}

/** Sign-up, sign-in, the caller's account, password change and API keys under `/api/v1/auths`. */
export function registerAuthRoutes(app: FastifyInstance, services: AppServices): void {
  const { db } = services;
  const prefix = "/api/v1/auths";
  const throttle = new SignInThrottle({ freeFailures: services.config.signInFreeFailures });

  app.post(`${prefix}/signup`, async (request) => {
    const form = parseInput(signUpSchema, request.body);
    checkNewPassword(form.password, services.config.passwordMinLength);
    if (await findUserByEmail(db, form.email)) throw new SluiceError("ALREADY_EXISTS", "This email is already registered");
    const user = await createUser(db, {
      name: form.name,
      email: form.email,
      passwordHash: await hashPassword(form.password),
      role: services.config.defaultUserRole,
      isFirstUserAdmin: true,
    });
    request.log.info({ userId: user.id, role: user.role }, "account created");
    services.events.raise("user.created", { subject: { type: "user", id: user.id }, actor: actorOf(user), data: { role: user.role } });
    return startSession(services, user);
  });

  app.post(`${prefix}/signin`, async (request, reply) => {
    const form = parseInput(signInSchema, request.body);
    const waitSeconds = throttle.waitSeconds(form.email, request.ip);
    if (waitSeconds > 0) {
      reply.header("retry-after", String(waitSeconds));
      throw new SluiceError("RATE_LIMITED", `Too many wrong passwords; try again in ${waitSeconds} s`);
    }
    const user = await findUserByEmail(db, form.email);
    // Unknown emails cost a hash too, so timing does not reveal which emails have accounts.
    const isMatch = await verifyPassword(form.password, user?.password_hash ?? (await decoyPasswordHash()));
    if (!user || !isMatch) {
      throttle.failed(form.email, request.ip);
      throw new SluiceError("INVALID_INPUT", WRONG_CREDENTIALS);
    }
    throttle.succeeded(form.email);
    const signedIn = (await updateUser(db, user.id, { lastActiveAt: epochSeconds() })) ?? user;
    services.events.raise("user.signed_in", { subject: { type: "user", id: user.id }, actor: actorOf(signedIn), data: {} });
    return startSession(services, signedIn);
  });

  // Pending users may call this: it is how the web client learns it is waiting for approval.
  app.get(`${prefix}/`, async (request) => {
    const user = requireUser(request);
    return sessionResponse(user, bearerToken(request), null);
  });

  app.post(`${prefix}/update/password`, async (request) => {
    const caller = requireVerified(request);
    const form = parseInput(updatePasswordSchema, request.body);
    checkNewPassword(form.new_password, services.config.passwordMinLength);
    const user = await findUserByEmail(db, caller.email);
    if (!user || !(await verifyPassword(form.password, user.password_hash))) {
      throw new SluiceError("INVALID_INPUT", "The current password is incorrect");
    }
    await updateUser(db, user.id, { passwordHash: await hashPassword(form.new_password) });
    return true;
  });

  app.post(`${prefix}/api_key`, async (request) => {
    const caller = requireVerified(request);
    const { key, hash, hint } = generateApiKey();
    const stored = await replaceApiKey(db, caller.id, { keyHash: hash, keyHint: hint });
    services.events.raise("auth.api_key.created", {
      subject: { type: "api_key", id: stored.id },
      actor: actorOf(caller),
      data: { user_id: caller.id },
    });
    return { api_key: key };
  });

  app.get(`${prefix}/api_key`, async (request) => {
    const caller = requireVerified(request);
    const key = await findApiKeyByUserId(db, caller.id);
    return { api_key: key ? formatApiKeyHint(key.key_hint) : null };
  });

  app.delete(`${prefix}/api_key`, async (request) => {
    const caller = requireVerified(request);
    await deleteApiKey(db, caller.id);
    return true;
  });
}
