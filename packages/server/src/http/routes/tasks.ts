import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { findChat } from "../../db/chats-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireVerified } from "../request-user.ts";

const chatParams = z.object({ chat_id: z.string().min(1) });
const taskParams = z.object({ task_id: z.string().min(1) });
const LIST_TOPIC = "chat-tasks:list";
const STOP_TOPIC = "chat-tasks:stop";

/**
 * Open WebUI's task endpoints for answers in progress: `GET /api/tasks/chat/{chat_id}` lists the
 * task ids (the answers' message ids) of a chat still answering, `POST /api/tasks/stop/{task_id}`
 * stops one. Each user sees and stops only their own.
 */
export function registerTaskRoutes(app: FastifyInstance, services: AppServices): void {
  // Another instance may be generating the answer: ask them too (with Redis).
  const { realtime, chatTasks } = services;
  realtime.answerOtherInstances(LIST_TOPIC, (payload) => {
    const { userId, chatId } = payload as { userId: string; chatId: string };
    return chatTasks.forChat(userId, chatId);
  });
  realtime.answerOtherInstances(STOP_TOPIC, (payload) => {
    const { userId, taskId } = payload as { userId: string; taskId: string };
    return chatTasks.stop(userId, taskId);
  });

  app.get("/api/tasks/chat/:chat_id", async (request) => {
    const user = requireVerified(request);
    const { chat_id: chatId } = parseInput(chatParams, request.params);
    if (!(await findChat(services.db, user.id, chatId))) throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
    const remote = await realtime.askOtherInstances(LIST_TOPIC, { userId: user.id, chatId });
    const ids = [
      ...chatTasks.forChat(user.id, chatId),
      ...remote.flatMap((answer) => (Array.isArray(answer) ? answer.filter((id) => typeof id === "string") : [])),
    ];
    return { task_ids: [...new Set(ids)] };
  });

  app.post("/api/tasks/stop/:task_id", async (request) => {
    const user = requireVerified(request);
    const { task_id: taskId } = parseInput(taskParams, request.params);
    const isStoppedHere = chatTasks.stop(user.id, taskId);
    const isStoppedElsewhere = (await realtime.askOtherInstances(STOP_TOPIC, { userId: user.id, taskId })).includes(true);
    if (!isStoppedHere && !isStoppedElsewhere) throw new SluiceError("NOT_FOUND", `No answer in progress with task id ${taskId}`);
    return { status: true, message: `Stopped ${taskId}` };
  });
}
