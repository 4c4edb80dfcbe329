/**
 * The analysis's view of the git index: its source files, and the package.json and tsconfig.json files
 * the build-output rules read (see isAnalysisInput). Every git call goes through engine/git.ts.
 */
import { indexEntries, readIndexTexts, type GitBlobEntry } from '../git';
import { isAnalysisInput } from './paths';

/**
 * The staged (index) content of the analysis inputs under `root`: absolute path → text. This is what a
 * commit would contain, regardless of the work tree. Throws EngineError 'not-a-git-repo' / 'git-error'.
 */
export function readStagedSources(root: string): Map<string, string> {
  return readIndexTexts(root, isAnalysisInput);
}

/** Index entries of the analysis inputs under `root` (blob ids are content hashes: no file is read). */
export function stagedSourceEntries(root: string): GitBlobEntry[] {
  return indexEntries(root, isAnalysisInput);
}
