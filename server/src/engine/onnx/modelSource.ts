import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import { repoRelative, showAtRevision, workTreeTop } from '../git';

/** Model bytes plus where they came from, for messages and reports. */
export interface ModelBytes {
  spec: string;
  /** The file read, or `REV:path` for a git revision. */
  resolved: string;
  /** A path to point errors at (the work-tree file for git specs). */
  file: string;
  bytes: Uint8Array;
}

/** Parses `git:REV` or `git:REV:path`; undefined for a plain path. */
export function parseGitSpec(spec: string): { rev: string; path?: string } | undefined {
  if (!spec.startsWith('git:')) return undefined;
  const rest = spec.slice(4);
  const colon = rest.indexOf(':');
  if (colon < 0) return { rev: rest };
  return { rev: rest.slice(0, colon), path: rest.slice(colon + 1) };
}

/**
 * Reads a model given as a path or a git spec. `git:REV` means the candidate's own path at REV;
 * `git:REV:path` another path (relative to `baseDir`).
 */
export function readModel(spec: string, baseDir: string, candidatePath?: string): ModelBytes {
  const git = parseGitSpec(spec);
  if (!git) {
    const file = path.resolve(baseDir, spec);
    if (!fs.existsSync(file)) throw new EngineError('file-not-found', 'model file not found', { file });
    if (fs.statSync(file).isDirectory())
      throw new EngineError('not-onnx', 'expected an .onnx file, got a folder', { file });
    return { spec, resolved: file, file, bytes: new Uint8Array(fs.readFileSync(file)) };
  }
  if (!git.rev) throw new EngineError('usage', `"${spec}": missing revision after "git:"`);
  const target = git.path ? path.resolve(baseDir, git.path) : candidatePath;
  if (!target) throw new EngineError('usage', `"${spec}": no path given and no candidate path to take it from`);
  const root = workTreeTop(fs.existsSync(path.dirname(target)) ? path.dirname(target) : baseDir);
  const rel = repoRelative(root, target);
  const bytes = showAtRevision(root, git.rev, rel);
  return { spec, resolved: `${git.rev}:${rel}`, file: target, bytes: new Uint8Array(bytes) };
}
