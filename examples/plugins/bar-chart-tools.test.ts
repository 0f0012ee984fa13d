import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createTestHarness } from "@sluice/sdk/testing";
import barChart from "./bar-chart-tools.ts";

/** Width, height and the RGB pixel at (x, y) of a PNG the tool made (8-bit RGB, filter 0 rows). */
function readPng(png: Uint8Array) {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks = new Map<string, Uint8Array>();
  for (let offset = 8; offset < png.length;) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8));
    chunks.set(type, png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const header = new DataView(chunks.get("IHDR")!.buffer, chunks.get("IHDR")!.byteOffset, 13);
  const [width, height] = [header.getUint32(0), header.getUint32(4)];
  const raw = inflateSync(chunks.get("IDAT")!);
  expect(raw.length).toBe((width * 3 + 1) * height);
  const pixel = (x: number, y: number) => [...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3)];
  return { width, height, pixel, hasEnd: chunks.has("IEND") };
}

describe("bar-chart-tools: bar_chart", () => {
  it("stores a PNG of the bars in the user's files and shows it with a files event", async () => {
    const harness = createTestHarness(barChart);
    const result = await harness.tool("bar_chart", { title: "Sales by Quarter", values: [1, 4, 2, 0], color: "#ff0000" });

    expect(harness.storedFiles).toHaveLength(1);
    const [file] = harness.storedFiles;
    expect(file).toMatchObject({ name: "sales-by-quarter.png", contentType: "image/png", userId: "user-1" });
    expect(result).toEqual({ title: "Sales by Quarter", file: `/api/v1/files/${file!.id}/content`, bars: 4 });
    expect(harness.eventsOfType("files")).toEqual([
      { type: "files", data: { files: [{ type: "image", url: `/api/v1/files/${file!.id}/content`, name: "sales-by-quarter.png" }] } },
    ]);

    const png = readPng(file!.data);
    expect([png.width, png.height, png.hasEnd]).toEqual([320, 160, true]);
    // Four slots of 76 px from x = 8: the second bar (4, the highest) reaches the top margin,
    // the third (2) half way, the fourth (0) not at all.
    expect(png.pixel(8 + 76 + 38, 9)).toEqual([255, 0, 0]);
    expect(png.pixel(8 + 2 * 76 + 38, 9)).toEqual([255, 255, 255]);
    expect(png.pixel(8 + 2 * 76 + 38, 150)).toEqual([255, 0, 0]);
    expect(png.pixel(8 + 3 * 76 + 38, 150)).toEqual([255, 255, 255]);
    expect(png.pixel(2, 80)).toEqual([255, 255, 255]);
  });

  it("takes the background from the admin's valve and refuses arguments the model got wrong", async () => {
    const harness = createTestHarness(barChart, { valves: { background: "#000000" } });
    await harness.tool("bar_chart", { title: "?", values: [3] });
    const png = readPng(harness.storedFiles[0]!.data);
    expect(png.pixel(2, 2)).toEqual([0, 0, 0]);
    expect(png.pixel(160, 80)).toEqual([0x3b, 0x82, 0xf6]);
    expect(harness.storedFiles[0]!.name).toBe("chart.png");
    await expect(harness.tool("bar_chart", { title: "x", values: [] })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(harness.tool("bar_chart", { title: "x", values: [1], color: "red" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
