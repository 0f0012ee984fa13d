import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { compileNodePlugin } from "./compile-node-plugin.ts";
import { compilePlugin, type PluginDependencies } from "./compile-plugin.ts";

async function compileError(source: string, options: { dependencies?: PluginDependencies } = {}): Promise<SluiceError> {
  const error = await compilePlugin(source, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(SluiceError.isInstance(error)).toBe(true);
  return error as SluiceError;
}

const SECRET = "SECRET-KEY-0123456789abcdef";

describe("compilePlugin", () => {
  it("turns a TypeScript plugin into a CommonJS body that requires the SDK", async () => {
    const { code } = await compilePlugin(
      [
        'import { defineFilter, z } from "@sluice/sdk";',
        'import type { ChatBody } from "@sluice/sdk";',
        "const limit: number = 3;",
        "export default defineFilter({ valves: z.object({}), inlet(body: ChatBody) { return body; } });",
      ].join("\n"),
    );
    expect(code).toContain('require("@sluice/sdk")');
    expect(code).toContain("module.exports");
    expect(code).not.toContain(": number");
  });

  it("allows zod and its subpaths", async () => {
    const { code } = await compilePlugin('import { z } from "zod";\nimport * as v4 from "zod/v4";\nexport default [z, v4];');
    expect(code).toContain('require("zod")');
    expect(code).toContain('require("zod/v4")');
  });

  it("reports a syntax error with line and column in the original source", async () => {
    const error = await compileError('/**\n * title: Broken\n */\nimport { z } from "zod";\nconst x = ;\n');
    expect(error.code).toBe("PLUGIN_LOAD_FAILED");
    expect(error.message).toBe('Syntax error at line 5, column 11: Unexpected ";"');
  });

  it("counts columns in characters, not UTF-8 bytes", async () => {
    const error = await compileError('const greeting = "héllo wörld"; const x = ;');
    expect(error.message).toMatch(/^Syntax error at line 1, column 43: /);
  });

  it.each([
    [
      "lodash",
      'plugins may import only @sluice/sdk, zod and the packages listed under "requirements" in their frontmatter (add lodash there)',
    ],
    ["node:fs", "plugins run in a sandbox without Node APIs"],
    ["child_process", "plugins run in a sandbox without Node APIs"],
    ["./helpers.ts", "a plugin is a single file, relative imports have nothing to load"],
    ["@sluice/sdk/testing", "the testing helpers run a plugin in your tests, not on the server; import them only from your test files"],
    ["@sluice/sdk/runtime", 'plugins import "@sluice/sdk" itself'],
  ])("refuses an import of %s, naming it and where it is", async (specifier, reason) => {
    const error = await compileError(`import { z } from "zod";\nimport thing from "${specifier}";\nexport default thing;`);
    expect(error.code).toBe("PLUGIN_LOAD_FAILED");
    expect(error.message).toBe(`Import "${specifier}" at line 2, column 19 is not allowed: ${reason}`);
  });

  it("refuses require() and import() of other modules too", async () => {
    expect((await compileError('const fs = require("fs");')).message).toMatch(/^Import "fs" at line 1, column 20 is not allowed/);
    expect((await compileError('export const load = () => import("node:net");')).message).toMatch(
      /^Import "node:net" at line 1, column 34 is not allowed/,
    );
  });

  describe("with installed requirements", () => {
    let folder: string;
    beforeAll(() => {
      folder = mkdtempSync(path.join(tmpdir(), "sluice-compile-"));
      const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(folder, "node_modules", file)), { recursive: true });
        writeFileSync(path.join(folder, "node_modules", file), text);
      };
      write("shout/package.json", JSON.stringify({ name: "shout", main: "index.js" }));
      write(
        "shout/index.js",
        'const helper = require("./helper.js"); const pad = require("pad-left"); module.exports = (text) => pad(helper(text), 8);',
      );
      write("shout/helper.js", "module.exports = (text) => text.toUpperCase();");
      write("pad-left/package.json", JSON.stringify({ name: "pad-left", module: "index.mjs" }));
      write("pad-left/index.mjs", 'export default (text, width) => text.padStart(width, "-");');
      write("reads-files/package.json", JSON.stringify({ name: "reads-files", main: "lib/main.js" }));
      write("reads-files/lib/main.js", 'const fs = require("fs"); module.exports = () => fs.readFileSync("/etc/hostname", "utf8");');
      write("shout/notes.txt", "NOTES-INSIDE-THE-PACKAGE");
      write("shout/broken.js", "const = BROKEN-PACKAGE-TEXT");
      // What a server keeps beside the requirements: DATA_DIR/.secret_key, the database.
      writeFileSync(path.join(folder, ".secret_key"), SECRET);
      writeFileSync(path.join(folder, "secret.js"), `module.exports = "${SECRET}";`);
      symlinkSync(path.join(folder, "secret.js"), path.join(folder, "node_modules", "shout", "linked.js"));
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it("bundles the listed packages and what they import", async () => {
      const { code } = await compilePlugin('import shout from "shout";\nexport const text = shout("hi");', {
        dependencies: { folder, names: ["shout"] },
      });
      expect(code).toContain("toUpperCase");
      expect(code).toContain("padStart");
      expect(code).not.toContain('require("shout")');
    });

    it("refuses a package that needs a Node built-in, naming the import and the trusted tier", async () => {
      const error = await compileError('import read from "reads-files";\nexport default read;', {
        dependencies: { folder, names: ["reads-files"] },
      });
      expect(error.message).toBe(
        'The package reads-files imports the Node built-in "fs" (in reads-files/lib/main.js), which the sandbox does not have; ' +
          "choose a package that runs in browsers, or run the plugin in the trusted tier (permissions: node)",
      );
    });

    // Security issue, point 1: the import policy checked the package name, then esbuild resolved
    // `..` on the host and read any file, whose text came back in the error.
    it.each([
      ["a path out of the package, read as text", 'import key from "shout/../../.secret_key" with { type: "text" };\nexport default key;'],
      ["a path out of the package to code", 'import key from "shout/../../secret.js";\nexport default key;'],
      [
        "a path to /etc/passwd",
        'import users from "shout/../../../../../../../../etc/passwd" with { type: "text" };\nexport default users;',
      ],
      [
        "/proc/self/environ",
        'import environ from "shout/../../../../../../../../proc/self/environ" with { type: "text" };\nexport default environ;',
      ],
      ["a symbolic link inside the package", 'import key from "shout/linked.js";\nexport default key;'],
      ["an import attribute", 'import notes from "shout/notes.txt" with { type: "text" };\nexport default notes;'],
      ["a text file of the package", 'import notes from "shout/notes.txt";\nexport default notes;'],
    ])("%s is refused and nothing of any file comes back", async (_label, source) => {
      for (const compile of [compilePlugin, compileNodePlugin]) {
        let message = "";
        let code = "";
        try {
          ({ code } = await compile(source, { dependencies: { folder, names: ["shout"] } }));
        } catch (error) {
          message = (error as Error).message;
        }
        expect(code).toBe("");
        expect(message).not.toBe("");
        for (const leaked of [SECRET, "NOTES-INSIDE-THE-PACKAGE", "root:", "PATH="]) expect(message).not.toContain(leaked);
      }
    });

    it("a file of a package that does not compile is named, not quoted", async () => {
      const error = await compileError('import broken from "shout/broken.js";\nexport default broken;', {
        dependencies: { folder, names: ["shout"] },
      });
      expect(error.message).toBe("Could not bundle a requirement: esbuild could not compile shout/broken.js (line 1)");
    });

    it("refuses installed packages the requirements do not list", async () => {
      const error = await compileError('import pad from "pad-left";\nexport default pad;', { dependencies: { folder, names: ["shout"] } });
      expect(error.message).toMatch(/^Import "pad-left" at line 1, column 17 is not allowed: .*add pad-left there/);
    });
  });
});
