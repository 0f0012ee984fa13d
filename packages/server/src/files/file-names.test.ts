import { describe, expect, it } from "vitest";
import { cleanContentType, cleanFilename, contentDisposition, isSafeInline } from "./file-names.ts";

describe("cleanFilename", () => {
  it("keeps the last path segment, without control characters", () => {
    expect(cleanFilename("../../etc/passwd")).toBe("passwd");
    expect(cleanFilename("C:\\Users\\me\\report.pdf")).toBe("report.pdf");
    expect(cleanFilename("a\r\nb\u0000.txt")).toBe("ab.txt");
    expect(cleanFilename("  résumé final.docx ")).toBe("résumé final.docx");
  });

  it("names a file that has no usable name 'file'", () => {
    for (const name of [undefined, "", "   ", "folder/", "..", "."]) expect(cleanFilename(name)).toBe("file");
  });

  it("cuts a very long name to 255 characters", () => {
    expect(cleanFilename("x".repeat(1000) + ".txt")).toHaveLength(255);
  });
});

describe("cleanContentType", () => {
  it("keeps a well-formed type, lower-cased, without parameters", () => {
    expect(cleanContentType("Text/Plain; charset=utf-8")).toBe("text/plain");
    expect(cleanContentType("image/svg+xml")).toBe("image/svg+xml");
  });

  it("falls back to application/octet-stream", () => {
    for (const value of [undefined, "", "text", "text/html\r\nx-evil: 1", "a/b/c", "/plain"]) {
      expect(cleanContentType(value)).toBe("application/octet-stream");
    }
  });
});

describe("isSafeInline", () => {
  it("shows pictures, sound, video, plain text and PDF in the page", () => {
    for (const type of ["image/png", "image/jpeg", "audio/mpeg", "video/mp4", "text/plain", "application/pdf"])
      expect(isSafeInline(type)).toBe(true);
  });

  it("downloads anything that could run script: HTML, SVG, XML, JavaScript, unknown types", () => {
    for (const type of ["text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "text/javascript", "application/octet-stream"]) {
      expect(isSafeInline(type)).toBe(false);
    }
  });
});

describe("contentDisposition", () => {
  it("gives an ASCII name and the exact name in RFC 8187 form", () => {
    expect(contentDisposition("attachment", "report.pdf")).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(contentDisposition("inline", "été 2024.png")).toBe(`inline; filename="_t_ 2024.png"; filename*=UTF-8''%C3%A9t%C3%A9%202024.png`);
  });

  it("lets no quote, backslash or line break of a name into the header", () => {
    const header = contentDisposition("attachment", 'a"; filename="evil.html\\\r\n.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.match(/"/g)).toHaveLength(2);
    expect(header).toContain(`filename*=UTF-8''a%22%3B%20filename%3D%22evil.html%5C%0D%0A.txt`);
  });
});
