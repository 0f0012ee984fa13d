import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SluiceError, toSluiceError, type StreamEvent } from "@sluice/sdk";
import { errorBody, httpStatusOf, type ErrorBody } from "../error-status.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requestFactsOf } from "../request-facts.ts";
import { requireVerified } from "../request-user.ts";
import { buildCompletion, TurnAccumulator } from "../../core/completion-chunks.ts";
import { chatRequestSchema, type ChatRequest } from "../../core/chat-request.ts";
import { startChatTurn } from "../../core/start-chat-turn.ts";
import type { RefusalReason } from "../../core/chat-admission.ts";
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

/** What a chat request refused a slot is told; the web UI shows it as the answer's error. */
function refusalMessage(reason: RefusalReason, retryAfterSeconds: number, queueTimeoutSeconds: number): string {
  const retry = `try again in ${retryAfterSeconds} s`;
  if (reason === "stopping") return `The server is restarting; ${retry}`;
  if (reason === "timed-out") return `The server is busy: no chat could start here within ${queueTimeoutSeconds} s; ${retry}`;
  return `The server is busy: too many chats are running and waiting; ${retry}`;
}

/** `POST /api/chat/completions` (and `/api/v1/chat/completions`): OpenAI's format, JSON or SSE. */
export function registerChatCompletionRoutes(app: FastifyInstance, services: AppServices): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const user = requireVerified(request);
    const chatRequest = parseInput(chatRequestSchema, request.body);
    const controller = abortOnDisconnect(reply);
    const release = await admit(request, reply, chatRequest, controller.signal);
    if (!release) return reply;
    try {
      const chatId = chatRequest.chat_id && !chatRequest.chat_id.startsWith("local:") ? chatRequest.chat_id : null;
      const endTask = services.chatTasks.start({ userId: user.id, chatId, taskId: chatRequest.id ?? randomUUID(), controller });
      // Recorded in the database too, so an answer cut by a crash is marked interrupted (only a stored message can be).
      const endRecord =
        chatId && chatRequest.id
          ? await services.answersInProgress.begin({ chatId, messageId: chatRequest.id, userId: user.id })
          : undefined;
      try {
        return await answer(request, reply, chatRequest, controller);
      } finally {
        endTask();
        await endRecord?.();
      }
    } finally {
      release();
    }
  };

  /**
   * Waits for a slot of this process (`ChatAdmission`): the function that gives it back, or
   * undefined when the request was refused one and answered 503 with `Retry-After`. A client
   * that left while it waited gets nothing (the error is for the logs).
   */
  const admit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    chatRequest: ChatRequest,
    signal: AbortSignal,
  ): Promise<(() => void) | undefined> => {
    const admission = services.chatAdmission;
    const slot = await admission.admit(signal, () =>
      request.log.info(
        { messageId: chatRequest.id, running: admission.running, waiting: admission.waiting },
        "chat request waits for a slot",
      ),
    );
    if (slot.isAdmitted) return slot.release;
    if (slot.reason === "cancelled") {
      request.log.info({ messageId: chatRequest.id }, "chat request left the queue: its client went away");
      throw new SluiceError("CLIENT_CLOSED_REQUEST", "The client went away while its chat waited for a slot");
    }
    // Answered here rather than thrown: the error handler would log each refusal as a server error.
    request.log.warn({ reason: slot.reason, running: admission.running, waiting: admission.waiting }, "chat request refused a slot");
    const refusal = new SluiceError(
      "UNAVAILABLE",
      refusalMessage(slot.reason, slot.retryAfterSeconds, services.config.chatQueueTimeoutSeconds),
    );
    reply.status(httpStatusOf(refusal)).header("retry-after", String(slot.retryAfterSeconds)).send(errorBody(refusal));
    return undefined;
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
    // Chunks ready within one turn of the event loop (several in one upstream read) leave in one write.
    let isCorked = false;
    const uncork = () => {
      isCorked = false;
      reply.raw.uncork();
    };
    // Undefined once written, or a promise of the client's "drain" when its buffer is full.
    const write = (payload: StreamEvent | object | string): Promise<void> | undefined => {
      const line = `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;
      if (!isCorked) {
        isCorked = true;
        reply.raw.cork();
        setImmediate(uncork);
      }
      if (reply.raw.write(line)) return undefined;
      return new Promise<void>((resolve) => reply.raw.once("drain", () => resolve()));
    };
    // A stop asked for through /api/tasks ends the answer like its last chunk, a server that stops
    // ends it with an error; a client that went away gets nothing more.
    const isClientGone = () => controller.signal.aborted && !isStopRequested(controller.signal) && !isInterrupted(controller.signal);
    try {
      for await (const chunk of run.chunks) {
        if (isClientGone()) break;
        const draining = write(chunk);
        if (draining) await draining;
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
