import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { findChat } from "../../db/chats-repository.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireVerified } from "../request-user.ts";

const chatParams = z.object({ chat_id: z.string().min(1) });
const taskParams = z.object({ task_id: z.string().min(1) });

/**
 * Open WebUI's task endpoints for answers in progress: `GET /api/tasks/chat/{chat_id}` lists the
 * task ids (the answers' message ids) of a chat still answering, `POST /api/tasks/stop/{task_id}`
 * stops one. Each user sees and stops only their own.
 */
export function registerTaskRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/api/tasks/chat/:chat_id", async (request) => {
    const user = requireVerified(request);
    const { chat_id: chatId } = parseInput(chatParams, request.params);
    if (!(await findChat(services.db, user.id, chatId))) throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
    return { task_ids: services.chatTasks.forChat(user.id, chatId) };
  });

  app.post("/api/tasks/stop/:task_id", async (request) => {
    const user = requireVerified(request);
    const { task_id: taskId } = parseInput(taskParams, request.params);
    if (!services.chatTasks.stop(user.id, taskId)) throw new SluiceError("NOT_FOUND", `No answer in progress with task id ${taskId}`);
    return { status: true, message: `Stopped ${taskId}` };
  });
}
