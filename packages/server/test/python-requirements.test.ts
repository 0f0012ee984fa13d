import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 12, point 3: a Python plugin's `requirements:` are installed with pip into a folder keyed
// by the requirement list (staged, then renamed; reused by every plugin listing the same
// packages); an unreachable package index gives a clear error in bounded time and stores nothing.
// No package index is reachable here: pip's index is a closed port, and a wheel built by the test
// is offered through PIP_FIND_LINKS.

const links = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-pip-links-"));
const wheel = path.join(links, "sluice_greeting-1.0-py3-none-any.whl");
// A minimal wheel (a package, its METADATA, WHEEL and RECORD), written with Python's zipfile.
execFileSync("python3", [
  "-c",
  `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("sluice_greeting/__init__.py", "def greet(name):\\n    return f'Greetings, {name}'\\n")
    z.writestr("sluice_greeting-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: sluice-greeting\\nVersion: 1.0\\n")
    z.writestr("sluice_greeting-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr("sluice_greeting-1.0.dist-info/RECORD", "")
`,
  wheel,
]);

// Open WebUI ships packages such as httpx with its server, and its plugins import them without
// listing them. A stand-in wheel under the name of one this Python lacks is offered like the one above.
const SHIPPED_CANDIDATES = ["httpx", "tenacity", "loguru", "aiofiles"];
const shipped = SHIPPED_CANDIDATES.find(
  (name) =>
    execFileSync("python3", ["-c", `import importlib.util; print(importlib.util.find_spec("${name}") is None)`])
      .toString()
      .trim() === "True",
)!;
const unavailable = SHIPPED_CANDIDATES.find(
  (name) =>
    name !== shipped &&
    execFileSync("python3", ["-c", `import importlib.util; print(importlib.util.find_spec("${name}") is None)`])
      .toString()
      .trim() === "True",
)!;
execFileSync("python3", [
  "-c",
  `import sys, zipfile
name = sys.argv[2]
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(f"{name}/__init__.py", "STAND_IN = 'a stand-in wheel from the test'\\n")
    z.writestr(f"{name}-99.0.dist-info/METADATA", f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 99.0\\n")
    z.writestr(f"{name}-99.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(f"{name}-99.0.dist-info/RECORD", "")
`,
  path.join(links, `${shipped}-99.0-py3-none-any.whl`),
  shipped,
]);

const importing = (module: string) => `"""
title: Imports what Open WebUI ships
"""
import ${module}


class Pipe:
    def pipe(self, body: dict) -> str:
        return ${module}.STAND_IN
`;

const greeter = (requirements: string) => `"""
title: Greeter
requirements: ${requirements}
"""
from sluice_greeting import greet


class Pipe:
    def pipe(self, body: dict, __user__: dict) -> str:
        return greet(__user__["name"])
`;

describe("Python requirements, installed with pip", () => {
  const sluice = useServer({
    kind: "sqlite",
    // No pip configuration file either: a machine's own mirror (pip.conf's extra-index-url) would answer.
    env: {
      PIP_INDEX_URL: "http://127.0.0.1:9/simple",
      PIP_CONFIG_FILE: "/dev/null",
      PIP_FIND_LINKS: links,
      PLUGIN_INSTALL_TIMEOUT_MS: "60000",
    },
  });
  afterAll(() => fs.rmSync(links, { recursive: true, force: true }));
  let admin: TestAccount;
  let user: TestAccount;
  const depsFolder = () => path.join(sluice.server.dataDir, "python-deps");
  const installed = () => (fs.existsSync(depsFolder()) ? fs.readdirSync(depsFolder()) : []);

  const createAndApprove = async (id: string, content: string) => {
    const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const approved = await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token);
    await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    return approved;
  };
  const ask = (model: string) =>
    sluice.api.post("/api/chat/completions", { model, messages: [{ role: "user", content: "hi" }] }, user.token);

  it("installs a requirement into a folder of its own and reuses it for the same list", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const approved = await createAndApprove("greeter", greeter("sluice-greeting==1.0"));
    expect(approved.body.load_error ?? null, JSON.stringify(approved.body)).toBeNull();
    expect((await ask("greeter")).body.choices[0].message.content).toBe("Greetings, Test User");
    const folders = installed();
    expect(folders).toHaveLength(1);
    expect(fs.existsSync(path.join(depsFolder(), folders[0]!, "sluice_greeting", "__init__.py"))).toBe(true);

    // The same list (spelled differently) is not installed again: the wheel is gone, and it still loads.
    fs.rmSync(wheel);
    const again = await createAndApprove("greeter2", greeter(" sluice-greeting == 1.0 "));
    expect(again.body.load_error ?? null, JSON.stringify(again.body)).toBeNull();
    expect((await ask("greeter2")).body.choices[0].message.content).toBe("Greetings, Test User");
    expect(installed()).toEqual(folders);
  });

  it("installs what Open WebUI ships with its server when a plugin imports it without listing it, and says so when it cannot", async () => {
    const approved = await createAndApprove("imports_shipped", importing(shipped));
    expect(approved.body.load_error ?? null, JSON.stringify(approved.body)).toBeNull();
    expect(approved.body.instance_load_error ?? null, JSON.stringify(approved.body)).toBeNull();
    expect((await ask("imports_shipped")).body.choices[0].message.content).toBe("a stand-in wheel from the test");

    const missing = await createAndApprove("imports_unavailable", importing(unavailable));
    expect(missing.body.instance_load_error).toContain(
      `the plugin imports ${unavailable}, which Open WebUI ships with its server, so Sluice installs them as if they were listed under requirements`,
    );
    expect(missing.body.instance_load_error).toMatch(/package index could not be reached/);
  });

  it("refuses a requirement it cannot install with a clear error, soon, storing neither code nor files", async () => {
    const before = installed();
    const started = Date.now();
    const approved = await createAndApprove("unreachable", greeter("sluice-not-published"));
    // An unreachable index is this server's trouble, not the code's: reported as this instance's load error.
    expect(approved.body.instance_load_error).toMatch(/requirements \(sluice-not-published\): the package index could not be reached/);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(installed()).toEqual(before);

    // An approved plugin updated to code whose requirements cannot be installed keeps its code.
    const refused = await sluice.api.post(
      "/api/v1/functions/id/greeter/update",
      { name: "greeter", content: greeter("sluice-greeting==1.0, sluice-not-published") },
      admin.token,
    );
    expectError(refused, 502, "package index could not be reached");
    expect((await sluice.api.get("/api/v1/functions/id/greeter", admin.token)).body.content).toBe(greeter("sluice-greeting==1.0"));
    expect(installed()).toEqual(before);

    // A URL or a pip option is not a requirement.
    const option = await sluice.api.post(
      "/api/v1/functions/id/greeter/update",
      { name: "greeter", content: greeter("--index-url http://example.com/simple") },
      admin.token,
    );
    expectError(option, 400, "URLs and pip options are not accepted");
    expect((await ask("greeter")).body.choices[0].message.content).toBe("Greetings, Test User");
  });
});
