import { SluiceError } from "@sluice/sdk";
import { z } from "zod";
import type { FilePrincipal, FileService } from "../files/file-service.ts";
import { defineMethod, type PluginApiMethods, type PluginApiScope } from "./plugin-api.ts";

/** Most bytes one `files.readBytes` answers (the SDK asks for 4 MiB: 5.3 MiB of base64 JSON). */
const MAX_READ_BYTES = 8 * 1024 * 1024;

const fileId = z.string().min(1).max(200);
const newFile = z.union([
  z.strictObject({ name: z.string().min(1), contentType: z.string().optional(), text: z.string() }),
  z.strictObject({ name: z.string().min(1), contentType: z.string().optional(), base64: z.base64() }),
]);

function principalOf(scope: PluginApiScope): FilePrincipal {
  if (!scope.userId) {
    throw new SluiceError(
      "INVALID_INPUT",
      "ctx.files needs the user a call runs for, and this call has none (it runs outside any user's request)",
    );
  }
  return { user: { id: scope.userId, role: scope.userRole ?? "user" }, requestFileIds: scope.requestFileIds ?? [] };
}

/**
 * `ctx.files` on the service channel: `files.read` (the file without its bytes), `files.readBytes`
 * (a part of them, base64) and `files.create` (text, or bytes as base64). Which files a plugin may
 * read is {@link FileService}'s rule: the user's own, and the request's that the user may read.
 */
export function fileMethods(files: FileService): PluginApiMethods {
  return {
    "files.read": defineMethod(z.tuple([fileId]), async (scope, [id]) => {
      const { name, contentType, size } = await files.read(id, principalOf(scope));
      return { id, name, contentType, size };
    }),
    "files.readBytes": defineMethod(
      z.tuple([fileId, z.number().int().min(0), z.number().int().min(1).max(MAX_READ_BYTES)]),
      async (scope, [id, offset, length]) =>
        Buffer.from(await files.readBytes(id, principalOf(scope), { offset, length })).toString("base64"),
    ),
    "files.create": defineMethod(z.tuple([newFile]), async (scope, [file]) => {
      const userId = principalOf(scope).user.id;
      const data = "text" in file ? file.text : new Uint8Array(Buffer.from(file.base64, "base64"));
      return files.create({ userId, name: file.name, ...(file.contentType === undefined ? {} : { contentType: file.contentType }), data });
    }),
  };
}
