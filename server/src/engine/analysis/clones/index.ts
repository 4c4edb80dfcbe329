export { CloneIndex } from './cloneIndex';
export { detectClones } from './detectClones';
export { ignoredLines } from './ignoreComments';
export { tokenize } from './tokenize';
export type { CloneClass, CloneType, SourceFileText } from './types';
