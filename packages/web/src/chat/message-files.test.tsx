import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { MessageFiles } from "./message-sources.tsx";

afterEach(cleanup);

const origin = window.location.origin;

function imageSources(files: Array<{ url: string; type?: string }>): Array<string | null> {
  const { container } = render(<MessageFiles files={files.map((file) => ({ type: "image", ...file }))} />);
  return [...container.querySelectorAll("img")].map((image) => image.getAttribute("src"));
}

describe("MessageFiles", () => {
  it("loads images from this server and inline raster data; stored files only with the user's token", () => {
    const tiny = "data:image/png;base64,iVBORw0KGgo=";
    // The file store needs the token an <img> cannot send: it is fetched, then shown from a blob URL.
    expect(imageSources([{ url: "/api/v1/files/1/content" }, { url: `${origin}/cat.png` }, { url: tiny }])).toEqual([
      `${origin}/cat.png`,
      tiny,
    ]);
  });

  it("does not load images from other origins, however the URL is spelled", () => {
    const foreign = [
      "//evil.example/pixel.png",
      `${origin}.evil.example/pixel.png`,
      `${origin}@evil.example/pixel.png`,
      "https://evil.example/pixel.png",
    ];
    expect(imageSources(foreign.map((url) => ({ url })))).toEqual([]);
    const { container } = render(<MessageFiles files={[{ type: "image", url: "//evil.example/pixel.png", name: "pixel" }]} />);
    expect(container.querySelector("a")?.getAttribute("href")).toBe("//evil.example/pixel.png");
  });

  it("never links javascript: URLs", () => {
    const { container } = render(<MessageFiles files={[{ url: "javascript:alert(1)", name: "click me" }]} />);
    expect(container.querySelector("a")).toBeNull();
    expect(container.textContent).toContain("click me");
  });

  it("shows other files as chips with their name and size", () => {
    const { getByRole } = render(
      <MessageFiles files={[{ type: "file", url: "/api/v1/files/abc/content", name: "report.txt", size: 2048 }]} />,
    );
    expect(getByRole("button", { name: "Download report.txt" }).textContent).toContain("2.0 KB");
  });
});
