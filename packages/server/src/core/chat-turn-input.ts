import type { RequestFacts } from "@sluice/sdk";
import type { ChatRequest } from "./chat-request.ts";
import type { FinishedTurn } from "./finish-turn.ts";
import type { TurnUser } from "./ports.ts";

/** What starts a chat turn (see `startChatTurn`). */
export interface ChatTurnInput {
  user: TurnUser;
  request: ChatRequest;
  /** Aborted when the client goes away: stops the upstream request, the pipe and the tool loop. */
  signal: AbortSignal;
  /** A background task (`title_generation`, …), passed to plugins as `ctx.metadata.task`. */
  task?: string;
  /** Called when a turn of a stored chat ended well (title generation listens here). */
  onFinished?: (turn: FinishedTurn) => void;
  /** The HTTP request that started the turn, as plugins see it (`ctx.request`). */
  requestFacts?: RequestFacts;
}
