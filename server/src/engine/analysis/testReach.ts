import type { Finding, Location, RelatedLocation } from '../findings';
import type { BuiltUse, FileGraph, ImportEdge } from './link';
import type { Stage } from './types';
import type { Reach } from './reachIndex';
import { relPath } from './paths';
import { RULES } from '../rules';

/** A merged stage with the unit key of its declaration. */
export type KeyedStage = Stage & { key: string };

/** One `untested-stage` finding per stage no test reaches, naming the test that comes closest. */
export function untestedStageFindings(
  root: string,
  stages: readonly KeyedStage[],
  reach: Reach,
  graphs: readonly FileGraph[],
): Finding[] {
  const near = new NearestTests(stages, reach, graphs);
  const unmapped = unmappedBuilt(graphs);
  const built = [...new Set(unmapped.map((u) => u.built))];
  let caveat = '';
  if (unmapped.length > 0) {
    const first = unmapped[0];
    const more = built.length > 1 ? ` (and ${built.length - 1} more built file${built.length > 2 ? 's' : ''})` : '';
    caveat = `; but ${relPath(root, first.location.file)} imports build output ${relPath(root, first.built)} that could not be mapped to source (${first.why})${more}, so a test may reach it`;
  }
  const out: Finding[] = [];
  for (const stage of stages) {
    if (reach.all.has(stage.key)) continue;
    const related: RelatedLocation[] = [];
    if (stage.registration)
      related.push({ ...stage.registration, message: `stage '${stage.name}' is registered here` });
    const nearest = near.of(root, stage);
    if (nearest) related.push(nearest.related);
    for (const u of unmapped)
      related.push({
        ...u.location,
        message: `imports build output ${relPath(root, u.built)} that could not be mapped to source: ${u.why}`,
      });
    out.push({
      file: stage.location.file,
      range: stage.location.range,
      rule: 'untested-stage',
      severity: RULES['untested-stage'].severity,
      message: `Stage '${stage.name}' is not reached by any test${nearest ? `; nearest test: ${nearest.text}` : ''}${caveat}`,
      related,
      data: {
        stage: stage.name,
        file: stage.location.file,
        kind: stage.kind,
        ...(nearest ? { nearestTest: nearest.test } : {}),
        ...(built.length > 0 ? { unmappedBuild: built } : {}),
      },
    });
  }
  return out;
}

type Unmapped = BuiltUse & { why: string };

/** The tests' imports of build output that could not be mapped to source, in path order. */
function unmappedBuilt(graphs: readonly FileGraph[]): Unmapped[] {
  return graphs
    .flatMap((g) => g.built ?? [])
    .filter((u): u is Unmapped => 'why' in u)
    .sort((a, b) => a.location.file.localeCompare(b.location.file) || a.built.localeCompare(b.built));
}

/** One note on the build output tests import that was read as its source (what, and how it was mapped). */
export function builtImportNotes(root: string, graphs: readonly FileGraph[]): string[] {
  const mapped = new Map<string, string>();
  for (const g of graphs)
    for (const u of g.built ?? [])
      if ('source' in u) mapped.set(u.built, `${relPath(root, u.built)} as ${relPath(root, u.source)} (${u.how})`);
  if (mapped.size === 0) return [];
  const list = [...mapped.keys()].sort().map((k) => mapped.get(k) as string);
  const shown = list.slice(0, 3).join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
  return [`Tests import build output, read as the source it was built from: ${shown}.`];
}

interface Nearest {
  test: string;
  text: string;
  related: RelatedLocation;
}

/** Indexes built once per run so finding the nearest test does not rescan every test and stage per stage. */
class NearestTests {
  private readonly tests: string[];
  /** Imported file → first test (in path order) importing it, with its first such import. */
  private readonly importer = new Map<string, { test: string; imp: ImportEdge }>();
  /** Stage indices by declaring file and by registering file, ascending. */
  private readonly byFile = new Map<string, number[]>();
  private readonly byRegistration = new Map<string, number[]>();
  /** Stage key → indices (into `tests`) of the tests reaching it, ascending. */
  private readonly reachers = new Map<string, number[]>();

  constructor(
    private readonly stages: readonly KeyedStage[],
    reach: Reach,
    graphs: readonly FileGraph[],
  ) {
    const imports = new Map(graphs.map((g) => [g.file, g.imports]));
    this.tests = [...reach.perTest.keys()].sort();
    for (const test of this.tests) {
      for (const imp of imports.get(test) ?? [])
        if (!this.importer.has(imp.target)) this.importer.set(imp.target, { test, imp });
    }
    this.tests.forEach((test, t) => {
      for (const key of reach.perTest.get(test) ?? []) push(this.reachers, key, t);
    });
    stages.forEach((s, i) => {
      push(this.byFile, s.location.file, i);
      if (s.registration) push(this.byRegistration, s.registration.file, i);
    });
  }

  of(root: string, stage: KeyedStage): Nearest | undefined {
    // Closest: a test that imports the stage's module but never gets to the stage itself.
    const hit = this.importer.get(stage.location.file);
    if (hit) {
      const rel = relPath(root, hit.test);
      return {
        test: hit.test,
        text: `${rel} imports its module but never calls it`,
        related: {
          ...hit.imp.location,
          message: `nearest test: imports the module of '${stage.name}' but never calls it`,
        },
      };
    }
    // Next: the test reaching most sibling stages (same file, or registered in the same file).
    const ids = new Set(this.byFile.get(stage.location.file));
    if (stage.registration) for (const i of this.byRegistration.get(stage.registration.file) ?? []) ids.add(i);
    const siblings = [...ids]
      .sort((a, b) => a - b)
      .map((i) => this.stages[i])
      .filter((s) => s.key !== stage.key);
    // Per test (by index in path order), the sibling names it reaches, in sibling order.
    const names = new Map<number, string[]>();
    for (const s of siblings) for (const t of this.reachers.get(s.key) ?? []) push(names, t, s.name);
    let best: { test: string; names: string[] } | undefined;
    let bestIndex = -1;
    // Most siblings wins; on a tie the first test in path order.
    for (const [t, list] of names) {
      if (!best || list.length > best.names.length || (list.length === best.names.length && t < bestIndex)) {
        best = { test: this.tests[t], names: list };
        bestIndex = t;
      }
    }
    if (!best) return undefined;
    const rel = relPath(root, best.test);
    const n = best.names.length;
    const reaches = `reaches ${n} sibling stage${n === 1 ? '' : 's'} (${best.names.join(', ')}) but not this one`;
    const at: Location = {
      file: best.test,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    };
    return { test: best.test, text: `${rel} ${reaches}`, related: { ...at, message: `nearest test: ${reaches}` } };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
