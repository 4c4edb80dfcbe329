import * as fs from 'node:fs';
import * as os from 'node:os';
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
  /** For a git spec: where it was read. */
  git?: { root: string; rev: string; rel: string };
  /** A copy on disk with its external data beside it, all taken at the git revision (see withExternalData). */
  materialized?: string;
}

function specialKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'something that is not a regular file';
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
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new EngineError('not-onnx', 'expected an .onnx file, got a folder', { file });
    // Reading a FIFO would wait forever for a writer, a device such as /dev/zero would never end.
    if (!stat.isFile()) throw new EngineError('not-onnx', `expected an .onnx file, got ${specialKind(stat)}`, { file });
    return { spec, resolved: file, file, bytes: new Uint8Array(fs.readFileSync(file)) };
  }
  if (!git.rev) throw new EngineError('usage', `"${spec}": missing revision after "git:"`);
  const target = git.path ? path.resolve(baseDir, git.path) : candidatePath;
  if (!target) throw new EngineError('usage', `"${spec}": no path given and no candidate path to take it from`);
  const root = workTreeTop(fs.existsSync(path.dirname(target)) ? path.dirname(target) : baseDir);
  const rel = repoRelative(root, target);
  const bytes = showAtRevision(root, git.rev, rel);
  return {
    spec,
    resolved: `${git.rev}:${rel}`,
    file: target,
    bytes: new Uint8Array(bytes),
    git: { root, rev: git.rev, rel },
  };
}

/**
 * Makes the model's external data files (`externalData`, relative to its folder) come from the same place
 * as the model. A plain file keeps them beside it (checked here, so a missing one is named). A model read
 * at a git revision is written with every external data file read at that revision into a private temp
 * folder: loaded from memory, onnxruntime would take the weights from the work tree instead, and a changed
 * model could pass. Returns the function that removes the temp folder.
 */
export function withExternalData(m: ModelBytes, externalData: readonly string[]): () => void {
  if (externalData.length === 0) return () => undefined;
  if (!m.git) {
    const dir = path.dirname(m.file);
    const missing = externalData.filter((f) => !fs.existsSync(path.join(dir, f)));
    if (missing.length > 0) {
      throw new EngineError(
        'file-not-found',
        `external data file${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')} not found beside the model`,
        { file: m.file },
      );
    }
    return () => undefined;
  }
  const { root, rev, rel } = m.git;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-rev-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const model = path.join(dir, path.posix.basename(rel));
    fs.writeFileSync(model, m.bytes);
    for (const f of externalData) {
      const atRev = path.posix.join(path.posix.dirname(rel), f);
      const out = path.join(dir, ...f.split('/'));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, showAtRevision(root, rev, atRev));
    }
    m.materialized = model;
  } catch (e) {
    remove();
    throw e;
  }
  return remove;
}

/**
 * What onnxruntime should load: a path where one exists with the right external data beside it, else the
 * bytes (a git revision without external data exists only in memory).
 */
export function runtimeSource(m: ModelBytes): string | Uint8Array {
  return m.materialized ?? (m.git ? m.bytes : m.file);
}

/**
 * The folder a model's external data `location`s resolve against when it is loaded from bytes: the private
 * copy for a git revision that has external data, the model's own folder for a plain file; none for a git
 * revision without external data (nothing to resolve).
 */
export function externalDataDir(m: ModelBytes): string | undefined {
  if (m.materialized) return path.dirname(m.materialized);
  return m.git ? undefined : path.dirname(m.file);
}
