/** Plugins the browser tests and the screenshots install, written as plugin authors would. */

/** A toggleable filter that reports its progress with status events and cites its source. */
export const checkerFilter = `/**
 * title: Fact Checker
 * author: sluice
 * version: 1.0.0
 * description: Checks questions against the handbook and cites it.
 */
import { defineFilter, z } from "@sluice/sdk";
export default defineFilter({
  toggle: true,
  userValves: z.object({ strict: z.boolean().default(false).describe("Refuse questions the handbook does not cover") }),
  async inlet(body, ctx) {
    await ctx.emit({ type: "status", data: { description: "Checking the handbook", done: false } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ctx.emit({ type: "status", data: { description: "Checked the handbook", done: true } });
    return body;
  },
  async outlet(body, ctx) {
    await ctx.emit({ type: "citation", data: { source: { name: "Team handbook", url: "https://handbook.example.com/chat" }, document: ["Answers should be short and kind."], metadata: [{ source: "https://handbook.example.com/chat" }] } });
    return body;
  },
});
`;

/** An action that asks for a confirmation, then rewrites the answer in capitals. */
export const shoutAction = `/**
 * title: Shout
 * description: Rewrites the answer in capitals, after asking.
 */
import { defineAction } from "@sluice/sdk";
export default defineAction({
  actions: [{ id: "shout", name: "Shout", icon_url: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PHBhdGggZD0iTTIgNmg0bDQtNHYxMmwtNC00SDJ6IiBmaWxsPSIjMjQ1N2M1Ii8+PC9zdmc+" }],
  async action(body, ctx) {
    const isSure = await ctx.call({ type: "confirmation", data: { title: "Shout this answer?", message: "The answer will be rewritten in **capitals**." } });
    if (!isSure) {
      await ctx.emit({ type: "notification", data: { type: "info", content: "Not shouting" } });
      return;
    }
    const message = body.messages.find((candidate) => candidate.id === body.id) ?? body.messages.at(-1);
    await ctx.emit({ type: "notification", data: { type: "success", content: "Shouted" } });
    return { content: String(message.content).toUpperCase() };
  },
});
`;

/** A pipe that asks the user for a name, then streams a greeting; "explode" makes it fail. */
export const greeterPipe = `/**
 * title: Greeter
 * description: Asks your name and greets you.
 */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe(body, ctx) {
    const text = String(body.messages.at(-1).content);
    if (text.includes("explode")) throw new Error("The greeter broke down");
    const name = await ctx.call({ type: "input", data: { title: "Your name", message: "Who should I greet?", placeholder: "Ada" } });
    yield "Hello, ";
    yield String(name ?? "stranger");
    yield "! Here is some code:\\n\\n\`\`\`ts\\nconst greeting = \\"hi\\";\\n\`\`\`\\n";
  },
});
`;

/** A pipe that looks things up (slowly, with status lines and citations) and answers in rich Markdown. */
export const handbookPipe = `/**
 * title: Handbook Assistant
 * description: Answers from the team handbook, citing it.
 */
import { definePipe, z } from "@sluice/sdk";
export default definePipe({
  valves: z.object({ delayMs: z.number().int().min(0).default(1200) }),
  async *pipe(body, ctx) {
    const wait = () => new Promise((resolve) => setTimeout(resolve, ctx.valves.delayMs));
    await ctx.emit({ type: "status", data: { description: "Searching the handbook", done: false } });
    await wait();
    await ctx.emit({ type: "status", data: { description: "Reading 2 sections", done: false } });
    await wait();
    await ctx.emit({ type: "citation", data: { source: { name: "Handbook: Deploys", url: "https://handbook.example.com/deploys" }, document: ["Deploys run from main after review."], metadata: [{ source: "https://handbook.example.com/deploys" }] } });
    await ctx.emit({ type: "citation", data: { source: { name: "Handbook: On-call", url: "https://handbook.example.com/on-call" }, document: ["The on-call engineer approves Friday deploys."], metadata: [{ source: "https://handbook.example.com/on-call" }] } });
    await ctx.emit({ type: "status", data: { description: "Found 2 sections", done: true } });
    const answer = [
      "Deploys go out from **main** once a change is reviewed. On Fridays, ask the on-call engineer first.\\n\\n",
      "1. Merge the reviewed pull request\\n2. Tag the release\\n3. Watch the dashboard for ten minutes\\n\\n",
      "| Day | Who approves |\\n|---|---|\\n| Mon–Thu | Any reviewer |\\n| Fri | On-call |\\n\\n",
      "\`\`\`sh\\ngit tag v1.4.0 && git push --tags\\n\`\`\`\\n",
    ];
    for (const piece of answer) yield piece;
  },
});
`;

/**
 * A pipe that narrates with a \`message\` event, yields its answer, shows an embed whose script
 * reports what it can reach, and suggests follow-ups. Asked a follow-up, it answers it.
 */
export const showcasePipe = `/**
 * title: Showcase
 */
import { definePipe } from "@sluice/sdk";
const EMBED = \`<div id="probe" style="height: 320px; font: 16px sans-serif">probing</div>
<script>
  const found = [];
  try { found.push("parent " + (window.parent.document ? "open" : "none")); } catch (error) { found.push("parent blocked"); }
  try { found.push("storage " + localStorage.getItem("token")); } catch (error) { found.push("storage blocked"); }
  document.getElementById("probe").textContent = "Embed ran: " + found.join(", ");
  fetch("/api/v1/chats/").then((response) => response.status, () => "blocked").then((answer) => {
    document.getElementById("probe").textContent += ", api " + answer;
  });
</script>\`;
export default definePipe({
  async *pipe(body, ctx) {
    const text = String(body.messages.at(-1).content);
    if (text.startsWith("Why")) {
      yield "Because it is the answer.";
      return;
    }
    await ctx.emit({ type: "message", data: { content: "Looking it up… " } });
    yield "Found 42.";
    await ctx.emit({ type: "embeds", data: { embeds: [EMBED] } });
    await ctx.emit({ type: "chat:message:follow_ups", data: { follow_ups: ["Why 42?", "Show the index"] } });
  },
});
`;
