import type net from "node:net";
import type { Logger } from "pino";
import type { HostConnect } from "../host-connect.ts";
import { messageOf } from "../host/plugin-errors.ts";

/** What the Python runtime's sluice_sockets.py sends about one relayed connection. */
export interface RelayRequest {
  t: "net";
  op: "open" | "data" | "end" | "close" | "ack";
  conn: number;
  host?: string;
  port?: number;
  /** base64, for `data`. */
  data?: string;
  /** For `ack`: bytes the runtime has handed to the plugin's socket. */
  bytes?: number;
}

/** What the host sends back. */
export type RelayReply =
  | { t: "net-opened"; conn: number; error?: string }
  | { t: "net-data"; conn: number; data: string }
  /** A `data` message's bytes are written: the runtime sends the next. */
  | { t: "net-written"; conn: number }
  | { t: "net-end"; conn: number; error?: string };

export interface SocketRelayOptions {
  pluginId: string;
  /** The plugin's permission-checked connect; none: every connection is refused. */
  connect?: HostConnect;
  /** Most connections open at once (`PLUGIN_MAX_CONNECTIONS`-like; 64). */
  maxConnections?: number;
  /** A connection with no traffic either way this long is closed (`PLUGIN_FETCH_IDLE_TIMEOUT_MS`). */
  idleTimeoutMs?: number;
  send(reply: RelayReply): void;
  logger: Logger;
}

const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Bytes sent to the runtime but not yet handed to the plugin, above which the connection stops reading. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

interface Relayed {
  socket?: net.Socket;
  unacknowledged: number;
  isPaused: boolean;
  isClosed: boolean;
}

/**
 * The host end of a Python process's sockets (sluice_sockets.py): each connection the plugin
 * opens is opened here through the plugin's network policy ({@link HostConnect}) and its bytes
 * cross the process's message channel as base64, with flow control both ways (the runtime sends
 * the next chunk once one is written; the host stops reading past {@link HIGH_WATER} bytes the
 * plugin has not taken). Connections belong to the process, not to a call, so a client's
 * connection pool works across calls; all close when the process ends ({@link closeAll}).
 */
export class SocketRelay {
  readonly #options: SocketRelayOptions;
  readonly #connections = new Map<number, Relayed>();

  constructor(options: SocketRelayOptions) {
    this.#options = options;
  }

  get openCount(): number {
    return this.#connections.size;
  }

  handle(request: RelayRequest): void {
    const conn = Number(request.conn);
    if (!Number.isInteger(conn)) return;
    if (request.op === "open") {
      void this.#open(conn, String(request.host ?? ""), Number(request.port));
      return;
    }
    const relayed = this.#connections.get(conn);
    if (!relayed) return;
    switch (request.op) {
      case "data": {
        const bytes = Buffer.from(String(request.data ?? ""), "base64");
        if (!relayed.socket || relayed.socket.destroyed) return this.#options.send({ t: "net-written", conn });
        relayed.socket.write(bytes, () => this.#options.send({ t: "net-written", conn }));
        return;
      }
      case "end":
        relayed.socket?.end();
        return;
      case "close":
        this.#close(conn, relayed);
        return;
      case "ack":
        relayed.unacknowledged = Math.max(0, relayed.unacknowledged - Number(request.bytes ?? 0));
        if (relayed.isPaused && relayed.unacknowledged < LOW_WATER) {
          relayed.isPaused = false;
          relayed.socket?.resume();
        }
        return;
    }
  }

  /** The process ended: every connection closes. */
  closeAll(): void {
    for (const [conn, relayed] of this.#connections) this.#close(conn, relayed);
  }

  async #open(conn: number, host: string, port: number): Promise<void> {
    const { send, connect, pluginId, logger } = this.#options;
    if (this.#connections.has(conn)) return send({ t: "net-opened", conn, error: `connection ${conn} is already open` });
    const maxConnections = this.#options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.#connections.size >= maxConnections) {
      return send({ t: "net-opened", conn, error: `Plugin "${pluginId}" has ${maxConnections} connections open, the most it may` });
    }
    if (!connect) return send({ t: "net-opened", conn, error: `Plugin "${pluginId}" has no network permission` });
    const relayed: Relayed = { unacknowledged: 0, isPaused: false, isClosed: false };
    this.#connections.set(conn, relayed);
    let socket: net.Socket;
    try {
      socket = await connect(host, port);
    } catch (error) {
      this.#connections.delete(conn);
      logger.info({ pluginId, host, port }, `a plugin's connection was refused: ${messageOf(error)}`);
      return send({ t: "net-opened", conn, error: messageOf(error) });
    }
    if (relayed.isClosed) {
      socket.destroy();
      return;
    }
    relayed.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () =>
      socket.destroy(new Error(`no traffic for ${this.#options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS} ms`)),
    );
    socket.on("data", (chunk: Buffer) => {
      relayed.unacknowledged += chunk.length;
      send({ t: "net-data", conn, data: chunk.toString("base64") });
      if (relayed.unacknowledged > HIGH_WATER && !relayed.isPaused) {
        relayed.isPaused = true;
        socket.pause();
      }
    });
    // One net-end per connection: the peer's clean end, or the close (with its error) without one.
    let endError: string | undefined;
    let hasSentEnd = false;
    const sendEnd = () => {
      if (hasSentEnd) return;
      hasSentEnd = true;
      send({ t: "net-end", conn, ...(endError !== undefined && { error: endError }) });
    };
    socket.on("error", (error: NodeJS.ErrnoException) => (endError = error.code ?? error.message));
    socket.on("end", sendEnd);
    socket.on("close", () => {
      if (!relayed.isClosed) {
        relayed.isClosed = true;
        this.#connections.delete(conn);
      }
      sendEnd();
    });
    send({ t: "net-opened", conn });
  }

  #close(conn: number, relayed: Relayed): void {
    relayed.isClosed = true;
    this.#connections.delete(conn);
    relayed.socket?.destroy();
  }
}
