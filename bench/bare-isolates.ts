// The floors of a plugin call under the rule that plugin code never runs on the server's thread
// (docs/decisions/2026-12-05-plugin-code-off-the-server-thread.md): bare isolates, one per filter
// as one per plugin, with no Sluice code in them, reached by isolated-vm's asynchronous `apply`
// (the only crossing that rule leaves). What these cost is what any sandboxed filter chain built
// on them must pay at least; the benchmarks report them beside Sluice's own figures.

import ivm from "isolated-vm";

/** What the isolate's function answers when the body came through unchanged (as Sluice's runtime does). */
const UNCHANGED = 1;

// `chunk`: parse the text and stringify it back (a pass-through stream hook's JSON passes).
// `chunks`: the same for every text of an array, in one crossing. `body`: parse the text and answer
// "unchanged" (a pass-through body hook whose answer need not cross back).
const FUNCTIONS = `({
  chunk: (json) => JSON.stringify(JSON.parse(json)),
  chunks: (texts) => texts.map((json) => JSON.stringify(JSON.parse(json))),
  body: (json) => (JSON.parse(json), ${UNCHANGED}),
})`;

interface BareIsolate {
  isolate: ivm.Isolate;
  chunk: ivm.Reference;
  chunks: ivm.Reference;
  body: ivm.Reference;
}

export interface BareIsolates {
  /** One chunk (its JSON text) through the first `count` isolates in turn, one asynchronous crossing each. */
  chunk(count: number, chunk: unknown): Promise<unknown>;
  /** Many chunks through the first `count` isolates in turn, one asynchronous crossing per isolate for all of them. */
  chunks(count: number, chunks: readonly unknown[]): Promise<unknown[]>;
  /** A body through the first `count` isolates in turn for inlet, then again for outlet: 2 × `count` crossings. */
  body(count: number, bodyText: string): Promise<void>;
  /** One crossing into an isolate whose thread has had nothing to do for `idleMs`: µs. */
  crossingAfterIdle(idleMs: number): Promise<number>;
  dispose(): void;
}

export async function bareIsolates(count: number): Promise<BareIsolates> {
  const isolates: BareIsolate[] = [];
  for (let index = 0; index < count; index += 1) {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = await isolate.createContext();
    const functions = (await context.eval(FUNCTIONS, { reference: true })) as ivm.Reference<Record<string, unknown>>;
    const take = async (name: string) => (await functions.get(name, { reference: true })) as ivm.Reference;
    isolates.push({ isolate, chunk: await take("chunk"), chunks: await take("chunks"), body: await take("body") });
  }
  const timeout = 100;
  return {
    async chunk(count, chunk) {
      let text = JSON.stringify(chunk);
      for (const bare of isolates.slice(0, count)) text = (await bare.chunk.apply(undefined, [text], { timeout })) as string;
      return JSON.parse(text);
    },
    async chunks(count, chunks) {
      let texts = chunks.map((chunk) => JSON.stringify(chunk));
      for (const bare of isolates.slice(0, count)) {
        texts = (await bare.chunks.apply(undefined, [texts], { arguments: { copy: true }, result: { copy: true }, timeout })) as string[];
      }
      return texts.map((text) => JSON.parse(text));
    },
    async body(count, bodyText) {
      for (let hook = 0; hook < 2; hook += 1) {
        for (const bare of isolates.slice(0, count)) {
          if ((await bare.body.apply(undefined, [bodyText], { timeout })) !== UNCHANGED)
            throw new Error("The bare isolate changed the body");
        }
      }
    },
    async crossingAfterIdle(idleMs) {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const started = performance.now();
      await isolates[0]!.chunk.apply(undefined, ["{}"], { timeout });
      return (performance.now() - started) * 1000;
    },
    dispose() {
      for (const bare of isolates) bare.isolate.dispose();
    },
  };
}
