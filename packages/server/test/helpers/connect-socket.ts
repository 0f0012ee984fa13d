import { io, type Socket } from "socket.io-client";

/** An envelope as a browser receives it on channel `events`. */
export interface ReceivedEnvelope {
  chat_id: string | null;
  message_id: string | null;
  data: { type: string; data?: unknown };
}

/** A connected test socket and every envelope it received on `events`. */
export interface TestSocket {
  socket: Socket;
  received: ReceivedEnvelope[];
  /** Resolves with the next envelope received (or one already received that matches). */
  next(predicate?: (envelope: ReceivedEnvelope) => boolean, timeoutMs?: number): Promise<ReceivedEnvelope>;
  close(): void;
}

function options(auth: Record<string, unknown> | undefined) {
  return { path: "/ws/socket.io", transports: ["websocket"], auth, reconnection: false, forceNew: true, timeout: 5000 };
}

/**
 * Opens a socket.io connection as Open WebUI's browser does (`auth: {token}`) and resolves once it
 * is connected; rejects with the server's reason when it is refused.
 *
 * @example
 * const tab = await connectSocket(server.url, alice.token);
 * const envelope = await tab.next((envelope) => envelope.data.type === "status");
 */
export async function connectSocket(url: string, token?: string): Promise<TestSocket> {
  const socket = io(url, options(token === undefined ? undefined : { token }));
  const received: ReceivedEnvelope[] = [];
  const waiters = new Set<(envelope: ReceivedEnvelope) => void>();
  socket.on("events", (envelope: ReceivedEnvelope) => {
    received.push(envelope);
    for (const waiter of [...waiters]) waiter(envelope);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
  return {
    socket,
    received,
    next(predicate = () => true, timeoutMs = 5000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No matching event within ${timeoutMs} ms; received ${JSON.stringify(received)}`));
        }, timeoutMs);
        const waiter = (envelope: ReceivedEnvelope) => {
          if (!predicate(envelope)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(envelope);
        };
        waiters.add(waiter);
      });
    },
    close: () => socket.close(),
  };
}

/** The message of the error a refused connection gets (`connect_error`). */
export async function refusedConnection(url: string, auth?: Record<string, unknown>): Promise<string> {
  const socket = io(url, options(auth));
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once("connect", () => reject(new Error("The connection was accepted")));
      socket.once("connect_error", (error) => resolve(error.message));
    });
  } finally {
    socket.close();
  }
}
