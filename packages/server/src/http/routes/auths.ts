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
import { readSignUpConfig, signUpConfigSchema, writeSignUpConfig } from "../../auth/sign-up-config.ts";
import { countUsers, createUser, findUserByEmail, updateUser, type User } from "../../db/users-repository.ts";
import type { AppServices } from "../../services.ts";
import { toAuthenticatedUser } from "../../auth/authenticate-token.ts";
import { parseInput } from "../parse-body.ts";
import { type RequestUser, requireAdmin, requireUser, requireVerified } from "../request-user.ts";
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

/** Avatars are small: the web UI scales a picked image down to 128 px before it sends it. */
const MAX_PROFILE_IMAGE_CHARACTERS = 256 * 1024;

/** A `data:image/…;base64,` URL, an http(s) link or a path on this server; "" removes the avatar. */
export const profileImageUrlSchema = z
  .string()
  .max(
    MAX_PROFILE_IMAGE_CHARACTERS,
    `profile_image_url is too long (at most ${MAX_PROFILE_IMAGE_CHARACTERS} characters; use a smaller image)`,
  )
  .refine(
    (url) => url === "" || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(url) || /^(https?:\/\/|\/)[^\s"<>]*$/.test(url),
    "profile_image_url must be a data:image/png, jpeg, gif or webp URL (base64), an http(s) link or a path",
  );

const updateProfileSchema = z.object({
  name: signUpSchema.shape.name.optional(),
  profile_image_url: profileImageUrlSchema.optional(),
});

/** `POST /api/v1/auths/add`: an admin creates an account (Open WebUI's AddUserForm). */
const addUserSchema = signUpSchema.extend({
  role: z.enum(["admin", "user", "pending"]).default("pending"),
  profile_image_url: profileImageUrlSchema.optional(),
});

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
    profile_image_url: user.profileImageUrl ?? null,
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
    const signUpConfig = await readSignUpConfig(db, services.config);
    // The first account (the admin) may always sign up.
    if (!signUpConfig.ENABLE_SIGNUP && (await countUsers(db)) > 0) {
      throw new SluiceError("FORBIDDEN", "Sign-up is disabled on this server; ask an admin for an account");
    }
    checkNewPassword(form.password, services.config.passwordMinLength);
    if (await findUserByEmail(db, form.email)) throw new SluiceError("ALREADY_EXISTS", "This email is already registered");
    const user = await createUser(db, {
      name: form.name,
      email: form.email,
      passwordHash: await hashPassword(form.password),
      role: signUpConfig.DEFAULT_USER_ROLE,
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
    // The sessions signed before the change end, their open sockets too.
    await services.realtime.endRevokedSessions(user.id);
    return true;
  });

  // The caller's name and avatar (Open WebUI's UpdateProfileForm); answers the updated account.
  app.post(`${prefix}/update/profile`, async (request) => {
    const caller = requireVerified(request);
    const form = parseInput(updateProfileSchema, request.body);
    const updated = await updateUser(db, caller.id, {
      name: form.name,
      profileImageUrl: form.profile_image_url === undefined ? undefined : form.profile_image_url || null,
    });
    if (!updated) throw new SluiceError("NOT_FOUND", "This account no longer exists");
    return sessionResponse(await toAuthenticatedUser(services, updated), bearerToken(request), null);
  });

  app.post(`${prefix}/add`, async (request) => {
    const admin = requireAdmin(request);
    const form = parseInput(addUserSchema, request.body);
    checkNewPassword(form.password, services.config.passwordMinLength);
    const user = await createUser(db, {
      name: form.name,
      email: form.email,
      passwordHash: await hashPassword(form.password),
      role: form.role,
    });
    const stored = form.profile_image_url ? ((await updateUser(db, user.id, { profileImageUrl: form.profile_image_url })) ?? user) : user;
    request.log.info({ userId: user.id, role: user.role }, "account created by admin");
    services.events.raise("user.created", { subject: { type: "user", id: user.id }, actor: actorOf(admin), data: { role: user.role } });
    // Open WebUI's SigninResponse: the new account with a session token for it (not for the admin).
    const { token } = await signToken(services.secretKey, stored.id, services.config.jwtExpiresInSeconds, stored.token_version);
    return {
      token,
      token_type: "Bearer",
      id: stored.id,
      email: stored.email,
      name: stored.name,
      role: stored.role,
      profile_image_url: stored.profile_image_url,
    };
  });

  app.get(`${prefix}/admin/config`, async (request) => {
    requireAdmin(request);
    return readSignUpConfig(db, services.config);
  });

  // Accepts any of the fields; the others keep their values.
  app.post(`${prefix}/admin/config`, async (request) => {
    requireAdmin(request);
    const form = parseInput(signUpConfigSchema.partial(), request.body);
    const next = { ...(await readSignUpConfig(db, services.config)), ...form };
    await writeSignUpConfig(db, next);
    request.log.info(next, "sign-up settings changed");
    return next;
  });

  app.post(`${prefix}/api_key`, async (request) => {
    const caller = requireVerified(request);
    const { key, hash, hint } = generateApiKey();
    const stored = await replaceApiKey(db, caller.id, { keyHash: hash, keyHint: hint });
    // Sockets opened with the replaced key close.
    await services.realtime.endRevokedSessions(caller.id);
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
    await services.realtime.endRevokedSessions(caller.id);
    return true;
  });
}
