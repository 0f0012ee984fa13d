const WAIT_MS = 3000;

/**
 * Puts the cursor in the chat's message box, waiting (up to 3 s) for it to appear and be
 * enabled (a new chat's box is disabled while the models load). With `unlessTouch`, not on a
 * touch screen, where focus would open the keyboard over the chat. Gives up once the user has
 * put the cursor somewhere else meanwhile (typing in the chat search, say): their keys stay there.
 */
export function focusComposer(options: { unlessTouch?: boolean } = {}): void {
  if (options.unlessTouch && typeof matchMedia === "function" && matchMedia("(pointer: coarse)").matches) return;
  const until = Date.now() + WAIT_MS;
  const focusedAtStart = document.activeElement;
  const attempt = () => {
    const focused = document.activeElement;
    if (focused && focused !== focusedAtStart && focused !== document.body) return;
    const box = document.querySelector<HTMLTextAreaElement>("textarea.chat-textarea");
    if (box && !box.disabled) {
      box.focus();
      return;
    }
    if (Date.now() < until) setTimeout(attempt, 50);
  };
  requestAnimationFrame(attempt);
}
