import { EngineError } from '../errors';
import type { OutputComparison } from './types';

/**
 * Outputs with no element in any fixture compared nothing, and a pass on them would be silent. Returns a
 * warning per such output; throws when no output compared anything, since the case cannot be judged.
 */
export function emptyOutputWarnings(outputs: readonly OutputComparison[]): string[] {
  const empty = outputs.filter((o) => o.elements === 0 && !o.shapeMismatch);
  if (empty.length === 0) return [];
  if (empty.length === outputs.length) {
    throw new EngineError(
      'nothing-compared',
      `nothing was compared: ${outputs.length === 1 ? 'the output' : 'every output'} (${empty.map((o) => `"${o.name}"`).join(', ')}) had 0 elements in every fixture`,
    );
  }
  return empty.map((o) => `output "${o.name}" had 0 elements in every fixture: nothing was compared for it`);
}
