import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { SluiceError } from "@sluice/sdk";
import type { CreatedFile, FileService } from "../files/file-service.ts";

/** An upload a plugin started and has not finished: its bytes stream into the store as they come. */
interface Upload {
  /** Whose it is: the plugin (and its table) and the user; no one else may append to it. */
  owner: string;
  stream: PassThrough;
  saving: Promise<CreatedFile>;
  failure: unknown;
  timer: NodeJS.Timeout;
}

export interface FileUploadsOptions {
  /** An upload with no piece for this long is dropped, its bytes removed. */
  idleMs: number;
  /** Uploads open at once, per plugin and user. */
  maxOpen: number;
}

/**
 * Staged uploads for `ctx.files.create` of more than one service-channel message can carry:
 * `start` opens a file in the store, `append` streams a piece into it (waiting while the disk is
 * behind), `finish` stores its row. The file store's cap (`FILE_MAX_SIZE_MB`) is checked as the
 * bytes go by, so an upload past it fails at that piece and leaves nothing; so does one left open
 * (`idleMs`) or aborted. Only a few bytes are ever held in memory.
 *
 * @example
 * const handle = uploads.start(owner, { userId, name: "big.bin" });
 * await uploads.append(owner, handle, piece);
 * const created = await uploads.finish(owner, handle);
 */
export class FileUploads {
  readonly #files: Pick<FileService, "createFromStream">;
  readonly #options: FileUploadsOptions;
  readonly #open = new Map<string, Upload>();

  constructor(files: Pick<FileService, "createFromStream">, options: FileUploadsOptions) {
    this.#files = files;
    this.#options = options;
  }

  start(owner: string, file: { userId: string; name: string; contentType?: string }): string {
    const open = [...this.#open.values()].filter((upload) => upload.owner === owner).length;
    if (open >= this.#options.maxOpen) {
      throw new SluiceError("CONFLICT", `At most ${this.#options.maxOpen} ctx.files.create uploads may be open at once; finish one first`);
    }
    const handle = randomUUID();
    const stream = new PassThrough();
    const upload: Upload = {
      owner,
      stream,
      saving: this.#files.createFromStream({ ...file, source: stream }),
      failure: undefined,
      timer: setTimeout(() => this.#drop(handle, new SluiceError("PLUGIN_ERROR", "The upload was left unfinished")), this.#options.idleMs),
    };
    upload.timer.unref();
    upload.saving.catch((error: unknown) => {
      upload.failure = error;
      stream.destroy();
    });
    this.#open.set(handle, upload);
    return handle;
  }

  async append(owner: string, handle: string, piece: Uint8Array): Promise<null> {
    const upload = this.#find(owner, handle);
    upload.timer.refresh();
    if (!upload.stream.write(piece)) {
      await Promise.race([once(upload.stream, "drain"), upload.saving.then(() => undefined)]).catch(() => undefined);
    }
    if (upload.failure !== undefined) {
      this.#open.delete(handle);
      clearTimeout(upload.timer);
      throw upload.failure;
    }
    return null;
  }

  async finish(owner: string, handle: string): Promise<CreatedFile> {
    const upload = this.#find(owner, handle);
    this.#open.delete(handle);
    clearTimeout(upload.timer);
    upload.stream.end();
    return upload.saving;
  }

  abort(owner: string, handle: string): null {
    if (this.#open.get(handle)?.owner === owner) this.#drop(handle, new SluiceError("PLUGIN_ERROR", "The upload was aborted"));
    return null;
  }

  #find(owner: string, handle: string): Upload {
    const upload = this.#open.get(handle);
    if (!upload || upload.owner !== owner) throw new SluiceError("NOT_FOUND", "No such upload: it finished, failed or was left too long");
    return upload;
  }

  #drop(handle: string, reason: SluiceError): void {
    const upload = this.#open.get(handle);
    if (!upload) return;
    this.#open.delete(handle);
    clearTimeout(upload.timer);
    // The store's source fails: the bytes written so far are removed and no row is made.
    upload.stream.destroy(reason);
  }
}
