import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { FileRow } from "../../db/files-repository.ts";
import { contentDisposition, isSafeInline } from "../../files/file-names.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireVerified } from "../request-user.ts";
import { actorOf } from "../../workspace/event-plugins.ts";

const idParams = z.object({ id: z.string().min(1) });
const contentQuery = z.object({ attachment: z.enum(["true", "false"]).optional() });

/** A file row as Open WebUI answers it: `meta` holds the name, type and size. */
export function presentFile(file: FileRow) {
  return {
    id: file.id,
    user_id: file.user_id,
    filename: file.filename,
    hash: file.hash,
    meta: { name: file.filename, content_type: file.content_type, size: file.size },
    created_at: file.created_at,
    updated_at: file.updated_at,
  };
}

/**
 * Headers that keep a stored file from acting in Sluice's origin: the browser must not guess
 * another type (`nosniff`), and a page it renders anyway runs in a sandbox of its own, without
 * script or same-origin rights (CSP `sandbox`). PDFs skip the sandbox: browsers refuse to show a
 * sandboxed PDF, and their viewer does not run in the page.
 */
function safetyHeaders(contentType: string): Record<string, string> {
  const headers: Record<string, string> = { "x-content-type-options": "nosniff", "cache-control": "private, no-cache" };
  if (contentType !== "application/pdf")
    headers["content-security-policy"] = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'";
  return headers;
}

/**
 * Reads and drops the rest of a refused upload. The multipart parser stops reading when a
 * file is refused midway; the client is still sending, and would wait on a connection that no
 * longer reads, never seeing the answer.
 */
function drainRequest(raw: NodeJS.ReadableStream): void {
  raw.unpipe();
  raw.resume();
}

/** A multipart body the parser could not read (no boundary, cut short) is the client's error. */
function malformed(error: unknown): SluiceError {
  if (SluiceError.isInstance(error)) return error;
  return new SluiceError("INVALID_INPUT", `Malformed multipart body: ${(error as Error).message}`, { cause: error });
}

/** The uploaded file's bytes; a failure to read them (a body cut short) is {@link malformed}. */
async function* readPart(file: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of file) yield chunk;
  } catch (error) {
    throw malformed(error);
  }
}

/**
 * `/api/v1/files/…` on Open WebUI's paths: upload (multipart field `file`), list, metadata,
 * content, delete. Owners and admins only (readers of admin files in their chats may read).
 */
export async function registerFileRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  const { files } = services;
  const prefix = "/api/v1/files";
  // Only this scope parses multipart bodies; the cap is applied per upload below.
  await app.register(multipart, { throwFileSizeLimit: false });

  app.post(`${prefix}/`, async (request) => {
    const user = requireVerified(request);
    if (!request.isMultipart()) {
      throw new SluiceError("UNSUPPORTED_MEDIA_TYPE", "Send the file as multipart/form-data, in the field `file`");
    }
    // One byte past the cap reaches the store, which refuses the file while it streams.
    const limits = { fileSize: files.maxBytes + 1, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21 };
    const part = await request.file({ limits }).catch((error: unknown) => {
      throw malformed(error);
    });
    if (!part) throw new SluiceError("INVALID_INPUT", "No file in the request: send it in the multipart field `file`");
    if (part.fieldname !== "file") {
      drainRequest(request.raw);
      throw new SluiceError("INVALID_INPUT", `Send the file in the multipart field \`file\`, not \`${part.fieldname}\``);
    }
    // Browsers send a `"` in a file name as %22 (the HTML form encoding); busboy leaves it so.
    const name = part.filename.replaceAll("%22", '"');
    try {
      const saved = await files.save({ userId: user.id, name, contentType: part.mimetype, source: readPart(part.file) });
      services.events.raise("file.uploaded", {
        subject: { type: "file", id: saved.id },
        actor: actorOf(user),
        data: { name: saved.filename, content_type: saved.content_type, size: saved.size },
      });
      return presentFile(saved);
    } catch (error) {
      drainRequest(request.raw);
      throw error;
    }
  });

  app.get(`${prefix}/`, async (request) => {
    const user = requireVerified(request);
    return (await files.list(user)).map(presentFile);
  });

  app.get(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    return presentFile(await files.findReadable(user, parseInput(idParams, request.params).id));
  });

  app.get(`${prefix}/:id/content`, async (request, reply) => {
    const user = requireVerified(request);
    const file = await files.findReadable(user, parseInput(idParams, request.params).id);
    const { attachment } = parseInput(contentQuery, request.query);
    const stream = await files.open(file);
    const kind = attachment !== "true" && isSafeInline(file.content_type) ? "inline" : "attachment";
    return reply
      .headers({
        ...safetyHeaders(file.content_type),
        "content-type": file.content_type,
        "content-length": String(file.size),
        "content-disposition": contentDisposition(kind, file.filename),
      })
      .send(stream);
  });

  app.delete(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    await files.delete(user, parseInput(idParams, request.params).id);
    return { message: "File deleted successfully" };
  });
}
