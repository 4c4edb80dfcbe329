export { CloneIndex } from './cloneIndex';
export { detectClones } from './detectClones';
export { ignoredLines } from './ignoreComments';
export { tokenize, type FileTokens } from './tokenize';
export {
  DEFAULT_CLONE_OPTIONS,
  type CloneClass,
  type CloneOptions,
  type CloneType,
  type SourceFileText,
} from './types';
