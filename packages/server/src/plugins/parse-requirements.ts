import { SluiceError } from "@sluice/sdk";

/** One npm requirement: the spec as npm gets it and the package name imports use. */
export interface Requirement {
  spec: string;
  name: string;
}

// A registry package, optionally with a version, range or tag: `ms`, `ms@2`, `@scope/pkg@^1.2.0`.
// No URLs, git or file specs, aliases or paths: those would fetch from elsewhere or read the disk.
const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const VERSION = /^[A-Za-z0-9.^~<>=*|+ -]{1,100}$/;

/**
 * Parses the `requirements` frontmatter value: npm registry package specs separated by commas
 * (`date-fns@4, ms`). Throws PLUGIN_LOAD_FAILED naming a spec that is not a plain registry package.
 *
 * @example
 * parseRequirements("ms@2, @scope/pkg"); // [{ spec: "ms@2", name: "ms" }, { spec: "@scope/pkg", name: "@scope/pkg" }]
 */
export function parseRequirements(value: string | undefined): Requirement[] {
  const requirements = new Map<string, Requirement>();
  for (const raw of (value ?? "").split(",")) {
    const spec = raw.trim();
    if (spec === "") continue;
    const at = spec.indexOf("@", 1);
    const name = at === -1 ? spec : spec.slice(0, at);
    const version = at === -1 ? undefined : spec.slice(at + 1).trim();
    if (!NAME.test(name) || name.length > 214 || (version !== undefined && !VERSION.test(version))) {
      throw new SluiceError(
        "PLUGIN_LOAD_FAILED",
        `requirements: "${spec}" is not an npm registry package (write a name, optionally with a version: lodash-es or date-fns@4)`,
      );
    }
    if (requirements.has(name)) throw new SluiceError("PLUGIN_LOAD_FAILED", `requirements: "${name}" is listed twice`);
    requirements.set(name, { spec: version === undefined ? name : `${name}@${version}`, name });
  }
  return [...requirements.values()];
}

/** The package name of a bare import (`lodash-es/chunk` → `lodash-es`, `@a/b/c` → `@a/b`). */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}
