import type { FunctionRecord } from "./records.ts";
import type { PluginSession, TurnLog } from "./ports.ts";

/** A pipe's models: one per manifold entry (`<id>.<entry>`), or the pipe itself. One bad entry drops that entry, not the manifold. */
export async function pipeModels(
  session: PluginSession,
  record: FunctionRecord,
  log?: TurnLog,
): Promise<Array<{ id: string; name: string; subModel?: string }>> {
  const descriptor = await session.describe("function", record);
  if (descriptor.pipes === null && !descriptor.hasDynamicPipes) return [{ id: record.id, name: record.name }];
  const entries = descriptor.hasDynamicPipes
    ? ((await session.invoke("function", record, "pipes", null)) as Array<{ id: string; name: string }>)
    : (descriptor.pipes ?? []);
  const seen = new Set<string>();
  const models: Array<{ id: string; name: string; subModel: string }> = [];
  for (const entry of entries) {
    const problem = entry.id.trim() === "" ? "an empty id" : seen.has(entry.id) ? `the id "${entry.id}" twice` : undefined;
    if (problem) {
      log?.warn({ pluginId: record.id }, `manifold entry left out: ${problem}`);
      continue;
    }
    seen.add(entry.id);
    models.push({ id: `${record.id}.${entry.id}`, name: entry.name, subModel: entry.id });
  }
  return models;
}
