/**
 * The analysis's view of the git index: its source files. Every git call goes
 * through engine/git.ts.
 */
import { indexEntries, readIndexTexts, type GitBlobEntry } from '../git';
import { isSourceFile } from './paths';

/**
 * The staged (index) content of the source files under `root`: absolute path → text. This is what a
 * commit would contain, regardless of the work tree. Throws EngineError 'not-a-git-repo' / 'git-error'.
 */
export function readStagedSources(root: string): Map<string, string> {
  return readIndexTexts(root, isSourceFile);
}

/** Index entries of the source files under `root` (blob ids are content hashes: no file is read). */
export function stagedSourceEntries(root: string): GitBlobEntry[] {
  return indexEntries(root, isSourceFile);
}
