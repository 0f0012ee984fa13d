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

/** One bare isolate with the {@link FUNCTIONS}, as one plugin's. */
async function newBareIsolate(): Promise<BareIsolate> {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const functions = (await context.eval(FUNCTIONS, { reference: true })) as ivm.Reference<Record<string, unknown>>;
  const take = async (name: string) => (await functions.get(name, { reference: true })) as ivm.Reference;
  return { isolate, chunk: await take("chunk"), chunks: await take("chunks"), body: await take("body") };
}

export async function bareIsolates(count: number): Promise<BareIsolates> {
  const isolates: BareIsolate[] = [];
  for (let index = 0; index < count; index += 1) isolates.push(await newBareIsolate());
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

export interface BarePipelineRun {
  stages: number;
  responses: number;
  chunksPerSecond: number;
  /** CPU of this process (every thread) per chunk delivered, less the same loop with no isolates. */
  cpuMicrosecondsPerChunk: number;
  /** Asynchronous crossings per chunk delivered, all stages together. */
  crossingsPerChunk: number;
}

/**
 * The floor of a streaming chat's plugin work under load: `responses` streams in this process,
 * each with a chunk every `intervalMs` (set going by host timers, as a pipe's sleeps are), every
 * chunk's JSON text through `stages` bare isolates in turn (as a pipe and its filters would be),
 * the chunks that wait behind a crossing into one isolate going together in the next, as
 * Sluice's connection batches them. Measures the process's CPU (every thread) per chunk for
 * `seconds`, less that of the same loop with no isolates.
 */
export async function barePipelineCpu(options: {
  stages: number;
  responses: number;
  intervalMs: number;
  seconds: number;
}): Promise<BarePipelineRun> {
  const withIsolates = await runBarePipeline(options.stages, options);
  const without = await runBarePipeline(0, options);
  return {
    stages: options.stages,
    responses: options.responses,
    chunksPerSecond: Math.round(withIsolates.chunksPerSecond),
    cpuMicrosecondsPerChunk: Math.round((withIsolates.cpuMicrosecondsPerChunk - without.cpuMicrosecondsPerChunk) * 10) / 10,
    crossingsPerChunk: Math.round(withIsolates.crossingsPerChunk * 100) / 100,
  };
}

const PIPELINE_CHUNK = JSON.stringify({
  id: "chatcmpl-bare",
  object: "chat.completion.chunk",
  created: 0,
  model: "bare",
  choices: [{ index: 0, delta: { content: "t1700000000000 " }, finish_reason: null }],
});

async function runBarePipeline(
  stageCount: number,
  options: { responses: number; intervalMs: number; seconds: number },
): Promise<{ chunksPerSecond: number; cpuMicrosecondsPerChunk: number; crossingsPerChunk: number }> {
  interface Stage {
    bare: BareIsolate;
    queue: Array<{ text: string; resolve(text: string): void }>;
    isCrossing: boolean;
  }
  const stages: Stage[] = [];
  for (let index = 0; index < stageCount; index += 1) stages.push({ bare: await newBareIsolate(), queue: [], isCrossing: false });
  let crossings = 0;
  const cross = async (stage: Stage): Promise<void> => {
    while (stage.queue.length > 0) {
      const batch = stage.queue.splice(0, 256);
      crossings += 1;
      const texts = (await stage.bare.chunks.apply(undefined, [batch.map((chunk) => chunk.text)], {
        arguments: { copy: true },
        result: { copy: true },
        timeout: 1000,
      })) as string[];
      batch.forEach((chunk, index) => chunk.resolve(texts[index]!));
    }
    stage.isCrossing = false;
  };
  const through = async (text: string): Promise<void> => {
    for (const stage of stages) {
      text = await new Promise<string>((resolve) => {
        stage.queue.push({ text, resolve });
        if (stage.isCrossing) return;
        stage.isCrossing = true;
        setImmediate(() => void cross(stage));
      });
    }
    JSON.parse(text);
  };
  let delivered = 0;
  let isStopped = false;
  const timers: NodeJS.Timeout[] = [];
  for (let response = 0; response < options.responses; response += 1) {
    const tick = (): void => {
      if (isStopped) return;
      void through(PIPELINE_CHUNK).then(() => (delivered += 1));
      timers[response] = setTimeout(tick, options.intervalMs);
    };
    timers[response] = setTimeout(tick, (response * options.intervalMs) / options.responses);
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cpuBefore = process.cpuUsage();
    const deliveredBefore = delivered;
    const crossingsBefore = crossings;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const chunks = Math.max(delivered - deliveredBefore, 1);
    return {
      chunksPerSecond: chunks / ((performance.now() - started) / 1000),
      cpuMicrosecondsPerChunk: (cpu.user + cpu.system) / chunks,
      crossingsPerChunk: (crossings - crossingsBefore) / chunks,
    };
  } finally {
    isStopped = true;
    for (const timer of timers) clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const stage of stages) stage.bare.isolate.dispose();
  }
}
