import { SluiceError } from "@sluice/sdk";
import { z } from "zod";
import type { RequestTools } from "../core/ports.ts";
import { defineMethod, type PluginApiMethods, type PluginApiScope } from "./plugin-api.ts";

/** The request's tools, or why this call has none. */
function toolsOf(scope: PluginApiScope): RequestTools {
  if (scope.namespace === "tool") {
    // A tool calling tools could call itself without end; the model (or a pipe) decides which tools run.
    throw new SluiceError("INVALID_INPUT", "ctx.tools is for pipes and filters: a tool cannot call other tools");
  }
  if (!scope.tools) {
    throw new SluiceError(
      "INVALID_INPUT",
      "ctx.tools: this call has no request tools. They are known once the inlet filters ran: pipes and the stream, request and outlet hooks have them; inlet hooks, actions and calls outside a chat request do not",
    );
  }
  return scope.tools;
}

/**
 * `ctx.tools` on the service channel: `tools.list` answers the request's tools (its `tool_ids`
 * and the model's, as the model would see them) and `tools.call(name, args)` runs one in its own
 * sandbox, its events going to the request's message, and answers its result. The tool checks
 * the arguments against its parameters schema (INVALID_INPUT); an unknown name is NOT_FOUND.
 *
 * @example
 * const api = new PluginApi({ ...toolMethods() });
 */
export function toolMethods(): PluginApiMethods {
  return {
    "tools.list": defineMethod(z.tuple([]), async (scope) => toolsOf(scope).list()),
    "tools.call": defineMethod(z.tuple([z.string().min(1), z.record(z.string(), z.unknown()).nullish()]), async (scope, [name, args]) =>
      toolsOf(scope).call(name, args ?? {}),
    ),
  };
}
