// `npm run bench -- --profile`: the server runs with --cpu-prof; this turns its profile into the
// functions that took the most CPU (self time), for bench/README.md's "where the time goes".

import fs from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  percent: number;
  function: string;
}

/** Where a script lives, shortened: `packages/server/src/chat/filter-chain.ts`, `node_modules/undici/…`. */
function shortUrl(url: string): string {
  if (!url) return "";
  const repository = url.indexOf("/packages/");
  if (repository !== -1) return url.slice(repository + 1);
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) return url.slice(modules + 1);
  return url.replace(/^node:/, "node:");
}

/** The top `count` functions by self time of every .cpuprofile in `directory` (all samples pooled). */
export function summariseProfiles(directory: string, count = 30): { profiles: string[]; busyPercentOfSamples: number; top: ProfileLine[] } {
  const files = fs.existsSync(directory) ? fs.readdirSync(directory).filter((name) => name.endsWith(".cpuprofile")) : [];
  const selfTime = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(path.join(directory, file), "utf8")) as CpuProfile;
    const labels = new Map(
      profile.nodes.map((node) => {
        const { functionName, url, lineNumber } = node.callFrame;
        const where = shortUrl(url);
        return [node.id, `${functionName || "(anonymous)"}${where ? ` ${where}:${lineNumber + 1}` : ""}`];
      }),
    );
    profile.samples.forEach((nodeId, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      const label = labels.get(nodeId) ?? "?";
      total += delta;
      if (label === "(idle)") idle += delta;
      selfTime.set(label, (selfTime.get(label) ?? 0) + delta);
    });
  }
  const busy = total - idle;
  const top = [...selfTime.entries()]
    .filter(([label]) => label !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([label, time]) => ({ percent: Math.round((1000 * time) / Math.max(busy, 1)) / 10, function: label }));
  return { profiles: files, busyPercentOfSamples: Math.round((1000 * busy) / Math.max(total, 1)) / 10, top };
}
