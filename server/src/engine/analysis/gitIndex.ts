/**
 * The analysis's view of git: source files as the index or a commit holds them. Every git call goes
 * through engine/git.ts.
 */
import { readBlobs, readIndexTexts, revisionEntries } from '../git';
import { isSourceFile } from './paths';

/**
 * The staged (index) content of the source files under `root`: absolute path → text. This is what a
 * commit would contain, regardless of the work tree. Throws EngineError 'not-a-git-repo' / 'git-error'.
 */
export function readStagedSources(root: string): Map<string, string> {
  return readIndexTexts(root, isSourceFile);
}

/** The source files under `root` as they are in `commit`: absolute path → text. */
export function readSourcesAtRevision(root: string, commit: string): Map<string, string> {
  return readBlobs(root, revisionEntries(root, commit, isSourceFile));
}
