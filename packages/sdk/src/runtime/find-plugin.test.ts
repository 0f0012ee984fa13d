import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAction, defineFilter, definePipe, defineTools } from "../index.ts";
import { findPlugin } from "./find-plugin.ts";

const esModule = (exports: Record<string, unknown>) => ({ __esModule: true, ...exports });
const parameters = z.object({ q: z.string() });

describe("findPlugin: define* objects", () => {
  it.each([
    ["pipe", definePipe({ pipe: () => "" })],
    ["filter", defineFilter({ stream: (event) => event })],
    ["action", defineAction({ action: () => null })],
    ["tools", defineTools({ tools: { search: { description: "Search", parameters, execute: () => "" } } })],
  ])("finds a default-exported %s", (kind, definition) => {
    expect(findPlugin(esModule({ default: definition })).kind).toBe(kind);
  });

  it("finds a define* object assigned to module.exports (CommonJS)", () => {
    expect(findPlugin(defineAction({ action: () => null })).kind).toBe("action");
  });

  it("prefers the default export over named classes", () => {
    class Pipe {
      pipe() {
        return "";
      }
    }
    expect(findPlugin(esModule({ default: defineFilter({ inlet: (body) => body }), Pipe })).kind).toBe("filter");
  });

  it("binds hooks to the definition object", async () => {
    const definition = defineFilter({
      suffix: "!",
      inlet(body: object) {
        return { ...body, mark: (this as unknown as { suffix: string }).suffix };
      },
    } as never);
    const plugin = findPlugin(esModule({ default: definition }));
    expect(await plugin.hooks.inlet!({ model: "m", messages: [] }, {})).toMatchObject({ mark: "!" });
  });
});

describe("findPlugin: classes", () => {
  it("decides a default-exported class's kind by its members", () => {
    class Anything {
      action() {
        return null;
      }
    }
    class WithStream {
      stream(event: unknown) {
        return event;
      }
    }
    class WithTools {
      tools = { search: { description: "Search", parameters, execute: () => "x" } };
    }
    expect(findPlugin(esModule({ default: Anything })).kind).toBe("action");
    expect(findPlugin(esModule({ default: WithStream })).kind).toBe("filter");
    expect(findPlugin(esModule({ default: WithTools })).kind).toBe("tools");
  });

  it("follows Open WebUI's precedence Pipe > Filter > Action > Tools for named classes", () => {
    class Pipe {
      pipe() {
        return "";
      }
    }
    class Filter {
      inlet(body: unknown) {
        return body;
      }
    }
    class Action {
      action() {
        return null;
      }
    }
    class Tools {
      static tools = { search: { description: "Search", parameters, execute: () => "" } };
    }
    expect(findPlugin(esModule({ Tools, Action, Filter, Pipe })).kind).toBe("pipe");
    expect(findPlugin(esModule({ Tools, Action, Filter })).kind).toBe("filter");
    expect(findPlugin(esModule({ Tools, Action })).kind).toBe("action");
    expect(findPlugin(esModule({ Tools })).kind).toBe("tools");
  });

  it("reads valves, toggle and icon from instance or static properties and binds methods", async () => {
    class Filter {
      static valves = z.object({ word: z.string().default("hi") });
      userValves = z.object({ loud: z.boolean().default(false) });
      toggle = true;
      static icon = "https://example.com/icon.svg";
      private greeting = "hello";
      inlet(body: Record<string, unknown>) {
        return { ...body, greeting: this.greeting };
      }
    }
    const plugin = findPlugin(esModule({ Filter }));
    expect(plugin).toMatchObject({ kind: "filter", toggle: true, icon: "https://example.com/icon.svg" });
    expect(plugin.valves?.parse({})).toEqual({ word: "hi" });
    expect(plugin.userValves?.parse({})).toEqual({ loud: false });
    expect(await plugin.hooks.inlet!({}, {})).toEqual({ greeting: "hello" });
  });

  it("turns Tools class methods listed in a tools map into tools, bound to the instance", async () => {
    class Tools {
      static tools = { search: { description: "Search the web", parameters } };
      prefix = "found:";
      search(args: { q: string }) {
        return `${this.prefix}${args.q}`;
      }
      helper() {
        return "not a tool";
      }
    }
    const plugin = findPlugin(esModule({ Tools }));
    expect([...plugin.tools.keys()]).toEqual(["search"]);
    expect(await plugin.tools.get("search")!.execute({ q: "x" }, {})).toBe("found:x");
  });
});

describe("findPlugin: the documented class forms", () => {
  it("runs a Tools class whose tool calls a private helper through this", async () => {
    class Tools {
      static tools = { shout: { description: "Upper-case a text", parameters: z.object({ text: z.string() }) } };
      shout({ text }: { text: string }) {
        return this._loud(text);
      }
      _loud(text: string) {
        return text.toUpperCase();
      }
    }
    const plugin = findPlugin(esModule({ Tools }));
    expect([...plugin.tools.keys()]).toEqual(["shout"]);
    expect(await plugin.tools.get("shout")!.execute({ text: "hi" }, {})).toBe("HI");
  });

  it("refuses a private method as a tool", () => {
    class Tools {
      static tools = { _secret: { description: "No", parameters: z.object({}) } };
      _secret() {
        return "";
      }
    }
    expect(() => findPlugin(esModule({ Tools }))).toThrow(
      'tool "_secret": a method whose name starts with "_" is private and cannot be a tool',
    );
  });
});

describe("findPlugin: clear messages", () => {
  it.each([
    [{ hello: 1 }, "No plugin found (a default export that is an object)"],
    [esModule({}), "No plugin found (no default export)"],
    [esModule({ default: () => "x" }), "No plugin found (a default export that is a function)"],
    [esModule({ default: { kind: "widget" } }), 'unknown kind "widget"'],
    [esModule({ Filter: { inlet() {} } }), 'the export "Filter" must be a class, got an object'],
    [esModule({ default: definePipe({} as never) }), 'Malformed plugin (definePipe(…)): a pipe needs a "pipe" function'],
    [esModule({ default: defineFilter({}) }), 'a filter needs at least one of "inlet", "request", "stream" or "outlet"'],
    [esModule({ default: defineFilter({ inlet: "yes" } as never) }), '"inlet" must be a function, got a string'],
    [esModule({ default: defineAction({} as never) }), 'an action needs an "action" function'],
    [esModule({ default: defineTools({ tools: {} }) }), 'a tools plugin needs at least one tool in "tools"'],
    [
      esModule({ default: defineFilter({ valves: { a: 1 }, inlet: () => {} } as never) }),
      '"valves" must be a zod object schema (z.object({ … })), got an object',
    ],
    [esModule({ default: defineFilter({ userValves: z.string(), inlet: () => {} } as never) }), '"userValves" must be a zod object schema'],
    [esModule({ default: defineFilter({ toggle: "on", inlet: () => {} } as never) }), '"toggle" must be true or false, got a string'],
    [
      esModule({ default: definePipe({ pipes: "many", pipe: () => "" } as never) }),
      '"pipes" must be a list of { id, name } or a function returning one, got a string',
    ],
    [
      esModule({
        default: defineAction({
          actions: [
            { id: "a", name: "A" },
            { id: "a", name: "B" },
          ],
          action: () => null,
        }),
      }),
      '"actions" has the id "a" twice',
    ],
    [
      esModule({ default: defineAction({ actions: [{ name: "No id" }], action: () => null } as never) }),
      '"actions"[0] must be { id: string, name: string }',
    ],
    [
      esModule({ default: defineTools({ tools: { search: { description: "S", execute: () => "" } } } as never) }),
      'tool "search" needs "parameters", a zod object schema',
    ],
    [
      esModule({ default: defineTools({ tools: { "bad name": { description: "S", parameters, execute: () => "" } } }) }),
      'tool name "bad name" must be 1–64 letters',
    ],
    [
      esModule({ default: defineTools({ tools: { search: { description: "S", parameters } } } as never) }),
      'tool "search" needs an "execute" function (or a method named "search")',
    ],
  ])("%#: %s", (exports, message) => {
    expect(() => findPlugin(exports)).toThrow(message);
  });

  it("reports a class whose constructor throws and a class without any hook", () => {
    class Filter {
      constructor() {
        throw new Error("no config");
      }
    }
    class Nothing {
      helper() {}
    }
    expect(() => findPlugin(esModule({ Filter }))).toThrow("Malformed plugin (class Filter): its constructor threw: no config");
    expect(() => findPlugin(esModule({ default: Nothing }))).toThrow(
      "it has none of pipe, inlet, request, stream, outlet, action, tools, event or on",
    );
  });
});
