import { describe, expect, it } from "vitest";
import { encodeFetchBody } from "./encode-fetch-body.ts";
import { Blob, File, FormData } from "./form-data.ts";
import { URLSearchParams } from "./url-search-params.ts";

/** Parses a multipart body the way a server would (Node's own parser). */
async function parseMultipart(body: Uint8Array, contentType: string) {
  return new Request("http://x/", {
    method: "POST",
    headers: { "content-type": contentType },
    body: body as Uint8Array<ArrayBuffer>,
  }).formData();
}

describe("encodeFetchBody", () => {
  it("keeps text, copies bytes and form-encodes URLSearchParams (ours or Node's)", async () => {
    const headers: Record<string, string> = {};
    expect(await encodeFetchBody("{}", headers)).toBe("{}");
    const bytes = Uint8Array.of(1, 2, 3);
    const copied = (await encodeFetchBody(bytes, headers)) as Uint8Array;
    expect([...copied]).toEqual([1, 2, 3]);
    expect(copied).not.toBe(bytes);
    expect([...((await encodeFetchBody(Uint8Array.of(9, 8).buffer, headers)) as Uint8Array)]).toEqual([9, 8]);
    expect(headers).toEqual({});
    for (const Params of [URLSearchParams, globalThis.URLSearchParams]) {
      const form: Record<string, string> = {};
      expect(await encodeFetchBody(new Params({ q: "café", n: "1 2" }), form)).toBe("q=caf%C3%A9&n=1+2");
      expect(form["content-type"]).toBe("application/x-www-form-urlencoded;charset=UTF-8");
    }
  });

  it("sends FormData (ours or Node's) as multipart with file parts, keeping a content-type the plugin set", async () => {
    for (const [Form, FileClass, BlobClass] of [
      [FormData, File, Blob],
      [globalThis.FormData, globalThis.File, globalThis.Blob],
    ] as const) {
      const form = new Form();
      form.append("purpose", 'line one\nsay "hi"');
      form.append("file", new BlobClass([Uint8Array.of(0, 255, 13, 10)], { type: "image/png" }), 'cat "1".png');
      form.append("doc", new FileClass(["hello"], "a.txt", { type: "text/plain" }));
      const headers: Record<string, string> = {};
      const body = (await encodeFetchBody(form, headers)) as Uint8Array;
      const parsed = await parseMultipart(body, headers["content-type"]!);
      expect(parsed.get("purpose")).toBe('line one\r\nsay "hi"');
      const file = parsed.get("file") as globalThis.File;
      expect({ name: file.name, type: file.type, bytes: [...new Uint8Array(await file.arrayBuffer())] }).toEqual({
        name: 'cat "1".png',
        type: "image/png",
        bytes: [0, 255, 13, 10],
      });
      expect(await (parsed.get("doc") as globalThis.File).text()).toBe("hello");
      const kept = { "content-type": "multipart/mixed; boundary=mine" };
      await encodeFetchBody(form, kept);
      expect(kept["content-type"]).toBe("multipart/mixed; boundary=mine");
    }
  });

  it("refuses other values, saying what is accepted", async () => {
    await expect(encodeFetchBody({ a: 1 }, {})).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("JSON.stringify"),
    });
  });
});
