import picomatch from 'picomatch';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../config/types';

/**
 * Folders (any depth, any case: ml-random-forest's `Benchmark/`) whose code is not the library's:
 * benchmarks, scripts and examples. Their files are analysed and followed where library code imports
 * them, but they declare no stages (an explicit `@stage` tag excepted), take no part in duplicate
 * detection, and running them is not testing.
 */
const AUXILIARY_FOLDERS = new Set([
  'bench',
  'benchmark',
  'benchmarks',
  'scripts',
  'examples',
  'example',
  'demo',
  'demos',
]);

/**
 * Tells auxiliary files (see AUXILIARY_FOLDERS) from library code by their root-relative path. A folder
 * that the config's own `analysis.include` names (`"scripts/**"`), or that was named on the command line
 * (`namedFolders`), is library code.
 */
export class AuxiliaryFolders {
  /** Own include globs that name a folder segment literally, with a matcher each. */
  private readonly naming: { segments: Set<string>; match: (rel: string) => boolean }[];

  constructor(config: Pick<AnalysisConfig, 'include' | 'namedFolders'>) {
    const own = config.include.join('\0') === DEFAULT_ANALYSIS.include.join('\0') ? [] : config.include;
    const named = (config.namedFolders ?? []).map((f) => `${f}/**`);
    this.naming = [...own, ...named].map((g) => ({
      segments: new Set(g.split('/').map((s) => s.toLowerCase())),
      match: picomatch(g, { dot: true }),
    }));
  }

  /** The folder (root-relative, as written on disk: `Benchmark`) that makes `rel` auxiliary, or undefined. */
  folderOf(rel: string): string | undefined {
    const segments = rel.split('/');
    for (let i = 0; i < segments.length - 1; i++) {
      const name = segments[i].toLowerCase();
      if (!AUXILIARY_FOLDERS.has(name)) continue;
      if (this.naming.some((g) => g.segments.has(name) && g.match(rel))) return undefined;
      return segments.slice(0, i + 1).join('/');
    }
    return undefined;
  }
}

/** The one note on auxiliary files: which, what that means, and how to get the other behaviour. */
export function auxiliaryNote(folders: ReadonlyMap<string, number>): string | undefined {
  if (folders.size === 0) return undefined;
  const total = [...folders.values()].reduce((a, b) => a + b, 0);
  const sorted = [...folders].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted
    .slice(0, 5)
    .map(([f, n]) => `${f}/ (${n})`)
    .join(', ');
  const more = sorted.length > 5 ? `, and ${sorted.length - 5} more folder${sorted.length > 6 ? 's' : ''}` : '';
  const example = sorted[0][0];
  return (
    `Not library code: ${total} file${total === 1 ? '' : 's'} of benchmarks, scripts or examples in ${shown}${more}. ` +
    `They declare no stages (except with a @stage tag), are not checked for duplicates, and running them does not count as a test; ` +
    `they are still followed where library code imports them. ` +
    `To analyse such a folder as library code, name it in "analysis.include" in mlparity.config.json (e.g. ["${example}/**"]); ` +
    `to leave it out, in "analysis.exclude".`
  );
}
