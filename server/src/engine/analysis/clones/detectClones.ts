import { CloneIndex } from './cloneIndex';
import type { CloneClass, CloneOptions, SourceFileText } from './types';

/** One-shot detection over a set of files (pure: no file I/O). */
export function detectClones(files: readonly SourceFileText[], opts: Partial<CloneOptions> = {}): CloneClass[] {
  const index = new CloneIndex(opts);
  for (const f of files) index.update(f);
  return index.classes();
}
