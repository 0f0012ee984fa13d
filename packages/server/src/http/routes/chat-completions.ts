import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SluiceError, toSluiceError, type StreamEvent } from "@sluice/sdk";
import { errorBody, type ErrorBody } from "../error-status.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requestFactsOf } from "../request-facts.ts";
import { requireVerified } from "../request-user.ts";
import { buildCompletion, TurnAccumulator } from "../../core/completion-chunks.ts";
import { chatRequestSchema, type ChatRequest } from "../../core/chat-request.ts";
import { startChatTurn } from "../../core/start-chat-turn.ts";
import { isInterrupted, isStopRequested } from "../../core/chat-tasks.ts";
import { generateTitleInBackground } from "../../core/generate-title.ts";
import { randomUUID } from "node:crypto";
import { actorOf } from "../../workspace/event-plugins.ts";

/** Aborts when the client goes away before the response is complete. */
function abortOnDisconnect(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new SluiceError("CLIENT_CLOSED_REQUEST", "The client disconnected"));
  });
  return controller;
}

/** An SSE error frame: the fields of a JSON error answer, under `error`. */
function errorFrame(error: unknown): { error: ErrorBody } {
  return { error: errorBody(toSluiceError(error, { code: "INTERNAL", message: "Internal server error" })) };
}

/** `POST /api/chat/completions` (and `/api/v1/chat/completions`): OpenAI's format, JSON or SSE. */
export function registerChatCompletionRoutes(app: FastifyInstance, services: AppServices): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const user = requireVerified(request);
    const chatRequest = parseInput(chatRequestSchema, request.body);
    const controller = abortOnDisconnect(reply);
    const chatId = chatRequest.chat_id && !chatRequest.chat_id.startsWith("local:") ? chatRequest.chat_id : null;
    const endTask = services.chatTasks.start({ userId: user.id, chatId, taskId: chatRequest.id ?? randomUUID(), controller });
    // Recorded in the database too, so an answer cut by a crash is marked interrupted (only a stored message can be).
    const endRecord =
      chatId && chatRequest.id ? await services.answersInProgress.begin({ chatId, messageId: chatRequest.id, userId: user.id }) : undefined;
    try {
      return await answer(request, reply, chatRequest, controller);
    } finally {
      endTask();
      await endRecord?.();
    }
  };

  const answer = async (request: FastifyRequest, reply: FastifyReply, chatRequest: ChatRequest, controller: AbortController) => {
    const user = requireVerified(request);
    const run = await startChatTurn(services.turn, {
      user,
      request: chatRequest,
      signal: controller.signal,
      onFinished: (turn) => {
        generateTitleInBackground(services.turn, turn);
        // finishTurn calls this for a stored chat only, once the answer is saved and the outlet ran.
        services.events.raise("message.completed", {
          subject: { type: "message", id: turn.request.id ?? "" },
          actor: actorOf(user),
          data: { chat_id: turn.request.chat_id ?? "", model: turn.model.id },
        });
      },
      requestFacts: requestFactsOf(request),
    });

    if (!chatRequest.stream) {
      const turn = new TurnAccumulator();
      for await (const chunk of run.chunks) turn.add(chunk);
      return buildCompletion(run.base, turn.content, turn.finishReason ?? "stop", turn.usage, turn.toolCalls);
    }

    reply.hijack();
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const write = (payload: StreamEvent | object | string) =>
      new Promise<void>((resolve) => {
        const line = `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;
        if (reply.raw.write(line)) resolve();
        else reply.raw.once("drain", () => resolve());
      });
    // A stop asked for through /api/tasks ends the answer like its last chunk, a server that stops
    // ends it with an error; a client that went away gets nothing more.
    const isClientGone = () => controller.signal.aborted && !isStopRequested(controller.signal) && !isInterrupted(controller.signal);
    try {
      for await (const chunk of run.chunks) {
        if (isClientGone()) break;
        await write(chunk);
      }
    } catch (error) {
      if (!isClientGone()) {
        request.log.warn({ err: error }, "chat stream ended with an error");
        await write(errorFrame(error));
      }
    }
    if (!isClientGone()) {
      await write("[DONE]");
      reply.raw.end();
    }
  };
  app.post("/api/chat/completions", handler);
  app.post("/api/v1/chat/completions", handler);
}
