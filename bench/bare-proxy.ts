// The least an OpenAI-compatible gateway in Node does, as a process of its own: it takes a chat
// request, parses it, sends it on to the upstream (node:http, keep-alive) and passes each event
// of the answer back, parsed and serialised again. No auth, no database, no plugins. Its added
// time to first token is the floor any Node server in front of the upstream pays on this machine
// (the second loopback hop and the two processes' wake-ups). Prints its port, then serves.
// `BARE_PROXY_PROCESSES=2` serves from two processes on one port (node:cluster), as Sluice's
// supervisor does on this 2-core machine: the 500-chat run measures what it uses per chunk.

import cluster from "node:cluster";
import http from "node:http";

const processes = Math.max(Number(process.env.BARE_PROXY_PROCESSES ?? 1) || 1, 1);
if (processes > 1 && cluster.isPrimary) {
  let isAnnounced = false;
  // Port 0 in every worker: the workers share one port, which the first to listen announces.
  cluster.on("listening", (_worker, address) => {
    if (isAnnounced) return;
    isAnnounced = true;
    process.stdout.write(`${address.port}\n`);
  });
  for (let index = 0; index < processes; index += 1) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
} else {
  serve();
}

function serve(): void {
  const upstream = process.env.BARE_PROXY_UPSTREAM;
  if (!upstream) throw new Error("BARE_PROXY_UPSTREAM is not set");
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

  const server = http.createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (piece: string) => (text += piece));
    request.on("end", () => {
      const body = JSON.stringify({ ...JSON.parse(text), stream: true });
      const onward = http.request(
        `${upstream}/chat/completions`,
        { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
          let buffered = "";
          answer.setEncoding("utf8");
          answer.on("data", (piece: string) => {
            buffered += piece;
            let end: number;
            while ((end = buffered.indexOf("\n\n")) !== -1) {
              const data = buffered.slice(0, end).replace(/^data: ?/, "");
              buffered = buffered.slice(end + 2);
              response.write(`data: ${data === "[DONE]" ? data : JSON.stringify(JSON.parse(data))}\n\n`);
            }
          });
          answer.on("end", () => response.end());
        },
      );
      onward.on("error", (error) => response.destroy(error));
      onward.end(body);
    });
  });

  server.listen(0, "127.0.0.1", () => {
    if (cluster.isPrimary) process.stdout.write(`${(server.address() as { port: number }).port}\n`);
  });
}
