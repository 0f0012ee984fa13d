import { useEffect, useId, useState } from "react";
import { Spinner } from "../ui/spinner.tsx";

/** How long the code must stay unchanged before drawing: a streaming diagram is drawn once it stops growing. */
const SETTLE_MS = 300;

type MermaidApi = typeof import("mermaid").default;
let loading: Promise<MermaidApi> | null = null;

/** Mermaid is large: it loads on the first diagram, never with the chat page. */
function loadMermaid(): Promise<MermaidApi> {
  loading ??= import("mermaid").then(({ default: mermaid }) => {
    const isDark = document.documentElement.dataset.resolvedTheme === "dark";
    // `strict`: no click handlers or HTML labels from a model's diagram.
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: isDark ? "dark" : "default" });
    return mermaid;
  });
  return loading;
}

type DiagramState = { state: "drawing" } | { state: "drawn"; svg: string } | { state: "failed"; message: string };

/**
 * A ```mermaid code block drawn as an SVG diagram (Mermaid loaded on demand, in its strict
 * security level); while it loads, or when the code does not parse, the code shows instead.
 */
export function MermaidDiagram({ code }: { code: string }) {
  const id = `mermaid-${useId().replace(/[^\w-]/g, "")}`;
  const [diagram, setDiagram] = useState<DiagramState>({ state: "drawing" });

  useEffect(() => {
    let isCurrent = true;
    const timer = setTimeout(() => {
      loadMermaid()
        .then((mermaid) => mermaid.render(id, code))
        .then(
          ({ svg }) => isCurrent && setDiagram({ state: "drawn", svg }),
          (error: unknown) => {
            // Mermaid leaves its error drawing in the page.
            document.getElementById(`d${id}`)?.remove();
            if (isCurrent) setDiagram({ state: "failed", message: error instanceof Error ? error.message : String(error) });
          },
        );
    }, SETTLE_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [code, id]);

  if (diagram.state === "drawn") {
    // Mermaid's output, sanitised by its strict security level (DOMPurify).
    return <div className="mermaid-diagram" role="img" aria-label="Diagram" dangerouslySetInnerHTML={{ __html: diagram.svg }} />;
  }
  return (
    <div className="mermaid-diagram is-pending">
      {diagram.state === "drawing" ? (
        <Spinner label="Drawing the diagram" />
      ) : (
        <p className="muted">The diagram could not be drawn: {diagram.message.split("\n")[0]}</p>
      )}
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
