import type { Location } from '../findings';
import type { FileGraph } from './link';
import { relPath } from './paths';
import type { KeyedStage } from './testReach';
import type { SetAsideStage } from './types';
import { keyFile, moduleKey } from './unitKeys';

/** The public entry points of the package a file belongs to, mapped to analysed sources. */
export interface PackageEntries {
  /** The package.json naming them, absolute. */
  packageJson: string;
  /** Analysed files (absolute): what the package's users can load. */
  files: readonly string[];
}

/** What the analysis knows that setAside needs; the Analyzer provides it from its Workspace. */
export interface SetAsideSource {
  graphs: readonly FileGraph[];
  isTest(file: string): boolean;
  /** Build output analysed as such (includeBuildOutput): a published module, never a helper or a part. */
  isBuildOutput(file: string): boolean;
  /** The analysed files a file loads (imports, `require()` anywhere, re-exports). */
  loads(file: string): readonly string[];
  /** The package's public entries, or undefined when they are not all known (then nothing is set aside). */
  entries(file: string): PackageEntries | undefined;
  /** Unit keys a file exports, through re-exports, `export *` and CommonJS. */
  exported(file: string): ReadonlySet<string>;
  /** Where a unit key's declaration starts. */
  locate(key: string): Location;
}

/**
 * Splits the stages into those counted and estimator classes set aside, which a package's users never see as
 * stages: a test helper (its file is loaded only by tests, never by the package's entry: brain.js'
 * `TestLayer` in src/test-utils.ts) and an internal part (loaded by the package, not exported by its entry,
 * and used only inside other stages: ml-cart's `TreeNode`, which `DecisionTreeClassifier.train` builds).
 * Only the estimator rule's finds are judged: a `@stage` tag, a registration or a pipeline folder is the
 * author's word. Without known entries (an app, an unmapped `main`) nothing is set aside.
 */
export function setAside(
  root: string,
  stages: readonly KeyedStage[],
  src: SetAsideSource,
): { stages: KeyedStage[]; aside: (SetAsideStage & { key: string })[] } {
  // Only classes of a package with known entries can be judged; the rest costs nothing (a hook run reads few facts).
  const candidates = stages.flatMap((c) => {
    const file = keyFile(c.key);
    const entries = c.kind === 'estimator' && !src.isBuildOutput(file) ? src.entries(file) : undefined;
    return entries ? [{ c, file, entries }] : [];
  });
  if (candidates.length === 0) return { stages: [...stages], aside: [] };
  const graphs = new Map(src.graphs.map((g) => [g.file, g]));
  const loaded = new Map<string, readonly string[]>();
  const loads = (f: string): readonly string[] => {
    let list = loaded.get(f);
    if (!list) loaded.set(f, (list = src.loads(f)));
    return list;
  };
  const importers = new Map<string, Set<string>>();
  for (const g of src.graphs)
    for (const t of loads(g.file)) {
      const set = importers.get(t);
      if (set) set.add(g.file);
      else importers.set(t, new Set([g.file]));
    }
  const closures = new Map<string, Set<string>>();
  const closure = (entries: PackageEntries): Set<string> => {
    let set = closures.get(entries.packageJson);
    if (!set) {
      set = new Set(entries.files);
      for (const f of set) for (const t of loads(f)) set.add(t);
      closures.set(entries.packageJson, set);
    }
    return set;
  };
  const aside = new Map<string, string>();
  for (const { c, file, entries } of candidates) {
    const users = [...(importers.get(file) ?? [])];
    if (users.length === 0) continue;
    const entry = entries.files.map((f) => relPath(root, f)).join(', ');
    if (!closure(entries).has(file)) {
      if (users.every((f) => src.isTest(f)))
        aside.set(
          c.key,
          `a test helper (only tests load its file: ${names(root, users)}; the package entry ${entry} never does)`,
        );
      continue;
    }
    const owners = ownersOf(c, [file, ...users], graphs, stages, src);
    if (!owners || owners.size === 0) continue;
    // Named by the entry (`export { default as TreeNode }`): part of the package's interface after all.
    if (entries.files.some((f) => src.exported(f).has(c.key))) continue;
    const list = [...owners].sort();
    aside.set(
      c.key,
      `an internal part of ${list.join(', ')} (used only inside ${list.length === 1 ? 'it' : 'them'}; the package entry ${entry} does not export it)`,
    );
  }
  return {
    stages: stages.filter((s) => !aside.has(s.key)),
    aside: stages.filter((s) => aside.has(s.key)).map((s) => ({ ...s, why: aside.get(s.key) as string })),
  };
}

/**
 * The other stages whose declarations hold every use of `c` outside `c` itself (tests' uses aside), or
 * undefined when some use lies elsewhere (a function, the top level of a module).
 */
function ownersOf(
  c: KeyedStage,
  files: readonly string[],
  graphs: ReadonlyMap<string, FileGraph>,
  stages: readonly KeyedStage[],
  src: SetAsideSource,
): Set<string> | undefined {
  const owners = new Set<string>();
  for (const file of files) {
    const g = graphs.get(file);
    if (!g || (file !== keyFile(c.key) && src.isTest(file))) continue;
    for (const [from, to] of g.edges) {
      // Its own module's top level declares (and may export) it: the export is judged apart.
      if (!to.has(c.key) || from === c.key || from === moduleKey(keyFile(c.key))) continue;
      const at = src.locate(from);
      if (within(c.body, at)) continue;
      const owner = stages.find((s) => s.key !== c.key && within(s.body, at));
      if (!owner) return undefined;
      owners.add(owner.name);
    }
  }
  return owners;
}

function within(outer: Location, inner: Location): boolean {
  if (outer.file !== inner.file) return false;
  const a = outer.range;
  const p = inner.range.start;
  const afterStart = p.line > a.start.line || (p.line === a.start.line && p.character >= a.start.character);
  const beforeEnd = p.line < a.end.line || (p.line === a.end.line && p.character <= a.end.character);
  return afterStart && beforeEnd;
}

function names(root: string, files: readonly string[]): string {
  const list = [...files].sort().map((f) => relPath(root, f));
  return list.slice(0, 3).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
}

/** The note on stages set aside (all formats), naming each and the way to count it anyway. */
export function setAsideNote(root: string, aside: readonly SetAsideStage[]): string[] {
  if (aside.length === 0) return [];
  const one = aside.length === 1;
  const list = aside
    .map(
      (s) => `${s.name} (${relPath(root, s.location.file)}:${s.location.range.start.line + 1}, ${s.how}) is ${s.why}`,
    )
    .join('; ');
  return [
    `Not counted as ${one ? 'a stage' : 'stages'}: ${list}. Tag ${one ? 'it' : 'a class'} with @stage to count it.`,
  ];
}
