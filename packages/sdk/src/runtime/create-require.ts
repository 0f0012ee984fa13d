import * as sdk from "../index.ts";
import * as zod from "zod";

/**
 * The `require` a plugin's CommonJS bundle gets: it knows `@sluice/sdk` and `zod` only, because
 * everything else was bundled in at compile time.
 *
 * @example
 * factory(module, module.exports, createRequire());
 */
export function createRequire(): (name: string) => unknown {
  return (name) => {
    if (name === "@sluice/sdk") return sdk;
    if (name === "zod" || name === "zod/v4") return zod;
    if (name.startsWith("@sluice/sdk/")) {
      throw new Error(`"${name}" is not available inside the sandbox: plugins import "@sluice/sdk" (the testing helpers are for tests)`);
    }
    throw new Error(
      `Cannot require "${name}" inside the sandbox: list npm packages under "requirements" in the frontmatter so they are bundled`,
    );
  };
}
