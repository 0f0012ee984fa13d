import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSecretKey } from "./secret-key.ts";

describe("loadSecretKey", () => {
  const folders: string[] = [];
  const newFolder = () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-secret-"));
    folders.push(folder);
    return path.join(folder, "data");
  };
  afterEach(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("uses WEBUI_SECRET_KEY when set and writes nothing", () => {
    const dataDir = newFolder();
    expect(loadSecretKey({ secretKey: "configured", dataDir }).toString()).toBe("configured");
    expect(fs.existsSync(path.join(dataDir, ".secret_key"))).toBe(false);
  });

  it("generates 32 random bytes once, readable only by the owner, and reuses them", () => {
    const dataDir = newFolder();
    const first = loadSecretKey({ dataDir });
    expect(first.length).toBe(32);
    expect(fs.statSync(path.join(dataDir, ".secret_key")).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ dataDir }).equals(first)).toBe(true);
    expect(loadSecretKey({ dataDir: newFolder() }).equals(first)).toBe(false);
  });
});
