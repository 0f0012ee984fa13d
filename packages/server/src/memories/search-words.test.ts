import { describe, expect, it } from "vitest";
import { searchWords } from "./search-words.ts";

describe("searchWords", () => {
  it("keeps only words, lower-cased, each once", () => {
    expect(searchWords(`What's my "favourite" colour? colour* OR (NEAR) -x:y`)).toEqual(["favourite", "colour", "near", "x", "y"]);
  });

  it("leaves out common English words, so a rare 'the' cannot outrank the word that matters", () => {
    expect(searchWords("Where are the bees?")).toEqual(["bees"]);
    // A query of nothing but common words still searches for them.
    expect(searchWords("Who am I?")).toEqual(["am"]);
    expect(searchWords("Who is it?")).toEqual(["who", "is", "it"]);
  });

  it("keeps letters of any script and their accents", () => {
    expect(searchWords("Ça coûte 20 €, naïve")).toEqual(["ça", "coûte", "20", "naïve"]);
    expect(searchWords("Ça".normalize("NFD"))).toEqual(["ça"]);
  });

  it("answers nothing for text without words, and at most 32 words", () => {
    expect(searchWords(" ?! -- ")).toEqual([]);
    expect(searchWords(Array.from({ length: 50 }, (_, index) => `w${index}`).join(" "))).toHaveLength(32);
  });
});
