import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MarkdownContent } from "./markdown-content.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("MarkdownContent", () => {
  it("shows HTML from a model as text and never creates its elements", () => {
    const { container } = render(<MarkdownContent text={"Look: <img src=x onerror=alert(1)> and <script>alert(2)</script><b>bold?</b>"} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(container.textContent).toContain("<b>");
  });

  it("shows an HTML block as text too", () => {
    const { container } = render(
      <MarkdownContent text={'<div onclick="alert(1)">\n<iframe src="https://evil.example"></iframe>\n</div>'} />,
    );
    expect(container.querySelector("div[onclick], iframe")).toBeNull();
    expect(container.textContent).toContain("<iframe");
  });

  it("drops javascript: links and opens others in a new tab without a referrer", () => {
    const { container } = render(<MarkdownContent text={"[bad](javascript:alert(1)) [good](https://example.com)"} />);
    const links = [...container.querySelectorAll("a")];
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["", "https://example.com"]);
    expect(links[1]!.getAttribute("target")).toBe("_blank");
    expect(links[1]!.getAttribute("rel")).toContain("noreferrer");
  });

  it("keeps footnote links in the page and hides the footnotes heading from sight", () => {
    const { container } = render(<MarkdownContent text={"A claim.[^1]\n\n[^1]: The source."} />);
    const inPage = [...container.querySelectorAll("a")].filter((link) => link.getAttribute("href")?.startsWith("#"));
    expect(inPage.length).toBeGreaterThanOrEqual(2);
    for (const link of inPage) expect(link.getAttribute("target")).toBeNull();
    expect(container.querySelector("h2.sr-only")?.textContent).toBe("Footnotes");
  });

  it("does not load images from other sites", () => {
    const { container } = render(<MarkdownContent text={"![tracker](https://evil.example/pixel.png?q=secret) ![local](/logo.png)"} />);
    const images = [...container.querySelectorAll("img")];
    expect(images.map((image) => image.getAttribute("src"))).toEqual(["/logo.png"]);
    expect(screen.getByRole("link", { name: /tracker/ }).getAttribute("href")).toBe("https://evil.example/pixel.png?q=secret");
  });

  it("renders Markdown: emphasis, lists, tables and code blocks with their language", () => {
    const text = "**bold** and `inline`\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x = 1;\n```";
    const { container } = render(<MarkdownContent text={text} />);
    expect(container.querySelector("strong")?.textContent).toBe("bold");
    expect(container.querySelectorAll("li")).toHaveLength(2);
    expect(container.querySelector("table td")?.textContent).toBe("1");
    expect(container.querySelector("pre code")?.textContent).toBe("const x = 1;\n");
    expect(container.querySelector(".code-block-bar")?.textContent).toContain("ts");
    expect(screen.getByRole("button", { name: "Copy code" })).toBeTruthy();
  });

  it("renders $…$ and \\(…\\) as inline math with KaTeX", () => {
    const { container } = render(<MarkdownContent text={"Area $x^2$ and sum \\(a+b\\)."} />);
    const math = [...container.querySelectorAll(".katex")];
    expect(math).toHaveLength(2);
    expect(container.querySelector(".katex-display")).toBeNull();
    expect(math.map((element) => element.querySelector("annotation")?.textContent)).toEqual(["x^2", "a+b"]);
    expect(container.textContent).not.toContain("\\(");
  });

  it("renders $$…$$ and \\[…\\] alone on their lines as display math", () => {
    const { container } = render(<MarkdownContent text={"Half:\n\n$$\\frac{1}{2}$$\n\nSum:\n\\[ \\sum_{i=1}^n i \\]"} />);
    const displays = [...container.querySelectorAll(".katex-display")];
    expect(displays.map((element) => element.querySelector("annotation")?.textContent)).toEqual(["\\frac{1}{2}", "\\sum_{i=1}^n i"]);
    expect(container.querySelector("pre")).toBeNull();
  });

  it("keeps the backslashes of LaTeX that Markdown escapes used to eat", () => {
    const source = "\\begin{pmatrix} a\\_1 & b \\\\ c & d \\end{pmatrix}";
    const { container } = render(<MarkdownContent text={`\\[\n${source}\n\\]`} />);
    expect(container.querySelector(".katex-display annotation")?.textContent).toBe(source);
    expect(container.querySelector(".katex-error")).toBeNull();
  });

  it("leaves math delimiters inside code as code, while the same outside is math", () => {
    const { container } = render(<MarkdownContent text={"Type `\\(x\\)` or `$x$` to get \\(x\\).\n\n```\n\\[ y \\] $z$\n```"} />);
    expect([...container.querySelectorAll(".katex annotation")].map((annotation) => annotation.textContent)).toEqual(["x"]);
    expect([...container.querySelectorAll("code")].map((code) => code.textContent)).toEqual(["\\(x\\)", "$x$", "\\[ y \\] $z$\n"]);
  });

  it("keeps prices as text", () => {
    const { container } = render(<MarkdownContent text={"It costs $5 and $10, or $7.50 for $n$ items."} />);
    expect([...container.querySelectorAll(".katex annotation")].map((annotation) => annotation.textContent)).toEqual(["n"]);
    expect(container.querySelector("p")?.firstChild?.textContent).toBe("It costs $5 and $10, or $7.50 for ");
  });

  it("shows invalid LaTeX as its source in the error colour instead of breaking", () => {
    const { container } = render(<MarkdownContent text={"Broken $\\frac{1$ here, fine $y$."} />);
    const error = container.querySelector<HTMLElement>(".katex-error");
    expect(error?.textContent).toBe("\\frac{1");
    expect(error?.style.color).not.toBe("");
    expect(container.querySelectorAll(".katex")).toHaveLength(1);
  });

  it("highlights a code block's syntax and still copies its plain text", async () => {
    // The Clipboard API path of copyText, which jsdom only has with user-event's stand-in clipboard.
    vi.stubGlobal("isSecureContext", true);
    const user = userEvent.setup();
    const code = 'const greeting: string = "hi";\nreturn greeting;';
    const { container } = render(<MarkdownContent text={"```ts\n" + code + "\n```"} />);
    expect(container.querySelector(".hljs-keyword")?.textContent).toBe("const");
    expect(container.querySelector(".hljs-string")?.textContent).toBe('"hi"');
    expect(container.querySelector(".code-block-bar")?.textContent).toContain("ts");
    await user.click(screen.getByRole("button", { name: "Copy code" }));
    expect(await navigator.clipboard.readText()).toBe(code);
  });
});
