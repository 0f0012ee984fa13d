/** One line of a diff: in both texts, only in the old one, or only in the new one. */
export type DiffLine =
  | { kind: "same"; text: string; oldNumber: number; newNumber: number }
  | { kind: "removed"; text: string; oldNumber: number }
  | { kind: "added"; text: string; newNumber: number };

/** Past this many cells the LCS table is too big for a browser tab; the middle is shown as replaced. */
const MAX_TABLE_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * The line diff of two texts, from the longest common subsequence of their lines: enough for a
 * plugin's source (thousands of lines). Common leading and trailing lines are matched first.
 *
 * @example
 * lineDiff("a\nb\n", "a\nc\n") // same a, removed b, added c
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const before = splitLines(oldText);
  const after = splitLines(newText);
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const result: DiffLine[] = [];
  for (let index = 0; index < start; index++)
    result.push({ kind: "same", text: before[index]!, oldNumber: index + 1, newNumber: index + 1 });
  result.push(...middleDiff(before.slice(start, endBefore), after.slice(start, endAfter), start, start));
  for (let index = 0; index < before.length - endBefore; index++) {
    result.push({ kind: "same", text: before[endBefore + index]!, oldNumber: endBefore + index + 1, newNumber: endAfter + index + 1 });
  }
  return result;
}

function middleDiff(before: string[], after: string[], oldOffset: number, newOffset: number): DiffLine[] {
  const rows = before.length;
  const columns = after.length;
  if (rows * columns > MAX_TABLE_CELLS) {
    return [
      ...before.map((text, index): DiffLine => ({ kind: "removed", text, oldNumber: oldOffset + index + 1 })),
      ...after.map((text, index): DiffLine => ({ kind: "added", text, newNumber: newOffset + index + 1 })),
    ];
  }
  // lengths[i * (columns + 1) + j]: the LCS length of before[i..] and after[j..].
  const width = columns + 1;
  const lengths = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      lengths[i * width + j] =
        before[i] === after[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const result: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && before[i] === after[j]) {
      result.push({ kind: "same", text: before[i]!, oldNumber: oldOffset + i + 1, newNumber: newOffset + j + 1 });
      i++;
      j++;
    } else if (i < rows && (j === columns || lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!)) {
      // On a tie the old line goes first, as diffs read: what went, then what came.
      result.push({ kind: "removed", text: before[i]!, oldNumber: oldOffset + i + 1 });
      i++;
    } else {
      result.push({ kind: "added", text: after[j]!, newNumber: newOffset + j + 1 });
      j++;
    }
  }
  return result;
}

/** A run of diff lines to show, or a run of unchanged lines folded away. */
export type DiffHunk = { kind: "lines"; lines: DiffLine[] } | { kind: "folded"; count: number };

/** Folds runs of unchanged lines longer than twice `context`, keeping `context` lines around each change. */
export function foldUnchanged(lines: DiffLine[], context = 3): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let pending: DiffLine[] = [];
  const flush = (isFirst: boolean, isLast: boolean) => {
    const keepStart = isFirst ? 0 : context;
    const keepEnd = isLast ? 0 : context;
    if (pending.length > keepStart + keepEnd + 1) {
      pushLines(hunks, pending.slice(0, keepStart));
      hunks.push({ kind: "folded", count: pending.length - keepStart - keepEnd });
      pushLines(hunks, pending.slice(pending.length - keepEnd));
    } else {
      pushLines(hunks, pending);
    }
    pending = [];
  };
  let hasChange = false;
  for (const line of lines) {
    if (line.kind === "same") {
      pending.push(line);
      continue;
    }
    flush(!hasChange, false);
    hasChange = true;
    pushLines(hunks, [line]);
  }
  if (!hasChange) return pending.length === 0 ? [] : [{ kind: "folded", count: pending.length }];
  flush(false, true);
  return hunks;
}

function pushLines(hunks: DiffHunk[], lines: DiffLine[]): void {
  if (lines.length === 0) return;
  const last = hunks.at(-1);
  if (last?.kind === "lines") last.lines.push(...lines);
  else hunks.push({ kind: "lines", lines: [...lines] });
}
