/**
 * title: Bar chart
 * author: Sluice examples
 * version: 1.0.0
 * description: Draws a bar chart of numbers as a PNG image, stores it in the user's files and shows it in the chat.
 * required_sluice_version: >=0.1
 */
import { defineTools, z } from "@sluice/sdk";

const WIDTH = 320;
const HEIGHT = 160;
const MARGIN = 8;

export default defineTools({
  valves: z.object({
    background: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/)
      .default("#ffffff")
      .describe("Background colour of every chart, #rrggbb"),
  }),
  tools: {
    bar_chart: {
      description: "Draws a bar chart of the given values as a PNG image and shows it to the user.",
      parameters: z.object({
        title: z.string().min(1).max(80).describe("What the chart shows; also its file name"),
        values: z.array(z.number().min(0)).min(1).max(40).describe("The bar heights, left to right (zero or more)"),
        color: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/)
          .default("#3b82f6")
          .describe("Bar colour, #rrggbb"),
      }),
      async execute({ title, values, color }, ctx) {
        const png = drawBarChart(values, parseColor(color), parseColor(ctx.valves.background));
        const file = await ctx.files.create({ name: `${fileName(title)}.png`, contentType: "image/png", data: png });
        // The `files` event shows the image under the answer (and is saved on the message).
        await ctx.emit({ type: "files", data: { files: [{ type: "image", url: file.url, name: file.name }] } });
        return { title, file: file.url, bars: values.length };
      },
    },
  },
});

type Rgb = [number, number, number];

function parseColor(hex: string): Rgb {
  return [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16)) as Rgb;
}

function fileName(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "chart"
  );
}

/** The chart's pixels, RGB rows from the top, drawn into a PNG. */
function drawBarChart(values: number[], bar: Rgb, background: Rgb): Uint8Array {
  const pixels = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let index = 0; index < WIDTH * HEIGHT; index++) pixels.set(background, index * 3);
  const highest = Math.max(...values) || 1;
  const slot = (WIDTH - 2 * MARGIN) / values.length;
  values.forEach((value, position) => {
    const left = Math.round(MARGIN + position * slot + slot * 0.1);
    const right = Math.round(MARGIN + (position + 1) * slot - slot * 0.1);
    const top = HEIGHT - MARGIN - Math.round((value / highest) * (HEIGHT - 2 * MARGIN));
    for (let y = top; y < HEIGHT - MARGIN; y++) for (let x = left; x < Math.max(right, left + 1); x++) pixels.set(bar, (y * WIDTH + x) * 3);
  });
  return encodePng(WIDTH, HEIGHT, pixels);
}

/** A PNG (8-bit RGB) of `pixels`, its image data in uncompressed deflate blocks: no zlib needed. */
function encodePng(width: number, height: number, pixels: Uint8Array): Uint8Array {
  const rowLength = width * 3 + 1;
  const raw = new Uint8Array(rowLength * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), y * rowLength + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  return concat([
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", zlibStored(raw)),
    chunk("IEND", new Uint8Array()),
  ]);
}

function zlibStored(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  for (let start = 0; start === 0 || start < data.length; start += 65535) {
    const block = data.subarray(start, start + 65535);
    const isLast = start + 65535 >= data.length;
    parts.push(
      new Uint8Array([isLast ? 1 : 0, block.length & 255, block.length >> 8, ~block.length & 255, (~block.length >> 8) & 255]),
      block,
    );
  }
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  parts.push(uint32(((b << 16) | a) >>> 0));
  return concat(parts);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([new TextEncoder().encode(type), data]);
  return concat([uint32(data.length), typed, uint32(crc32(typed))]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, value) => {
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 255]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function uint32(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const output = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    output.set(part, offset);
    offset += part.length;
  }
  return output;
}
