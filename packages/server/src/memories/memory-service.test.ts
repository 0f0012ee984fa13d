import { SluiceError } from "@sluice/sdk";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/helpers/test-database.ts";
import { connectDatabase } from "../db/connect-database.ts";
import { migrateToLatest } from "../db/migrations/migrate-to-latest.ts";
import type { Database } from "../db/schema.ts";
import { createMemoryService, type EmbedTexts } from "./memory-service.ts";

/** A plugin's `ctx.memories` calls the service with whatever the plugin passed: errors must be SluiceErrors with a code. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!SluiceError.isInstance(error)) throw new Error(`expected a SluiceError, got ${String(error)}`);
  return error.code;
}

describe.each(DATABASE_KINDS)("memory service (%s)", (kind) => {
  let database: TestDatabase;
  let db: Kysely<Database>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = connectDatabase(database);
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("answers values of the wrong type from a plugin with coded errors", async () => {
    const memories = createMemoryService({ db, maxCharacters: 100, maxPerUser: 10 });
    const memory = await memories.add("user-a", "I like tea");
    expect(await codeOf(memories.add("user-a", { content: "x" }))).toBe("INVALID_INPUT");
    expect(await codeOf(memories.add("user-a", undefined))).toBe("INVALID_INPUT");
    expect(await codeOf(memories.update("user-a", { id: memory.id } as unknown as string, "x"))).toBe("NOT_FOUND");
    expect(await codeOf(memories.delete("user-a", [memory.id] as unknown as string))).toBe("NOT_FOUND");
    expect(await codeOf(memories.query("user-a", "tea", { k: "2" as unknown as number }))).toBe("INVALID_INPUT");
    expect(await codeOf(memories.query("user-a", ["tea"]))).toBe("INVALID_INPUT");
    // Another user's memory is missing for this one, whatever the call.
    expect(await codeOf(memories.update("user-b", memory.id, "mine now"))).toBe("NOT_FOUND");
    expect(await codeOf(memories.delete("user-b", memory.id))).toBe("NOT_FOUND");
    expect(await memories.deleteAll("user-b")).toBe(0);
    expect(await memories.list("user-a")).toEqual([memory]);
  });

  it("passes the caller's signal to the embeddings and names the model when they fail", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    let isFailing = false;
    const embed: EmbedTexts = async (texts, signal) => {
      signals.push(signal);
      if (isFailing) throw new Error("socket hang up");
      return texts.map((text) => [text.length, 1]);
    };
    const memories = createMemoryService({ db, maxCharacters: 100, maxPerUser: 10, embeddings: { model: "m-1", embed } });
    await memories.add("user-c", "short");
    const controller = new AbortController();
    expect(await memories.query("user-c", "short", { signal: controller.signal })).toEqual([
      expect.objectContaining({ content: "short", score: expect.closeTo(1, 5) }),
    ]);
    expect(signals.at(-1)).toBe(controller.signal);
    isFailing = true;
    await expect(memories.add("user-c", "another")).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: 'The embeddings of EMBEDDING_MODEL "m-1" failed: socket hang up',
    });
    expect(await memories.list("user-c")).toHaveLength(1);
  });
});
