import { afterEach, describe, expect, it } from "vitest";
import { focusComposer } from "./focus-composer.ts";

function page(): { box: HTMLTextAreaElement; search: HTMLInputElement } {
  document.body.innerHTML = `<input type="search" aria-label="Search chats"><textarea class="chat-textarea" disabled></textarea>`;
  return { box: document.querySelector("textarea")!, search: document.querySelector("input")! };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("focusComposer", () => {
  afterEach(() => {
    document.body.innerHTML = "";
  });

  it("puts the cursor in the message box once the box is enabled", async () => {
    const { box } = page();
    focusComposer();
    await pause(120);
    box.disabled = false;
    await pause(200);
    expect(document.activeElement).toBe(box);
  });

  it("leaves the cursor where the user put it while the box was still disabled", async () => {
    const { box, search } = page();
    focusComposer();
    await pause(120);
    search.focus();
    box.disabled = false;
    await pause(200);
    expect(document.activeElement).toBe(search);
  });
});
