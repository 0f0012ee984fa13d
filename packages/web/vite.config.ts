import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { sdkTypesPlugin } from "./scripts/sdk-types-plugin.ts";

const root = fileURLToPath(new URL(".", import.meta.url));
/** Where `npm run dev` forwards API and socket calls: a Sluice server started with `npm start`. */
const serverUrl = process.env.SLUICE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  root,
  plugins: [react(), sdkTypesPlugin()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
  },
  server: {
    proxy: {
      "/api": serverUrl,
      "/health": serverUrl,
      "/ws": { target: serverUrl, ws: true },
    },
  },
});
