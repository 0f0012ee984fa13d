import type { RequestFacts, SluiceError } from "@sluice/sdk";
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
  /** How deep the turn is nested in plugins' model calls (see `completeChat`); 0 when absent. */
  depth?: number;
  /** Skip the model's filters (`ctx.models.complete` with `filters: false`, Open WebUI's `bypass_filter`). */
  bypassFilters?: boolean;
  /** The error for a model the user may not use (default NOT_FOUND, so a hidden model looks missing). */
  unavailableModel?: (id: string) => SluiceError;
}
