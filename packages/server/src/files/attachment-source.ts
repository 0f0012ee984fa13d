import type { AttachedFile, FileSource } from "../core/ports.ts";
import { extractPdfText } from "./extract-pdf-text.ts";
import type { FileStore } from "./file-store.ts";
import { isPdf, isTextLike } from "./text-like.ts";

/**
 * The chat turn's {@link FileSource} over the file store: a request may attach the files its user
 * may read over HTTP (their own; an admin's file listed in their chat; any, for an admin), and
 * nothing else: any other id is NOT_FOUND. The bytes are read once, when first needed.
 *
 * @example
 * const turn = { ...stores, files: createAttachmentSource(fileStore) };
 */
export function createAttachmentSource(store: FileStore): FileSource {
  return {
    async open(user, id): Promise<AttachedFile> {
      const file = await store.findReadable({ id: user.id, role: user.role }, id);
      let content: Promise<Uint8Array> | undefined;
      const bytes = () => (content ??= store.readAll(file));
      const { filename: name, content_type: contentType } = file;
      return {
        id: file.id,
        name,
        contentType,
        size: file.size,
        dataUrl: async () => `data:${contentType};base64,${Buffer.from(await bytes()).toString("base64")}`,
        async text() {
          if (isTextLike(contentType, name)) return new TextDecoder().decode(await bytes());
          if (isPdf(contentType, name)) return extractPdfText(await bytes(), name);
          return undefined;
        },
      };
    },
  };
}
