import * as path from 'node:path';
import type { StageReach } from '../analysis/stageDeps';
import type { Stage } from '../analysis/types';
import type { LineFacts } from '../analysis/facts/types';
import { LineIndex, type UnitLines } from './lineIndex';

/**
 * One changed region of a file. Starts are 0-based lines; with a count of 0 the start is the line the
 * insertion or deletion sits before.
 */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
}

/** A file that differs from the baseline. */
export interface FileDiff {
  hunks: readonly Hunk[];
  /** The text now, as analysed. */
  now: string;
  /** The baseline's text (undefined: the file is new); read only when a hunk removed lines. */
  old: () => string | undefined;
  /** Where the units of this file are in a text (now's or old's), when the analysis knows without parsing. */
  lines?: (text: string) => LineFacts | undefined;
}

/** Why a stage's behaviour may differ from the baseline. */
export type StageChange =
  | { kind: 'own' }
  /** Declarations the stage runs (its helpers, the code they reach) changed in `file`. */
  | { kind: 'helper'; file: string; names: string[] }
  /** Top-level code of a module loaded with the stage changed (imports, registrations, side effects). */
  | { kind: 'load'; file: string }
  /** A local file the loaded modules import, which the analysis does not read (JSON, an excluded script). */
  | { kind: 'unanalysed'; file: string };

/** "its helper mean (src/utils/stats.ts) changed", for titles and hook lines. */
export function describeChange(c: StageChange, root: string): string {
  const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
  switch (c.kind) {
    case 'own':
      return 'its code changed';
    case 'helper':
      return `its helper ${c.names.length > 0 ? `${c.names.join(', ')} (${rel(c.file)})` : rel(c.file)} changed`;
    case 'load':
      return `top-level code of ${rel(c.file)}, which it loads, changed`;
    case 'unanalysed':
      return `${rel(c.file)}, which it imports, changed`;
  }
}

/**
 * Whether the stage's behaviour may differ from the baseline, and why: its own declaration changed, or
 * code it can run does (a helper it reaches, however deep; a declaration of a module it uses as a
 * namespace value), or top-level code of a module loaded with it, or a local file those modules import
 * that the analysis does not read. Changes to comments, blank lines, types and declarations the stage
 * cannot reach do not count. `diffOf` gives a file's changes (undefined: unchanged). `unanalysedChanges`:
 * false when every changed file is an analysed source, so none can be an import the analysis does not read
 * (those are then not listed: listing them reads the facts of every module the stage loads).
 */
export function stageChange(
  stage: Stage,
  reach: StageReach,
  diffOf: (file: string) => FileDiff | undefined,
  unanalysedChanges = true,
): StageChange | undefined {
  let found: StageChange | undefined;
  for (const file of reach.files) {
    const diff = diffOf(file);
    if (!diff) continue;
    if (file === stage.body.file && touchesOwnCode(stage, diff)) return { kind: 'own' };
    if (found) continue;
    const t = touched(file, diff);
    const whole = reach.wholeFiles.has(file);
    const names = new Set<string>();
    let load = t.topLevelCode;
    for (const u of t.units) {
      if (!whole && !u.keys.some((k) => reach.units.has(k))) continue;
      if (u.name !== undefined) names.add(u.name);
      else load = true;
    }
    if (names.size > 0) found = { kind: 'helper', file, names: [...names].sort() };
    else if (load || t.oldTopLevel()) found = { kind: 'load', file };
  }
  if (found || !unanalysedChanges) return found;
  for (const file of reach.unanalysed) {
    const changed = candidates(file).find((f) => diffOf(f));
    if (changed) return { kind: 'unanalysed', file: changed };
  }
  return undefined;
}

/**
 * False when no stage's behaviour can depend on this change except through its own declaration: the
 * changed lines touch no declaration and no top-level code (comments, blank lines, types only). Lets the
 * hook skip the per-stage reach walks for such a commit.
 */
export function mayAlterStages(file: string, diff: FileDiff): boolean {
  const t = touched(file, diff);
  return t.units.size > 0 || t.topLevelCode || t.oldTopLevel();
}

/** A hunk of the stage's own file overlaps its declaration. */
export function touchesOwnCode(stage: Stage, diff: FileDiff): boolean {
  const { start, end } = stage.body.range;
  return diff.hunks.some((h) =>
    h.newLines > 0
      ? h.newStart <= end.line && h.newStart + h.newLines - 1 >= start.line
      : h.newStart > start.line && h.newStart <= end.line,
  );
}

/** What a diff's changed lines touch, the same for every stage: worked out once per diff. */
interface Touched {
  /** The innermost unit of each changed line, and of each deletion point inside a unit. */
  units: ReadonlySet<UnitLines>;
  /** A changed line of a top-level statement that runs, outside every unit. */
  topLevelCode: boolean;
  /** Top-level code outside every unit was removed or replaced (a registration, a patch of a global). */
  oldTopLevel: () => boolean;
}

const touchedOf = new WeakMap<FileDiff, Touched>();

function touched(file: string, diff: FileDiff): Touched {
  let t = touchedOf.get(diff);
  if (t) return t;
  const lines = lineIndex(file, diff.now, diff);
  const units = new Set<UnitLines>();
  let topLevelCode = false;
  for (const h of diff.hunks) {
    if (h.newLines > 0) {
      for (let l = h.newStart; l < h.newStart + h.newLines; l++) {
        const unit = lines.spanning(l, l);
        if (unit) units.add(unit);
        else if (lines.isCode(l)) topLevelCode = true;
      }
    } else {
      // A deletion inside a declaration changes it, wherever the deleted lines were.
      const unit = lines.spanning(h.newStart - 1, h.newStart);
      if (unit) units.add(unit);
    }
  }
  let old: boolean | undefined;
  const oldTopLevel = (): boolean => {
    if (old !== undefined) return old;
    old = false;
    if (!diff.hunks.some((h) => h.oldLines > 0)) return old;
    const text = diff.old();
    if (text === undefined) return old;
    const before = lineIndex(file, text, diff);
    old = diff.hunks.some((h) => {
      for (let l = h.oldStart; l < h.oldStart + h.oldLines; l++)
        if (!before.spanning(l, l) && before.isCode(l)) return true;
      return false;
    });
    return old;
  };
  touchedOf.set(diff, (t = { units, topLevelCode, oldTopLevel }));
  return t;
}

/** Paths an import written as `file` (maybe without its extension, maybe a folder) can name. */
function candidates(file: string): string[] {
  const exts = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
  return [file, ...exts.map((e) => file + e), ...exts.map((e) => path.join(file, `index${e}`))];
}

/**
 * The line index of one side of a diff, from the facts the analysis holds for that text, else parsed
 * (the compiler is loaded only then).
 */
function lineIndex(file: string, raw: string, diff: FileDiff): LineIndex {
  // As the analysis reads it: without a BOM (HEAD's text from git may have one; lines are the same).
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const known = diff.lines?.(text);
  if (known) return new LineIndex(file, text, known);
  const { parseLineFacts } = require('../analysis/facts/extract') as typeof import('../analysis/facts/extract');
  return new LineIndex(file, text, parseLineFacts(file, text));
}
