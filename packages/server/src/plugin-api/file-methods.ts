import { SluiceError } from "@sluice/sdk";
import { z } from "zod";
import type { FilePrincipal, FileService } from "../files/file-service.ts";
import type { FileUploads } from "./file-uploads.ts";
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
 * (a part of them, base64), `files.create` (text, or bytes as base64) and, for a file larger than
 * one message carries, `files.upload.*` (see {@link FileUploads}). Which files a plugin may
 * read is {@link FileService}'s rule: the user's own, and the request's that the user may read.
 */
export function fileMethods(files: FileService, uploads: FileUploads): PluginApiMethods {
  const ownerOf = (scope: PluginApiScope) => `${scope.namespace}:${scope.pluginId}:${principalOf(scope).user.id}`;
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
    // A create larger than one message can carry: start, append pieces, finish (or abort).
    "files.upload.start": defineMethod(
      z.tuple([z.strictObject({ name: z.string().min(1), contentType: z.string().optional() })]),
      async (scope, [file]) =>
        uploads.start(ownerOf(scope), {
          userId: principalOf(scope).user.id,
          name: file.name,
          ...(file.contentType === undefined ? {} : { contentType: file.contentType }),
        }),
    ),
    "files.upload.append": defineMethod(z.tuple([z.string(), z.base64()]), (scope, [handle, base64]) =>
      uploads.append(ownerOf(scope), handle, new Uint8Array(Buffer.from(base64, "base64"))),
    ),
    "files.upload.finish": defineMethod(z.tuple([z.string()]), (scope, [handle]) => uploads.finish(ownerOf(scope), handle)),
    "files.upload.abort": defineMethod(z.tuple([z.string()]), async (scope, [handle]) => uploads.abort(ownerOf(scope), handle)),
  };
}
