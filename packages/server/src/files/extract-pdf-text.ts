import { SluiceError } from "@sluice/sdk";

/**
 * The text of a PDF, page after page, with unpdf (pdf.js built for servers, no native parts).
 * unpdf is loaded on the first PDF, not at start-up. A file that is not a readable PDF (broken,
 * encrypted) fails with INVALID_INPUT naming it.
 *
 * @example
 * const text = await extractPdfText(bytes, "report.pdf");
 */
export async function extractPdfText(bytes: Uint8Array, name: string): Promise<string> {
  const { extractText, getDocumentProxy } = await import("unpdf");
  try {
    // pdf.js takes the buffer over: give it a copy.
    const document = await getDocumentProxy(bytes.slice(), { verbosity: 0 });
    try {
      const { text } = await extractText(document, { mergePages: true });
      return text;
    } finally {
      await document.loadingTask.destroy();
    }
  } catch (error) {
    throw new SluiceError("INVALID_INPUT", `Cannot read the text of the attached PDF "${name}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}
