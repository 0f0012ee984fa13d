import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { SluiceError } from "@sluice/sdk";
import { startCompiler } from "../../plugins/start-compiler.ts";

let bundle: Promise<string> | undefined;
const written = new Map<string, Promise<string>>();

async function buildBundle(): Promise<string> {
  await startCompiler();
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./child-main.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "node24",
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

async function writeOnce(file: string, text: string): Promise<string> {
  try {
    if ((await fs.readFile(file, "utf8")) === text) return file;
  } catch {
    // Not written yet.
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, text, { mode: 0o444 });
  await fs.rename(temporary, file);
  return file;
}

/**
 * The trusted tier's child entry (child-main.ts with the runtime, SDK and zod), bundled once per
 * process and written to `<dataDir>/node-tier/child-<hash>.cjs`, outside every plugin's folder:
 * a child may read this one file and cannot change it. Resolves with the file's path.
 */
export function childScriptPath(dataDir: string): Promise<string> {
  const folder = path.resolve(dataDir, "node-tier");
  let pending = written.get(folder);
  if (!pending) {
    bundle ??= buildBundle().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    pending = bundle
      .then((text) => writeOnce(path.join(folder, `child-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.cjs`), text))
      .catch((error: unknown) => {
        written.delete(folder);
        throw new SluiceError("INTERNAL", `Could not prepare the trusted tier's process: ${(error as Error).message}`, { cause: error });
      });
    written.set(folder, pending);
  }
  return pending;
}
