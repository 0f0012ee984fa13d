/**
 * Puts text on the clipboard; resolves false when the browser refused. The Clipboard API exists
 * only in secure contexts (HTTPS, localhost), so over plain HTTP on a LAN address the text is
 * copied from a hidden, selected textarea with `document.execCommand("copy")`. Call it from a
 * click handler (copying needs a user gesture).
 *
 * @example
 * if (!(await copyText(message.content))) toaster.show({ type: "error", content: "Copying failed" });
 */
export async function copyText(text: string): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // refused (no permission, document not focused): try the old way
    }
  }
  return copyWithSelection(text);
}

function copyWithSelection(text: string): boolean {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.top = "0";
  area.style.left = "0";
  area.style.opacity = "0";
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  document.body.append(area);
  area.select();
  let isCopied = false;
  try {
    isCopied = document.execCommand("copy");
  } catch {
    isCopied = false;
  }
  area.remove();
  focused?.focus({ preventScroll: true });
  return isCopied;
}
