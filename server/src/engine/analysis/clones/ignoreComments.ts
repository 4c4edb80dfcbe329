import { ts } from '../typescript';
import { isTrivia, scanTokens } from './lexer';
import { hasIgnoreMarker } from './ignoreMarker';
import { computeLineStarts, lineOf as lineAt } from './lineStarts';

const DIRECTIVE = /^\/\/\s*ml-parity-ignore(-start|-end)?(?![\w-])/;

/**
 * 0-based lines excluded from duplicate detection by `// ml-parity-ignore` comments:
 * after code on a line it ignores that line, alone on a line it ignores the next line;
 * `// ml-parity-ignore-start` … `// ml-parity-ignore-end` ignores the lines in between (inclusive;
 * an unterminated start runs to the end of the file).
 */
export function ignoredLines(text: string, variant?: ts.LanguageVariant): Set<number> {
  const lines = new Set<number>();
  if (!hasIgnoreMarker(text)) return lines;
  const lineStarts = computeLineStarts(text);
  const lineOf = (pos: number): number => lineAt(lineStarts, pos);
  let codeLine = -1;
  let regionStart = -1;
  // Scanning (rather than a regex over lines) keeps `//` inside strings and templates out.
  scanTokens(text, variant ?? ts.LanguageVariant.JSX, true, (kind, start, end) => {
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia) {
      if (!isTrivia(kind)) codeLine = lineOf(end - 1);
      return;
    }
    const m = DIRECTIVE.exec(text.slice(start, end));
    if (!m) return;
    const line = lineOf(start);
    if (m[1] === '-start') {
      if (regionStart < 0) regionStart = line;
    } else if (m[1] === '-end') {
      if (regionStart >= 0) for (let l = regionStart; l <= line; l++) lines.add(l);
      regionStart = -1;
    } else {
      lines.add(codeLine === line ? line : line + 1);
    }
  });
  if (regionStart >= 0) for (let l = regionStart; l < lineStarts.length; l++) lines.add(l);
  return lines;
}
