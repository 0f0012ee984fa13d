import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { type BroadcastOperator, type DefaultEventsMap, Server, type Socket } from "socket.io";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { Authentication } from "../auth/authenticate-token.ts";
import { connectRedisAdapter, type RedisAdapterConnection } from "./connect-redis-adapter.ts";
import { type EventEnvelope, userRoom } from "./event-envelope.ts";

/** Where the socket.io server listens, as in Open WebUI. */
export const SOCKET_PATH = "/ws/socket.io";

/** Who a socket session belongs to. */
export interface SessionUser {
  id: string;
  name: string;
  role: string;
}

interface ClientToServerEvents {
  "user-join": (payload: unknown, acknowledge?: (answer: unknown) => void) => void;
}

interface ServerToClientEvents {
  events: (envelope: EventEnvelope, acknowledge: (answer: unknown) => void) => void;
}

interface ServerSideEvents {
  /** A socket on one instance went away: the others stop waiting for it. */
  "session-ended": (sessionId: string) => void;
  /** A question for the other instances (see {@link Realtime.askOtherInstances}); each answers. */
  "instance-question": (question: InstanceQuestion, answer: (reply: unknown) => void) => void;
}

/** What one instance asks the others: a topic a handler was registered for, and its payload. */
export interface InstanceQuestion {
  topic: string;
  payload: unknown;
}

/** How long an instance waits for the others' answers. */
const QUESTION_TIMEOUT_MS = 2000;

interface SocketData {
  user: SessionUser;
  /** The token the socket signed in with (at connect or by `user-join`), checked again by `endRevokedSessions`. */
  token: string;
}

type SessionSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;

export interface CallOptions {
  /** Only a session of this user may be asked; another user's session counts as not connected. */
  userId?: string;
  /** Stops waiting (rejecting with the signal's reason), e.g. when the request is cancelled. */
  signal?: AbortSignal;
}

/** The socket.io side of Sluice: browser sessions, fan-out to users, and calls that wait for an answer. */
export interface Realtime {
  /** Serves socket.io on this HTTP server at {@link SOCKET_PATH}. Call once, before it listens. */
  attach(server: HttpServer): void;
  /** Sends the envelope on channel `events` to every tab of the user, on every instance. */
  emitToUser(userId: string, envelope: EventEnvelope): void;
  /**
   * Sends the envelope to one session (on any instance) and resolves with its acknowledgement.
   * Rejects with a SluiceError: at once when the session is not connected (NOT_FOUND), when it
   * disconnects while the server waits (NOT_FOUND), and after `timeoutMs` (PLUGIN_TIMEOUT).
   */
  call(sessionId: string, envelope: EventEnvelope, timeoutMs: number, options?: CallOptions): Promise<unknown>;
  /** Whether the session is connected to any instance. */
  hasSession(sessionId: string): Promise<boolean>;
  /** The user of a connected session (on any instance), or undefined. */
  sessionUserId(sessionId: string): Promise<string | undefined>;
  /**
   * Runs `callback` once when the session disconnects (from any instance); returns a function
   * that unsubscribes. Check {@link hasSession} first: a session already gone never ends again.
   */
  onSessionEnd(sessionId: string, callback: () => void): () => void;
  /**
   * Asks every other instance (over Redis) and resolves with their answers; without Redis, or
   * when they do not answer in time, with what came (possibly none). Never rejects.
   */
  askOtherInstances(topic: string, payload: unknown): Promise<unknown[]>;
  /**
   * Checks the token of each of the user's sockets, on every instance, again and disconnects
   * those it no longer signs in (a password change, a revoked API key, a deleted or suspended
   * account): they stop receiving the user's events at once. Never rejects.
   */
  endRevokedSessions(userId: string): Promise<void>;
  /** Answers the other instances' questions on `topic` (one handler per topic). */
  answerOtherInstances(topic: string, handler: (payload: unknown) => unknown): void;
  /** Disconnects this instance's sockets and closes the Redis clients. The HTTP server is left to its owner. */
  close(): Promise<void>;
}

export interface RealtimeOptions {
  /** Resolves a JWT or API key to its user (see `authenticateToken`). */
  authenticate(token: string): Promise<Authentication>;
  logger: Logger;
  /** With a Redis URL, emits and calls reach sockets connected to other instances. */
  redisUrl?: string;
  redisKeyPrefix?: string;
}

const NOT_AUTHENTICATED = "Not authenticated: connect with auth: { token: <JWT or API key> }";
const userJoinSchema = z.object({ auth: z.object({ token: z.string().min(1) }) });

/**
 * Creates the socket.io server (not attached yet; see {@link Realtime.attach}). Clients
 * authenticate with `auth.token` when connecting; pending accounts are refused. Each socket joins
 * the room `user:<id>`; Open WebUI's `user-join` event `{auth: {token}}` is answered too.
 *
 * @example
 * const realtime = await createRealtime({ authenticate: (token) => authenticateToken(services, token), logger });
 * realtime.attach(app.server);
 * realtime.emitToUser(userId, { chat_id: null, message_id: null, data: { type: "notification", data: { type: "info", content: "Hi" } } });
 */
export async function createRealtime(options: RealtimeOptions): Promise<Realtime> {
  const { logger } = options;
  const redis: RedisAdapterConnection | undefined = options.redisUrl
    ? await connectRedisAdapter({ url: options.redisUrl, keyPrefix: options.redisKeyPrefix ?? "sluice", logger })
    : undefined;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>({
    path: SOCKET_PATH,
    serveClient: false,
    ...(redis && { adapter: redis.adapter }),
  });
  const endWatchers = new Map<string, Set<() => void>>();
  let isClosed = false;

  /** The user a token belongs to, or why the socket may not connect. */
  async function authorize(token: unknown): Promise<SessionUser | string> {
    if (typeof token !== "string" || token === "") return NOT_AUTHENTICATED;
    let result: Authentication;
    try {
      result = await options.authenticate(token);
    } catch (error) {
      logger.error({ err: error }, "socket authentication failed");
      return "Authentication failed; try again";
    }
    if ("failure" in result) return result.failure;
    if (result.user.role === "pending") return "Your account is waiting for an admin's approval";
    return { id: result.user.id, name: result.user.name, role: result.user.role };
  }

  function endSession(sessionId: string): void {
    const watchers = endWatchers.get(sessionId);
    endWatchers.delete(sessionId);
    for (const callback of watchers ?? []) callback();
  }

  io.use(async (socket, next) => {
    const user = await authorize((socket.handshake.auth as { token?: unknown } | undefined)?.token);
    if (typeof user === "string") return next(new Error(user));
    socket.data.user = user;
    socket.data.token = (socket.handshake.auth as { token: string }).token;
    next();
  });

  io.on("connection", (socket: SessionSocket) => {
    socket.join(userRoom(socket.data.user.id));
    logger.debug({ sessionId: socket.id, userId: socket.data.user.id }, "socket connected");

    socket.on("user-join", async (payload, acknowledge) => {
      const parsed = userJoinSchema.safeParse(payload);
      const user = parsed.success ? await authorize(parsed.data.auth.token) : NOT_AUTHENTICATED;
      if (typeof user === "string") return acknowledge?.({ error: user });
      if (user.id !== socket.data.user.id) {
        socket.leave(userRoom(socket.data.user.id));
        socket.join(userRoom(user.id));
      }
      socket.data.user = user;
      socket.data.token = parsed.data!.auth.token;
      acknowledge?.(user);
    });

    socket.on("disconnect", (reason) => {
      logger.debug({ sessionId: socket.id, reason }, "socket disconnected");
      endSession(socket.id);
      if (redis) io.serverSideEmit("session-ended", socket.id);
    });
  });

  io.on("session-ended", (sessionId) => endSession(sessionId));

  const questionHandlers = new Map<string, (payload: unknown) => unknown>();
  io.on("instance-question", (question, answer) => {
    const handler = questionHandlers.get(question?.topic);
    try {
      answer(handler ? handler(question.payload) : null);
    } catch (error) {
      logger.warn({ err: error, topic: question?.topic }, "answering another instance failed");
      answer(null);
    }
  });

  async function askOtherInstances(topic: string, payload: unknown): Promise<unknown[]> {
    if (!redis || isClosed) return [];
    // The adapter gives up on instances that do not answer within its requests timeout.
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve([]), QUESTION_TIMEOUT_MS * 2);
      try {
        io.serverSideEmit("instance-question", { topic, payload }, (error: Error | null, answers: unknown[]) => {
          clearTimeout(timer);
          if (error) logger.warn({ err: error, topic }, "the other instances did not all answer");
          resolve(Array.isArray(answers) ? answers : []);
        });
      } catch (error) {
        clearTimeout(timer);
        logger.warn({ err: error, topic }, "could not ask the other instances");
        resolve([]);
      }
    });
  }

  async function findSession(sessionId: string): Promise<SessionUser | undefined> {
    const local = io.of("/").sockets.get(sessionId);
    if (local || !redis) return local?.data.user;
    try {
      const [remote] = await io.in(sessionId).fetchSockets();
      return remote?.data.user;
    } catch (error) {
      logger.warn({ err: error, sessionId }, "could not ask the other instances for a session");
      return undefined;
    }
  }

  function onSessionEnd(sessionId: string, callback: () => void): () => void {
    let watchers = endWatchers.get(sessionId);
    if (!watchers) endWatchers.set(sessionId, (watchers = new Set()));
    watchers.add(callback);
    return () => {
      watchers.delete(callback);
      if (watchers.size === 0 && endWatchers.get(sessionId) === watchers) endWatchers.delete(sessionId);
    };
  }

  async function call(sessionId: string, envelope: EventEnvelope, timeoutMs: number, callOptions: CallOptions = {}): Promise<unknown> {
    const { signal, userId } = callOptions;
    signal?.throwIfAborted();
    const notConnected = new SluiceError("NOT_FOUND", `The browser session ${sessionId} is not connected`);
    const user = await findSession(sessionId);
    if (!user || (userId !== undefined && user.id !== userId)) throw notConnected;
    signal?.throwIfAborted();

    return new Promise((resolve, reject) => {
      let isSettled = false;
      const settle = (action: () => void) => {
        if (isSettled) return;
        isSettled = true;
        stopWatching();
        signal?.removeEventListener("abort", onAbort);
        action();
      };
      const stopWatching = onSessionEnd(sessionId, () =>
        settle(() => reject(new SluiceError("NOT_FOUND", `The browser session ${sessionId} disconnected before answering`))),
      );
      const onAbort = () => settle(() => reject(signal!.reason));
      signal?.addEventListener("abort", onAbort, { once: true });
      io.to(sessionId)
        .timeout(timeoutMs)
        .emitWithAck("events", envelope)
        .then(
          (answers: unknown[]) => settle(() => (answers.length > 0 ? resolve(answers[0]) : reject(notConnected))),
          () =>
            settle(() =>
              reject(
                new SluiceError(
                  "PLUGIN_TIMEOUT",
                  `The browser did not answer the "${envelope.data.type}" event within ${timeoutMs / 1000} s`,
                ),
              ),
            ),
        );
    });
  }

  return {
    attach(server) {
      io.attach(server);
    },
    emitToUser(userId, envelope) {
      // Typed events declare the acknowledgement `call` needs; a plain emit sends none.
      (io.to(userRoom(userId)) as unknown as BroadcastOperator<DefaultEventsMap, SocketData>).emit("events", envelope);
    },
    call,
    async hasSession(sessionId) {
      return (await findSession(sessionId)) !== undefined;
    },
    async sessionUserId(sessionId) {
      return (await findSession(sessionId))?.id;
    },
    onSessionEnd,
    askOtherInstances,
    async endRevokedSessions(userId) {
      if (isClosed) return;
      try {
        // Every instance's sockets of the user (the Redis adapter asks the others).
        const sockets = await io.in(userRoom(userId)).fetchSockets();
        for (const socket of sockets) {
          const user = await authorize(socket.data.token);
          if (typeof user !== "string" && user.id === userId) continue;
          logger.info({ sessionId: socket.id, userId, reason: user }, "socket disconnected: its token no longer signs in");
          socket.disconnect(true);
        }
      } catch (error) {
        logger.warn({ err: error, userId }, "checking the user's sockets again failed");
      }
    },
    answerOtherInstances(topic, handler) {
      questionHandlers.set(topic, handler);
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      io.local.disconnectSockets(true);
      // Set only once attached.
      (io.engine as typeof io.engine | undefined)?.close();
      await io.of("/").adapter.close();
      await redis?.close();
    },
  };
}
