import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Memory, MemoryMatch } from "../../memories/memory-service.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireVerified } from "../request-user.ts";

const idParams = z.object({ id: z.string().min(1) });
const contentBody = z.object({ content: z.string() });
const queryBody = z.object({ content: z.string(), k: z.number().nullish() });

/** A memory as Open WebUI answers it. */
function presentMemory(memory: Memory) {
  return { id: memory.id, user_id: memory.userId, content: memory.content, created_at: memory.createdAt, updated_at: memory.updatedAt };
}

/**
 * A query's answer in Open WebUI's shape (its vector store's: one list per query, so each field
 * is a list holding one list, `distances` being scores where higher is better), plus `results`,
 * the same memories as objects, best first.
 */
function presentMatches(matches: MemoryMatch[]) {
  return {
    ids: [matches.map((match) => match.id)],
    documents: [matches.map((match) => match.content)],
    metadatas: [matches.map((match) => ({ created_at: match.createdAt, updated_at: match.updatedAt }))],
    distances: [matches.map((match) => match.score)],
    results: matches.map((match) => ({ ...presentMemory(match), score: match.score })),
  };
}

/** `/api/v1/memories/…` on Open WebUI's paths: each verified user's own memories, never another's. */
export function registerMemoryRoutes(app: FastifyInstance, services: AppServices): void {
  const { memories } = services;
  const prefix = "/api/v1/memories";

  app.get(`${prefix}/`, async (request) => {
    const user = requireVerified(request);
    return (await memories.list(user.id)).map(presentMemory);
  });

  app.post(`${prefix}/add`, async (request) => {
    const user = requireVerified(request);
    const { content } = parseInput(contentBody, request.body);
    return presentMemory(await memories.add(user.id, content));
  });

  app.post(`${prefix}/query`, async (request) => {
    const user = requireVerified(request);
    const { content, k } = parseInput(queryBody, request.body);
    return presentMatches(await memories.query(user.id, content, { k: k ?? undefined }));
  });

  app.post(`${prefix}/:id/update`, async (request) => {
    const user = requireVerified(request);
    const { id } = parseInput(idParams, request.params);
    const { content } = parseInput(contentBody, request.body);
    return presentMemory(await memories.update(user.id, id, content));
  });

  app.delete(`${prefix}/delete/user`, async (request) => {
    const user = requireVerified(request);
    await memories.deleteAll(user.id);
    return true;
  });

  app.delete(`${prefix}/:id`, async (request) => {
    const user = requireVerified(request);
    await memories.delete(user.id, parseInput(idParams, request.params).id);
    return true;
  });
}
