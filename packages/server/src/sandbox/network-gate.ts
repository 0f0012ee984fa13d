import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { SluiceError } from "@sluice/sdk";
import { DEFAULT_GRANTED_PORTS, isPublicAddress, patternAllows } from "./network-policy.ts";

/** What decides where one plugin may connect: its granted hosts and the address rules. */
export interface NetworkGateOptions {
  pluginId: string;
  /** Host patterns the plugin was granted (`api.example.com`, `*.example.org`, `api.example.com:8443`; see `patternAllows`). */
  allowedHosts: readonly string[];
  /** Host patterns it asked for that an admin has not approved yet, to say so when refusing. */
  pendingHosts?: readonly string[];
  /** Let plugins reach loopback, private and link-local addresses (`PLUGIN_ALLOW_PRIVATE_NETWORK`). */
  allowPrivateNetwork?: boolean;
  /** Resolves a host name to its addresses; default the system resolver. For tests. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
  /** Which addresses may be reached; default public ones only (all with `allowPrivateNetwork`). For tests. */
  isAddressAllowed?: (address: string) => boolean;
}

export interface CheckedAddress {
  address: string;
  family: number;
}

/**
 * Checks a target against a plugin's network policy and resolves it: throws PERMISSION_DENIED
 * naming the host when no granted pattern covers it (or its grant awaits approval) or when it
 * resolves to an address that is not public; otherwise returns the address to connect to (the
 * caller connects to that very address, so DNS cannot change the answer in between). `label`
 * starts the messages that are not refusals (`ctx.fetch`, `a connection`).
 */
export type NetworkGate = (url: URL, label: string) => Promise<CheckedAddress>;

/**
 * The one network policy of a plugin, shared by `ctx.fetch` (create-host-fetch.ts) and the
 * Python tier's relayed sockets (python-tier/socket-relay.ts). `url` carries the host and port
 * (`https://host:port/` for a raw connection: the scheme only gives the default port).
 */
export function createNetworkGate(options: NetworkGateOptions): NetworkGate {
  const resolve = options.resolve ?? ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true }));
  const isAddressAllowed = options.isAddressAllowed ?? (options.allowPrivateNetwork ? () => true : isPublicAddress);
  const deny = (message: string) => new SluiceError("PERMISSION_DENIED", `Plugin "${options.pluginId}" ${message}`);

  return async (url, label) => {
    const hostname = url.hostname.replace(/\.$/, "");
    if (!options.allowedHosts.some((pattern) => patternAllows(pattern, url))) {
      // Named with its port when that is not one a plain host grant covers, so the refusal says what to ask for.
      const wanted = url.port === "" || DEFAULT_GRANTED_PORTS.includes(Number(url.port)) ? hostname : `${hostname}:${url.port}`;
      if (options.pendingHosts?.some((pattern) => patternAllows(pattern, url))) {
        throw deny(`may not reach ${wanted} yet: an admin has not approved its network:${wanted} permission`);
      }
      const allowed = options.allowedHosts.length
        ? `its permissions allow ${options.allowedHosts.join(", ")}`
        : "it has no network permission";
      throw deny(`may not reach ${wanted}: ${allowed}`);
    }
    const literal = hostname.replace(/^\[(.*)\]$/, "$1");
    let addresses: CheckedAddress[];
    if (isIP(literal)) {
      addresses = [{ address: literal, family: isIP(literal) }];
    } else {
      try {
        addresses = await resolve(hostname);
      } catch (error) {
        throw new SluiceError(
          "UPSTREAM_ERROR",
          `${label}: could not resolve ${hostname} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      if (addresses.length === 0) throw new SluiceError("UPSTREAM_ERROR", `${label}: ${hostname} has no addresses`);
    }
    const refused = addresses.find(({ address }) => !isAddressAllowed(address));
    if (refused) {
      throw deny(
        `may not reach ${hostname}: it resolves to ${refused.address}, a loopback, private, link-local or reserved address ` +
          "(an admin can allow those with PLUGIN_ALLOW_PRIVATE_NETWORK=true)",
      );
    }
    return addresses[0]!;
  };
}
