import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { MarkdownContent } from "./markdown-content.tsx";

afterEach(cleanup);

describe("MarkdownContent", () => {
  it("shows HTML from a model as text and never creates its elements", () => {
    const { container } = render(<MarkdownContent text={'Look: <img src=x onerror=alert(1)> and <script>alert(2)</script><b>bold?</b>'} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(container.textContent).toContain("<b>");
  });

  it("shows an HTML block as text too", () => {
    const { container } = render(<MarkdownContent text={'<div onclick="alert(1)">\n<iframe src="https://evil.example"></iframe>\n</div>'} />);
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
});
