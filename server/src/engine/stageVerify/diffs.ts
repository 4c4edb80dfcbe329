import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { gitText, hasHead, stagedStatus, treeEntries } from '../git';
import type { LineFacts } from '../analysis/facts/types';
import type { FileDiff, Hunk } from './changed';
import { gitTop } from './tree';

function relTo(top: string, file: string): string {
  return path.relative(top, file).split(path.sep).join('/');
}

function show(top: string, object: string): string | undefined {
  return gitText(top, ['show', object]);
}

/** Absolute paths of the files whose staged content differs from HEAD (added, modified, deleted). */
export function stagedChangedFiles(top: string): Set<string> {
  if (!hasHead(top)) return new Set();
  return new Set(stagedStatus(top).changed.map((p) => path.join(top, p)));
}

/**
 * The staged changes against HEAD of the files in `changed` (see stagedChangedFiles), each diffed by git
 * when first asked; `staged` reads a file's staged text; `lineFacts` is what the analysis knows of a
 * text's units (see FileDiff.lines).
 */
export function stagedDiffs(
  top: string,
  changed: ReadonlySet<string>,
  staged: (file: string) => string | undefined,
  lineFacts?: (file: string, text: string) => LineFacts | undefined,
): (file: string) => FileDiff | undefined {
  const memo = new Map<string, FileDiff | undefined>();
  return (file) => {
    if (!changed.has(file)) return undefined;
    if (memo.has(file)) return memo.get(file);
    const rel = relTo(top, file);
    const out = gitText(top, [
      'diff',
      '--cached',
      '--no-color',
      '--no-ext-diff',
      '--no-renames',
      '-U0',
      'HEAD',
      '--',
      rel,
    ]);
    // As analysed (FileDiff.now): without a leading BOM, whether it came from git or from the analysis.
    const raw = staged(file);
    const now = raw?.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    // A diff git cannot give is judged changed throughout, never unchanged (no hunks: a mode change).
    const diff: FileDiff | undefined =
      now === undefined
        ? undefined
        : {
            hunks: out !== undefined ? gitHunks(out) : everything(now),
            now,
            old: () => show(top, `HEAD:${rel}`),
            lines: lineFacts && ((text) => lineFacts(file, text)),
          };
    memo.set(file, diff);
    return diff;
  };
}

/** Hunks of `git diff -U0` output (unified: a start with a count of 0 is the line before the change). */
function gitHunks(out: string): Hunk[] {
  const hunks: Hunk[] = [];
  for (const m of out.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const oldLines = m[2] === undefined ? 1 : Number(m[2]);
    const newLines = m[4] === undefined ? 1 : Number(m[4]);
    hunks.push({
      oldStart: oldLines === 0 ? Number(m[1]) : Number(m[1]) - 1,
      oldLines,
      newStart: newLines === 0 ? Number(m[3]) : Number(m[3]) - 1,
      newLines,
    });
  }
  return hunks;
}

/** One hunk covering the whole text. */
function everything(text: string): Hunk[] {
  return [{ oldStart: 0, oldLines: 0, newStart: 0, newLines: text.split('\n').length }];
}

const HEAD_TTL_MS = 2000;
const heads = new Map<string, { at: number; text: string | undefined }>();
/** Work-tree top per folder (only folders found inside one: a repository can appear later). */
const tops = new Map<string, string>();

function topOf(file: string): string | undefined {
  const dir = path.dirname(file);
  let top = tops.get(dir);
  if (top === undefined) {
    try {
      tops.set(dir, (top = gitTop(dir)));
    } catch {
      return undefined;
    }
  }
  return top;
}

/** A file's text at HEAD (undefined when not in git, or new), cached briefly: code actions ask on every cursor move. */
export function headText(file: string): string | undefined {
  const hit = heads.get(file);
  if (hit && Date.now() - hit.at < HEAD_TTL_MS) return hit.text;
  const top = topOf(file);
  const text = top === undefined ? undefined : show(top, `HEAD:${relTo(top, file)}`);
  heads.set(file, { at: Date.now(), text });
  return text;
}

/** HEAD's commit per top (checked at most every HEAD_TTL_MS) and its blob ids by path, listed once per commit. */
const headTrees = new Map<string, { at: number; commit: string | undefined; blobs: Map<string, string> }>();

function headBlobs(top: string): Map<string, string> | undefined {
  let t = headTrees.get(top);
  if (!t || Date.now() - t.at >= HEAD_TTL_MS) {
    const commit = gitText(top, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'])?.trim();
    const blobs =
      t && t.commit === commit
        ? t.blobs
        : new Map(
            commit === undefined
              ? []
              : treeEntries(top, commit, () => true).map((e): [string, string] => [e.rel, e.blob]),
          );
    headTrees.set(top, (t = { at: Date.now(), commit, blobs }));
  }
  return t.commit === undefined ? undefined : t.blobs;
}

/** git's id of a blob holding `text` (SHA-1, or SHA-256 in a repository that uses it). */
function blobId(text: string, like: string): string {
  const body = Buffer.from(text, 'utf8');
  const h = createHash(like.length === 64 ? 'sha256' : 'sha1');
  return h.update(`blob ${body.length}\0`).update(body).digest('hex');
}

/** The last diff made per file, returned again while neither side changed: what it touches is worked out once per diff. */
const lastDiffs = new Map<string, { head: string; text: string; diff: FileDiff }>();

/**
 * The changes of files against HEAD for the editor: `now` gives a file's text as analysed (unsaved
 * editors included). A file HEAD does not have is changed throughout; a file not in git is unchanged
 * (there is nothing to verify against).
 */
export function worktreeDiffs(
  now: (file: string) => string | undefined,
  lineFacts?: (file: string, text: string) => LineFacts | undefined,
): (file: string) => FileDiff | undefined {
  return (file) => {
    const text = now(file);
    if (text === undefined) return undefined;
    const top = topOf(file);
    if (top === undefined) return undefined;
    // Most loaded files are unchanged: one listing of HEAD tells, without reading each file at HEAD.
    const blob = headBlobs(top)?.get(relTo(top, file));
    if (blob !== undefined && blob === blobId(text, blob)) return undefined;
    const head = headText(file);
    const lines = lineFacts && ((t: string): LineFacts | undefined => lineFacts(file, t));
    if (head === undefined) {
      return { hunks: everything(text), now: text, old: () => undefined, lines };
    }
    const last = lastDiffs.get(file);
    if (last && last.head === head && last.text === text) return last.diff;
    const a = head.replace(/\r\n/g, '\n');
    const b = text.replace(/\r\n/g, '\n');
    if (a === b) return undefined;
    // Loaded here: only the editor diffs texts itself (the hook asks git).
    const { structuredPatch } = require('diff') as typeof import('diff');
    const patch = structuredPatch('HEAD', 'now', a, b, '', '', { context: 0 });
    // jsdiff: a start with a count of 0 is the line after the change (1-based).
    const hunks: Hunk[] = patch.hunks.map((h) => ({
      oldStart: h.oldStart - 1,
      oldLines: h.oldLines,
      newStart: h.newStart - 1,
      newLines: h.newLines,
    }));
    const diff: FileDiff = { hunks, now: text, old: () => head, lines };
    lastDiffs.set(file, { head, text, diff });
    return diff;
  };
}
