import { useEffect, useState } from "react";
import { api } from "./api-client.ts";
import type { ServerConfig } from "./types.ts";

/** `GET /api/config`, fetched once per mount; null while loading or when it failed. */
export function useServerConfig(): { config: ServerConfig | null; error: unknown } {
  const [state, setState] = useState<{ config: ServerConfig | null; error: unknown }>({ config: null, error: null });
  useEffect(() => {
    let isCurrent = true;
    api.get<ServerConfig>("/api/config").then(
      (config) => isCurrent && setState({ config, error: null }),
      (error: unknown) => isCurrent && setState({ config: null, error }),
    );
    return () => {
      isCurrent = false;
    };
  }, []);
  return state;
}
