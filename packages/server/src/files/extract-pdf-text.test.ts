import { describe, expect, it } from "vitest";
import { makePdf } from "../../test/helpers/make-pdf.ts";
import { extractPdfText } from "./extract-pdf-text.ts";

describe("extractPdfText", () => {
  it("reads a PDF's text, line by line", async () => {
    const pdf = makePdf(["Quarterly report (Q3)", "Revenue grew 12 percent"]);
    expect(await extractPdfText(pdf, "report.pdf")).toBe("Quarterly report (Q3)\nRevenue grew 12 percent");
    // The caller's bytes stay usable.
    expect(new TextDecoder().decode(pdf.subarray(0, 8))).toBe("%PDF-1.4");
  });

  it("refuses what is not a PDF with INVALID_INPUT naming the file", async () => {
    await expect(extractPdfText(new TextEncoder().encode("not a pdf"), "fake.pdf")).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining('Cannot read the text of the attached PDF "fake.pdf"'),
    });
  });
});
