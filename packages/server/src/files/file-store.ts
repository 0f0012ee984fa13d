import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import { deleteFileRow, type FileRow, findChatTextsMentioning, findFileById, insertFile, listFiles } from "../db/files-repository.ts";
import type { Database } from "../db/schema.ts";
import { findUserById } from "../db/users-repository.ts";
import { chatListsFile } from "./chat-file-references.ts";
import { cleanContentType, cleanFilename } from "./file-names.ts";
import type { ByteRange, FileStorage } from "./file-storage.ts";
import { meterBytes } from "./meter-bytes.ts";

/** Who asks: enough of the caller to decide what they may see. */
export interface FileReader {
  id: string;
  role: "admin" | "user" | "pending";
}

/** A new file: its bytes arrive as a stream (an upload) or all at once (a plugin). */
export interface NewFile {
  userId: string;
  name: string | undefined;
  contentType: string | undefined;
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(id: string): SluiceError {
  return new SluiceError("NOT_FOUND", `File not found: ${id}`);
}

/**
 * The file store: metadata rows in the database, bytes in a {@link FileStorage}. The order of
 * writes keeps the two consistent: bytes are stored before their row is inserted (a failed insert
 * removes them), and a row is deleted before its bytes, so a row never points at missing bytes;
 * at worst a failure strands bytes without a row, which is logged.
 *
 * Who may read a file: its owner; admins; and the owner of a chat that lists it when an admin
 * owns the file. A chat's JSON is written by its owner's browser, so listing a file there grants
 * nothing by itself: otherwise anyone who learnt another user's file id could read it by naming
 * it in their own chat. Files an admin's tools or services make for users' chats do reach them.
 */
export class FileStore {
  readonly maxBytes: number;
  private readonly db: Kysely<Database>;
  private readonly storage: FileStorage;
  private readonly logger: Logger;
  private readonly limitText: string;

  constructor(options: { db: Kysely<Database>; storage: FileStorage; maxSizeMb: number; logger: Logger }) {
    this.db = options.db;
    this.storage = options.storage;
    this.logger = options.logger;
    this.maxBytes = options.maxSizeMb * 1024 * 1024;
    this.limitText = `${options.maxSizeMb} MB`;
  }

  /** Stores a file and its row; PAYLOAD_TOO_LARGE past the cap, leaving nothing behind. */
  async save(file: NewFile): Promise<FileRow> {
    const id = randomUUID();
    const metered = meterBytes(file.source, this.maxBytes, this.limitText);
    await this.storage.put(id, metered.stream);
    const { size, hash } = metered.result();
    try {
      return await insertFile(this.db, {
        id,
        userId: file.userId,
        filename: cleanFilename(file.name),
        contentType: cleanContentType(file.contentType),
        size,
        hash,
        storageKey: id,
      });
    } catch (error) {
      await this.removeBytes(id);
      throw error;
    }
  }

  /** A file by id, whoever owns it; undefined for an unknown or malformed id. */
  async find(id: string): Promise<FileRow | undefined> {
    if (!UUID.test(id)) return undefined;
    return findFileById(this.db, id);
  }

  /** A file the reader may read; NOT_FOUND otherwise, so other users' ids do not leak. */
  async findReadable(reader: FileReader, id: string): Promise<FileRow> {
    const file = await this.find(id);
    if (!file || !(await this.canRead(reader, file))) throw notFound(id);
    return file;
  }

  async canRead(reader: FileReader, file: FileRow): Promise<boolean> {
    if (file.user_id === reader.id || reader.role === "admin") return true;
    const owner = await findUserById(this.db, file.user_id);
    if (owner?.role !== "admin") return false;
    const chats = await findChatTextsMentioning(this.db, reader.id, file.id);
    return chats.some((text) => chatListsFile(parseJson(text), file.id));
  }

  /** The reader's own files, newest first; every file for an admin. */
  async list(reader: FileReader): Promise<FileRow[]> {
    return listFiles(this.db, reader.role === "admin" ? {} : { userId: reader.id });
  }

  /** The file's bytes, streamed. */
  async open(file: FileRow): Promise<Readable> {
    return this.storage.get(file.storage_key);
  }

  /** `length` bytes of a file from `offset` (fewer at its end, none past it). */
  async readRange(file: FileRow, range: ByteRange): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.get(file.storage_key, range)) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  /** The whole content of a file (bounded by the cap it was stored under). */
  async readAll(file: FileRow): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(file)) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  /** Deletes a file of its owner (or any, for an admin): the row, then the bytes. */
  async delete(reader: FileReader, id: string): Promise<void> {
    const file = await this.find(id);
    if (!file || (file.user_id !== reader.id && reader.role !== "admin")) throw notFound(id);
    if (!(await deleteFileRow(this.db, id))) throw notFound(id);
    await this.removeBytes(file.storage_key);
  }

  private async removeBytes(key: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (error) {
      this.logger.warn({ err: error, storageKey: key }, "removing a file's bytes failed; they are left without a row");
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
