import net from "node:net";

// As net's own argument normalizing: a string that is not a number from 0 up is a socket path.
function isPathArgument(value: unknown): boolean {
  if (typeof value === "string") return !(Number(value) >= 0);
  if (Array.isArray(value)) return isPathArgument(value[0]);
  return typeof value === "object" && value !== null && (value as { path?: unknown }).path !== undefined;
}

function refusal(what: string): Error {
  const error = new Error(
    `${what} a Unix socket is not available to trusted-tier plugins (Node's permission model does not check socket paths)`,
  ) as NodeJS.ErrnoException;
  error.code = "ERR_ACCESS_DENIED";
  return error;
}

/**
 * Refuses Unix domain sockets in this process: connecting (`net.connect({ path })`,
 * `http.request({ socketPath })`, `tls.connect({ path })`, undici's `socketPath`: all go through
 * `net.Socket#connect`) and listening on a path (`net.Server#listen`), which would otherwise
 * reach a local database's socket or create files outside the plugin's folder. TCP is untouched.
 * Call it before the plugin's code loads.
 */
export function refuseUnixSockets(): void {
  const connect = net.Socket.prototype.connect;
  const listen = net.Server.prototype.listen;
  Object.defineProperty(net.Socket.prototype, "connect", {
    value: function (this: net.Socket, ...args: unknown[]) {
      if (isPathArgument(args[0])) throw refusal("Connecting to");
      return (connect as (...all: unknown[]) => net.Socket).apply(this, args);
    },
    writable: false,
    configurable: false,
  });
  Object.defineProperty(net.Server.prototype, "listen", {
    value: function (this: net.Server, ...args: unknown[]) {
      if (isPathArgument(args[0])) throw refusal("Listening on");
      return (listen as (...all: unknown[]) => net.Server).apply(this, args);
    },
    writable: false,
    configurable: false,
  });
}
