import type { Readable } from "node:stream";

/** A part of a file: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Where file bytes live. The store keeps metadata in the database and bytes here, by key, so
 * another backend (an object store) can replace the local folder without touching the rest.
 *
 * Keys are made by the store: letters, digits, `-`, `_` and `.`, never a path.
 */
export interface FileStorage {
  /**
   * Stores what `source` yields under `key`. The bytes become visible under `key` only once all
   * of them are written: when `source` throws (too large, client gone) nothing is left behind,
   * and the error is rethrown.
   */
  put(key: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>;
  /**
   * The bytes under `key`, streamed (only `length` of them from `offset` when a range is given;
   * less at the end); a NOT_FOUND SluiceError when there are none.
   */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the bytes under `key`; nothing under it is not an error. */
  delete(key: string): Promise<void>;
}
