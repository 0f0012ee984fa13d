import net from "node:net";
import { SluiceError } from "@sluice/sdk";
import { createNetworkGate, type NetworkGateOptions } from "./network-gate.ts";

export interface HostConnectOptions extends NetworkGateOptions {
  /** Time limit to connect, DNS included (`PLUGIN_FETCH_TIMEOUT_MS`). Default 30 s. */
  timeoutMs?: number;
}

/** Opens a TCP connection for a plugin, or throws why it may not (see {@link createHostConnect}). */
export type HostConnect = (host: string, port: number) => Promise<net.Socket>;

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * The host side of a plugin's raw TCP connections (the Python tier relays its sockets here, so
 * httpx, aiohttp, http.client and the openai package work unchanged): the same policy as
 * `ctx.fetch` (createNetworkGate), any port a grant names (443 and 80 for a plain host grant).
 * It connects to the address that was checked and resolves once connected; what flows over the
 * connection (TLS included) is the plugin's own.
 *
 * @example
 * const connect = createHostConnect({ pluginId: "weather", allowedHosts: ["api.weather.example"] });
 * const socket = await connect("api.weather.example", 443);
 */
export function createHostConnect(options: HostConnectOptions): HostConnect {
  const gate = createNetworkGate(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return async (host, port) => {
    const hostname = String(host).toLowerCase();
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SluiceError("INVALID_INPUT", `Not a TCP port: ${port}`);
    let url: URL;
    try {
      url = new URL(`https://${net.isIPv6(hostname) ? `[${hostname}]` : hostname}:${port}/`);
    } catch {
      throw new SluiceError("INVALID_INPUT", `Not a host name: ${hostname.slice(0, 200)}`);
    }
    const address = await gate(url, `a connection to ${hostname}:${port}`);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address.address, port, family: address.family });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SluiceError("UPSTREAM_ERROR", `A connection to ${hostname}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new SluiceError("UPSTREAM_ERROR", `A connection to ${hostname}:${port} failed: ${error.code ?? error.message}`));
      });
    });
  };
}
