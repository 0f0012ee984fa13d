import "katex/dist/katex.min.css";
import { memo, type ComponentProps, type ReactNode } from "react";
import Markdown, { type Components, type Options } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import rehypeKatex, { type Options as KatexOptions } from "rehype-katex";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";
import { useCopyButton } from "../ui/use-copy-button.ts";
import { isTrustedImage } from "./is-trusted-image.ts";
import { MermaidDiagram } from "./mermaid-diagram.tsx";
import { normalizeMathDelimiters } from "./normalize-math-delimiters.ts";
import { translate } from "../i18n/i18n.ts";

// Invalid LaTeX shows as its source in this colour (rehype-katex never throws); `trust: false`
// keeps \href, \url and \htmlClass out of a model's hands; `strict: "ignore"` spares the console
// a warning per render for Unicode in math, which models write often.
const KATEX_OPTIONS: KatexOptions = { errorColor: "var(--color-danger)", trust: false, strict: "ignore" };
const REMARK_PLUGINS: Options["remarkPlugins"] = [remarkGfm, remarkMath];
// KaTeX first: a ```math block is math, not code to highlight.
const REHYPE_PLUGINS: Options["rehypePlugins"] = [[rehypeKatex, KATEX_OPTIONS], rehypeHighlight];

function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (node && typeof node === "object" && "props" in node) return textOf((node.props as { children?: ReactNode }).children);
  return "";
}

function CodeBlock({ children, ...rest }: ComponentProps<"pre">) {
  const copier = useCopyButton();
  const code = textOf(children).replace(/\n$/, "");
  const className = (children as { props?: { className?: string } } | undefined)?.props?.className ?? "";
  const language = /language-([\w+-]+)/.exec(className)?.[1];
  return (
    <div className="code-block">
      <div className="code-block-bar">
        <span>{language ?? "code"}</span>
        <button
          type="button"
          className="button button-quiet button-small"
          onClick={() => void copier.copy(code)}
          aria-label={translate("Copy code")}
        >
          {copier.label}
        </button>
      </div>
      {language === "mermaid" ? <MermaidDiagram code={code} /> : <pre {...rest}>{children}</pre>}
    </div>
  );
}

const COMPONENTS: Components = {
  pre: ({ node: _node, ...props }) => <CodeBlock {...props} />,
  a: ({ node: _node, href, children, ...props }) =>
    // In-page links (footnotes and their back-references) stay in the page.
    typeof href === "string" && href.startsWith("#") ? (
      <a {...props} href={href}>
        {children}
      </a>
    ) : (
      <a {...props} href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ),
  img: ({ node: _node, src, alt, ...props }) => {
    const source = typeof src === "string" ? src : "";
    if (source && isTrustedImage(source)) return <img {...props} src={source} alt={alt ?? ""} loading="lazy" />;
    return (
      <a href={source || undefined} target="_blank" rel="noopener noreferrer nofollow" className="image-link">
        🖼 {alt || source || "image"}
      </a>
    );
  },
  table: ({ node: _node, ...props }) => (
    <div className="table-scroll">
      <table {...props} />
    </div>
  ),
};

/**
 * Markdown from a model, a plugin or a user, rendered safely: GitHub-flavoured Markdown, math
 * (`$…$`, `\(…\)`, `$$…$$`, `\[…\]`) typeset by KaTeX, code blocks highlighted and with a
 * copy button (```mermaid blocks drawn as diagrams); raw HTML is shown as text (never parsed), `javascript:` links are dropped, links
 * open in a new tab without a referrer, and images from other sites show as links instead of
 * loading.
 *
 * @example
 * <MarkdownContent text={message.content} />
 */
export const MarkdownContent = memo(function MarkdownContent({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={REHYPE_PLUGINS} components={COMPONENTS}>
        {normalizeMathDelimiters(text)}
      </Markdown>
    </div>
  );
});
