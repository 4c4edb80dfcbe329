import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Stage } from '../analysis/types';
import { gitTop } from './tree';

const TTL_MS = 2000;
const cache = new Map<string, { at: number; text: string | undefined }>();

/** A file's text at HEAD (undefined when not in git or new), cached briefly: code actions ask on every cursor move. */
function headText(file: string): string | undefined {
  const hit = cache.get(file);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.text;
  let text: string | undefined;
  try {
    const top = gitTop(path.dirname(file));
    const rel = path.relative(top, file).split(path.sep).join('/');
    const r = spawnSync('git', ['show', `HEAD:${rel}`], { cwd: top, encoding: 'utf8', maxBuffer: 1 << 28 });
    text = r.status === 0 ? r.stdout : undefined;
  } catch {
    text = undefined;
  }
  cache.set(file, { at: Date.now(), text });
  return text;
}

/**
 * True when the stage's declaration, as in `text`, does not appear verbatim in its file at HEAD: the
 * stage was edited (or moved within the file with changes). False when unchanged, or when HEAD has no such
 * file (a new file has nothing to verify against).
 */
export function stageDiffersFromHead(stage: Stage, text: string): boolean {
  const head = headText(stage.body.file);
  if (head === undefined) return false;
  const lines = text.split('\n');
  const { start, end } = stage.body.range;
  const body = lines.slice(start.line, end.line + 1).join('\n').trim();
  return body.length > 0 && !head.replace(/\r\n/g, '\n').includes(body.replace(/\r\n/g, '\n'));
}
