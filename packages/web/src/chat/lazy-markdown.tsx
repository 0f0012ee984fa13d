import { lazy, Suspense } from "react";

// The Markdown renderer (react-markdown, KaTeX, highlight.js) is a third of the app's script: it
// loads in its own chunk, asked for as soon as the chat's code runs, so the first load stays small.
const loadMarkdown = () => import("./markdown-content.tsx");
const pending = loadMarkdown();
// A failed load shows when the text renders (the error boundary); not also as an unhandled rejection.
pending.catch(() => {});
const MarkdownContent = lazy(() => pending.then(({ MarkdownContent }) => ({ default: MarkdownContent })));

/**
 * {@link MarkdownContent}, loaded on demand: until its chunk arrives (a moment, on the first
 * page only) the text shows as it is.
 *
 * @example
 * <LazyMarkdown text={message.content} />
 */
export function LazyMarkdown({ text }: { text: string }) {
  return (
    <Suspense
      fallback={
        <div className="markdown markdown-pending" style={{ whiteSpace: "pre-wrap" }}>
          {text}
        </div>
      }
    >
      <MarkdownContent text={text} />
    </Suspense>
  );
}
