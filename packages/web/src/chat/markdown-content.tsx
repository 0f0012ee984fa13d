import { memo, type ComponentProps, type ReactNode } from "react";
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { useCopyButton } from "../ui/use-copy-button.ts";
import { isTrustedImage } from "./is-trusted-image.ts";


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
        <button type="button" className="button button-quiet button-small" onClick={() => void copier.copy(code)} aria-label="Copy code">
          {copier.label}
        </button>
      </div>
      <pre {...rest}>{children}</pre>
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
 * Markdown from a model, a plugin or a user, rendered safely: GitHub-flavoured Markdown, code
 * blocks with a copy button; raw HTML is shown as text (never parsed), `javascript:` links are
 * dropped, links open in a new tab without a referrer, and images from other sites show as
 * links instead of loading.
 *
 * @example
 * <MarkdownContent text={message.content} />
 */
export const MarkdownContent = memo(function MarkdownContent({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={[remarkGfm]} components={COMPONENTS}>
        {text}
      </Markdown>
    </div>
  );
});
