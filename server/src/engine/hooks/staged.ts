import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitOrThrow } from '../git';

/** Index entries (paths relative to the top) at `rel` or below it. */
function indexEntries(top: string, rel: string): string[] {
  const out = gitOrThrow(top, ['ls-files', '--cached', '-z', '--', rel]);
  return out.toString('utf8').split('\0').filter(Boolean);
}

/** Staged copies of index entries in a private temp folder; the work tree and the index are never touched. */
export class StagedSnapshot {
  readonly dir: string;
  private readonly written = new Set<string>();

  constructor(private readonly top: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-staged-'));
  }

  /**
   * The staged version of an absolute path (file or folder) inside the snapshot, or undefined when the
   * index has nothing there (an untracked file is judged as it is on disk by the caller).
   */
  materialize(abs: string): string | undefined {
    const rel = path.relative(this.top, abs).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    const entries = indexEntries(this.top, rel || '.');
    if (entries.length === 0) return undefined;
    const missing = entries.filter((e) => !this.written.has(e));
    if (missing.length > 0) {
      // checkout-index writes index blobs under --prefix (filters applied) and leaves the index alone.
      gitOrThrow(this.top, ['checkout-index', '-z', '--stdin', `--prefix=${this.dir}${path.sep}`], {
        input: missing.join('\0') + '\0',
        what: `git checkout-index failed for ${rel}`,
        file: abs,
      });
      for (const e of missing) this.written.add(e);
    }
    return path.join(this.dir, rel);
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
