import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import type { PluginSandbox, PipeOutput } from "../isolate/plugin-sandbox.ts";
import { delay, sandboxFor, testContext } from "../sandbox-test-fixtures.ts";

const sandboxes: PluginSandbox[] = [];
afterAll(() => sandboxes.forEach((sandbox) => sandbox.dispose()));

const PIPE = `
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    switch (body.mode) {
      case "text": return "whole answer";
      case "object": return { id: "x", choices: [{ message: { role: "assistant", content: "hi" } }] };
      case "sync": return (function* () { yield "a"; yield { choices: [{ delta: { content: "b" } }] }; })();
      case "async": return (async function* () {
        try {
          for (let index = 1; index <= body.count; index++) {
            ctx.log.info("produced " + index);
            yield "chunk " + index;
          }
        } finally {
          ctx.log.info("cleanup, aborted=" + ctx.signal.aborted);
        }
      })();
      case "fail": return (async function* () { yield "one"; yield "two"; throw new Error("upstream went away"); })();
      case "bad-chunk": return (async function* () { yield "fine"; yield 42; })();
      case "hang-after-one": return (async function* () {
        try { yield "one"; await new Promise(() => {}); } finally { ctx.log.info("hang cleanup"); }
      })();
      case "wait-for-abort": return (async function* () {
        yield "one";
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
        ctx.log.info("saw abort: " + ctx.signal.reason.message);
        yield "never delivered";
      })();
      case "loop-after-one": return (async function* () { yield "one"; while (true) {} })();
      case "slow-steps": return (async function* () {
        for (let index = 0; index < 3; index++) { await new Promise((resolve) => setTimeout(resolve, 10)); yield "step " + index; }
      })();
    }
  },
});
`;

function pipeRequest(payload: Record<string, unknown>) {
  return { hook: "pipe" as const, payload, context: testContext };
}

async function collect(outputs: AsyncIterable<PipeOutput>): Promise<{ outputs: PipeOutput[]; error?: unknown }> {
  const seen: PipeOutput[] = [];
  try {
    for await (const output of outputs) seen.push(output);
    return { outputs: seen };
  } catch (error) {
    return { outputs: seen, error };
  }
}

/** A response of `sandbox` that got "one" and whose next pull waits until `controller` aborts. */
async function responseWaitingAfterOne(sandbox: PluginSandbox): Promise<{ controller: AbortController; slow: Promise<void> }> {
  const controller = new AbortController();
  const waiting: unknown[] = [];
  const slow = (async () => {
    for await (const output of sandbox.streamPipe(pipeRequest({ mode: "wait-for-abort" }), {}, { signal: controller.signal })) {
      waiting.push(output.value);
    }
  })();
  await expect.poll(() => waiting).toEqual(["one"]);
  return { controller, slow };
}

describe("PluginSandbox.streamPipe", () => {
  let sandbox: PluginSandbox;
  // The sandbox-wide log handler: it also gets what the plugin logs after its call has ended.
  const lines: string[] = [];
  const log = (_level: string, message: string) => void lines.push(message);

  beforeAll(async () => {
    sandbox = await sandboxFor(PIPE, { timeoutMs: 300, host: { log } }, sandboxes);
  });

  it("yields one value for a pipe that returns a string or an object", async () => {
    expect(await collect(sandbox.streamPipe(pipeRequest({ mode: "text" })))).toEqual({
      outputs: [{ kind: "value", value: "whole answer" }],
    });
    const { outputs } = await collect(sandbox.streamPipe(pipeRequest({ mode: "object" })));
    expect(outputs).toEqual([{ kind: "value", value: { id: "x", choices: [{ message: { role: "assistant", content: "hi" } }] } }]);
  });

  it("yields each item of a sync generator as a chunk", async () => {
    expect(await collect(sandbox.streamPipe(pipeRequest({ mode: "sync" })))).toEqual({
      outputs: [
        { kind: "chunk", value: "a" },
        { kind: "chunk", value: { choices: [{ delta: { content: "b" } }] } },
      ],
    });
  });

  it("pulls the next chunk only when the consumer asks for it", async () => {
    lines.length = 0;
    for await (const output of sandbox.streamPipe(pipeRequest({ mode: "async", count: 3 }))) {
      lines.push(`consumed ${String(output.value)}`);
      await delay(5);
    }
    expect(lines).toEqual([
      "produced 1",
      "consumed chunk 1",
      "produced 2",
      "consumed chunk 2",
      "produced 3",
      "consumed chunk 3",
      "cleanup, aborted=false",
    ]);
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("throws a failure mid-stream after the chunks already produced", async () => {
    const { outputs, error } = await collect(sandbox.streamPipe(pipeRequest({ mode: "fail" })));
    expect(outputs.map((output) => output.value)).toEqual(["one", "two"]);
    expect(SluiceError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "PLUGIN_ERROR", message: "upstream went away", pluginId: "test_plugin", hook: "pipe" });

    const bad = await collect(sandbox.streamPipe(pipeRequest({ mode: "bad-chunk" })));
    expect(bad.outputs).toEqual([{ kind: "chunk", value: "fine" }]);
    expect(bad.error).toMatchObject({ code: "PLUGIN_ERROR", message: expect.stringMatching(/^pipe yielded a number/) });
  });

  it("a consumer that stops early ends the plugin's iteration (its finally runs, ctx.signal aborts)", async () => {
    lines.length = 0;
    for await (const output of sandbox.streamPipe(pipeRequest({ mode: "async", count: 1000 }))) {
      if (output.value === "chunk 2") break;
    }
    await expect.poll(() => lines.at(-1)).toBe("cleanup, aborted=true");
    await delay(20);
    expect(lines).toEqual(["produced 1", "produced 2", "cleanup, aborted=true"]);
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("an aborted signal stops a pipe that is waiting, and is thrown", async () => {
    lines.length = 0;
    const controller = new AbortController();
    const seen: unknown[] = [];
    const running = (async () => {
      for await (const output of sandbox.streamPipe(pipeRequest({ mode: "wait-for-abort" }), {}, { signal: controller.signal })) {
        seen.push(output.value);
        setTimeout(() => controller.abort(new Error("The client disconnected")), 20);
      }
    })();
    await expect(running).rejects.toThrow("The client disconnected");
    expect(seen).toEqual(["one"]);
    await expect.poll(() => lines).toEqual(["saw abort: The client disconnected"]);
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("times out a step that never finishes, without blaming the isolate", async () => {
    lines.length = 0;
    const started = performance.now();
    const { outputs, error } = await collect(sandbox.streamPipe(pipeRequest({ mode: "hang-after-one" }), {}, { timeoutMs: 100 }));
    expect(outputs).toEqual([{ kind: "chunk", value: "one" }]);
    expect(error).toMatchObject({ code: "PLUGIN_TIMEOUT", message: 'Plugin "test_plugin" timed out in pipe after 100 ms', hook: "pipe" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sandbox.isBroken).toBe(false);
  });

  it("does not count the consumer's time, only the plugin's own per step", async () => {
    const outputs: unknown[] = [];
    for await (const output of sandbox.streamPipe(pipeRequest({ mode: "slow-steps" }), {}, { timeoutMs: 250 })) {
      outputs.push(output.value);
      await delay(300); // a reader slower than the plugin's limit
    }
    expect(outputs).toEqual(["step 0", "step 1", "step 2"]);
  });

  it("a pipe that runs away mid-stream fails with PLUGIN_TIMEOUT and breaks its sandbox", async () => {
    const looping = await sandboxFor(PIPE, { timeoutMs: 150 }, sandboxes);
    const { outputs, error } = await collect(looping.streamPipe(pipeRequest({ mode: "loop-after-one" })));
    expect(outputs).toEqual([{ kind: "chunk", value: "one" }]);
    expect(error).toMatchObject({ code: "PLUGIN_TIMEOUT", hook: "pipe" });
    expect(looping.isBroken).toBe(true);
  });

  it("streams many responses of one pipe at once, each its own chunks in order", async () => {
    const runs = await Promise.all(
      Array.from({ length: 30 }, (_, index) => collect(sandbox.streamPipe(pipeRequest({ mode: "async", count: 3 + (index % 4) })))),
    );
    runs.forEach((run, index) => {
      expect(run.error).toBeUndefined();
      expect(run.outputs.map((output) => output.value)).toEqual(
        Array.from({ length: 3 + (index % 4) }, (_, chunk) => `chunk ${chunk + 1}`),
      );
    });
    expect(sandbox.activeInvocations).toBe(0);
  });

  it("a response whose next chunk is slow holds up no other response of the same pipe", async () => {
    const patient = await sandboxFor(PIPE, { timeoutMs: 10_000 }, sandboxes);
    const { controller, slow } = await responseWaitingAfterOne(patient);
    let waitingEnded = false;
    void slow.finally(() => (waitingEnded = true)).catch(() => {});
    // While that pull waits, other responses start, stream and end.
    const quick = await Promise.all([
      collect(patient.streamPipe(pipeRequest({ mode: "async", count: 4 }))),
      collect(patient.streamPipe(pipeRequest({ mode: "slow-steps" }))),
    ]);
    expect(quick.map((run) => run.outputs.map((output) => output.value))).toEqual([
      ["chunk 1", "chunk 2", "chunk 3", "chunk 4"],
      ["step 0", "step 1", "step 2"],
    ]);
    expect(waitingEnded).toBe(false);
    controller.abort(new Error("The client disconnected"));
    await expect(slow).rejects.toThrow("The client disconnected");
    // The pipe still serves the next response.
    expect((await collect(patient.streamPipe(pipeRequest({ mode: "async", count: 2 })))).outputs).toHaveLength(2);
    expect(patient.activeInvocations).toBe(0);
  });

  it("a pipe that runs away while another response's pull waits still fails with PLUGIN_TIMEOUT", async () => {
    const patient = await sandboxFor(PIPE, { timeoutMs: 10_000 }, sandboxes);
    const { controller, slow } = await responseWaitingAfterOne(patient);
    slow.catch(() => {});
    const { outputs, error } = await collect(patient.streamPipe(pipeRequest({ mode: "loop-after-one" }), {}, { timeoutMs: 200 }));
    expect(outputs).toEqual([{ kind: "chunk", value: "one" }]);
    expect(error).toMatchObject({ code: "PLUGIN_TIMEOUT", hook: "pipe" });
    controller.abort(new Error("done"));
  });

  it("throws at once for a sandbox that cannot be used", async () => {
    const gone = await sandboxFor(PIPE, {}, sandboxes);
    gone.dispose();
    await expect(collect(gone.streamPipe(pipeRequest({ mode: "text" })))).resolves.toMatchObject({
      error: { code: "PLUGIN_ERROR", message: expect.stringMatching(/is unloaded/) },
    });
  });
});
