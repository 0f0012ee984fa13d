/** A place in the plugin's source and what is wrong there. */
export interface SourceLocation {
  line: number;
  column?: number;
  message: string;
}

const PATTERNS = [
  // compile errors: "Syntax error at line 4, column 12: Expected ";" but found "x""
  /\bline (\d+)(?:, column (\d+))?/i,
  // stack frames of a throw at load: "at plugin.ts:5:9"
  /plugin\.[cm]?[jt]s:(\d+):(\d+)/,
];

/**
 * Where a load error the server reported (the `detail` of a refused save) points in the source,
 * or undefined when it names no line.
 *
 * @example
 * parseLoadError('Syntax error at line 4, column 12: Unexpected "}"');
 * // { line: 4, column: 12, message: 'Syntax error at line 4, column 12: Unexpected "}"' }
 */
export function parseLoadError(detail: string): SourceLocation | undefined {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(detail);
    if (!match) continue;
    const line = Number(match[1]);
    if (!Number.isInteger(line) || line < 1) continue;
    const column = match[2] === undefined ? undefined : Number(match[2]);
    return { line, column: column && column >= 1 ? column : undefined, message: detail };
  }
  return undefined;
}
