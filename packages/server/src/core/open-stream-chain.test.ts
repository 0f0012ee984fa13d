import { describe, expect, it } from "vitest";
import { SluiceError, type StreamEvent } from "@sluice/sdk";
import { openStreamChain } from "./open-stream-chain.ts";
import type { RequestFilter } from "./resolve-filters.ts";
import { functionRecord, InMemoryWorld, type FakePlugin } from "./testing/in-memory-ports.ts";

function chunk(content: string): StreamEvent {
  return { id: "a", choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}

function contentOf(value: StreamEvent | null): string | null | undefined {
  return value === null ? null : (value.choices[0]?.delta.content as string | undefined);
}

const mapContent = (change: (text: string) => string) => (event: StreamEvent) => chunk(change(contentOf(event) ?? ""));

function addFilter(world: InMemoryWorld, id: string, plugin: FakePlugin): RequestFilter {
  const record = world.addFunction(functionRecord(id, "filter"), plugin);
  return { record, hooks: new Set(plugin.stream ? ["stream"] : Object.keys(plugin.hooks ?? {})) };
}

async function open(world: InMemoryWorld, filters: RequestFilter[]) {
  return openStreamChain(world.ports.log, world.openSession(), filters);
}

describe("openStreamChain", () => {
  it("passes each chunk through the stream hooks in order, synchronously when they answer at once", async () => {
    const world = new InMemoryWorld();
    const chain = await open(world, [
      addFilter(world, "upper", { stream: mapContent((text) => text.toUpperCase()) }),
      addFilter(world, "inlet_only", { hooks: { inlet: (body) => body } }),
      addFilter(world, "exclaim", { stream: mapContent((text) => `${text}!`) }),
    ]);
    const output = chain.apply(chunk("hi"));
    expect(output).not.toBeInstanceOf(Promise);
    expect(contentOf(output as StreamEvent)).toBe("HI!");
    expect(world.streamOpens.map((entry) => entry.pluginId)).toEqual(["upper", "exclaim"]);
  });

  it("gives the chunk back as it is, synchronously, when no filter has a stream hook", async () => {
    const world = new InMemoryWorld();
    const chain = await open(world, [addFilter(world, "inlet_only", { hooks: { inlet: (body) => body } })]);
    const input = chunk("hi");
    expect(chain.apply(input)).toBe(input);
  });

  it("waits for a hook that answers later, then runs the hooks after it", async () => {
    const world = new InMemoryWorld();
    const chain = await open(world, [
      addFilter(world, "slow", { stream: async (event) => mapContent((text) => `[${text}]`)(event) }),
      addFilter(world, "upper", { stream: mapContent((text) => text.toUpperCase()) }),
    ]);
    const output = chain.apply(chunk("hi"));
    expect(output).toBeInstanceOf(Promise);
    expect(contentOf(await output)).toBe("[HI]");
  });

  it("drops a chunk a hook returns null for; later hooks do not see it", async () => {
    const world = new InMemoryWorld();
    const chain = await open(world, [
      addFilter(world, "no_secrets", { stream: (event) => (contentOf(event)!.includes("secret") ? null : event) }),
      addFilter(world, "later", { stream: (event) => event }),
    ]);
    expect(chain.apply(chunk("the secret"))).toBeNull();
    expect(contentOf(chain.apply(chunk("public")) as StreamEvent)).toBe("public");
    expect(world.calls.filter((call) => call.pluginId === "later")).toHaveLength(1);
  });

  it("drops the chunk a hook failed on, logged, and goes on with the next", async () => {
    const world = new InMemoryWorld();
    const chain = await open(world, [
      addFilter(world, "flaky", {
        stream: (event) => (contentOf(event) === "bad" ? new SluiceError("PLUGIN_ERROR", "cannot parse", { pluginId: "flaky" }) : event),
      }),
    ]);
    expect(chain.apply(chunk("bad"))).toBeNull();
    expect(contentOf(chain.apply(chunk("good")) as StreamEvent)).toBe("good");
    expect(world.logs).toMatchObject([{ level: "warn", message: "stream hook failed; chunk dropped", fields: { pluginId: "flaky" } }]);
  });

  it("opens a filter whose sandbox was lost again, with its code loaded anew, for the next chunk", async () => {
    const world = new InMemoryWorld();
    let chunksSeen = 0;
    const chain = await open(world, [
      addFilter(world, "redact", {
        stream: (event, link) => {
          chunksSeen += 1;
          if (chunksSeen === 1) {
            link.lose();
            return new SluiceError("PLUGIN_TIMEOUT", "stream hook ran past its limit");
          }
          return mapContent((text) => text.replace("1234", "****"))(event);
        },
      }),
    ]);
    expect(chain.apply(chunk("pin 1234"))).toBeNull();
    expect(contentOf(await chain.apply(chunk("card 1234")))).toBe("card ****");
    expect(world.streamOpens).toEqual([
      { pluginId: "redact", reload: false },
      { pluginId: "redact", reload: true },
    ]);
  });

  it("opens a lost filter again at most 3 times, then keeps dropping its chunks rather than skip it", async () => {
    const world = new InMemoryWorld();
    const chain = await open(world, [
      addFilter(world, "always_crashes", {
        stream: (_event, link) => {
          link.lose();
          return new SluiceError("PLUGIN_ERROR", "out of memory");
        },
      }),
    ]);
    const outputs = [];
    for (let index = 0; index < 6; index += 1) outputs.push(await chain.apply(chunk(`secret ${index}`)));
    expect(outputs).toEqual([null, null, null, null, null, null]);
    expect(world.streamOpens.filter((entry) => entry.reload)).toHaveLength(3);
  });
});
