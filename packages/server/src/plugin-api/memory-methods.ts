import { SluiceError } from "@sluice/sdk";
import { z } from "zod";
import type { Memory, MemoryService } from "../memories/memory-service.ts";
import { defineMethod, type PluginApiMethods, type PluginApiScope } from "./plugin-api.ts";

/** The requesting user: memories are theirs, so a call outside any user's request has none. */
function userOf(scope: PluginApiScope): string {
  if (!scope.userId) {
    throw new SluiceError(
      "INVALID_INPUT",
      "ctx.memories needs the user a call runs for, and this call has none (it runs outside any user's request)",
    );
  }
  return scope.userId;
}

/** What a plugin sees of a memory: no user id (it is always the requesting user's). */
function present(memory: Memory): { id: string; content: string; createdAt: number; updatedAt: number } {
  return { id: memory.id, content: memory.content, createdAt: memory.createdAt, updatedAt: memory.updatedAt };
}

/**
 * `ctx.memories` on the service channel (`memories.*`): the requesting user's memories, the same
 * ones `/api/v1/memories` shows them, with the same caps and ranking. Never another user's.
 */
export function memoryMethods(memories: MemoryService): PluginApiMethods {
  return {
    "memories.list": defineMethod(z.tuple([]), async (scope) => (await memories.list(userOf(scope))).map(present)),
    "memories.add": defineMethod(z.tuple([z.unknown()]), async (scope, [content]) => present(await memories.add(userOf(scope), content))),
    "memories.update": defineMethod(z.tuple([z.string(), z.unknown()]), async (scope, [id, content]) =>
      present(await memories.update(userOf(scope), id, content)),
    ),
    "memories.delete": defineMethod(z.tuple([z.string()]), async (scope, [id]) => {
      await memories.delete(userOf(scope), id);
      return true;
    }),
    "memories.query": defineMethod(
      z.tuple([z.unknown(), z.object({ k: z.number().int().positive().optional() }).nullish().optional()]),
      async (scope, [text, options]) =>
        (await memories.query(userOf(scope), text, { k: options?.k ?? undefined })).map((match) => ({
          id: match.id,
          content: match.content,
          score: match.score,
        })),
    ),
  };
}
