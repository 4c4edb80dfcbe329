import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCached } from '../analysis/cache/resultCache';
import { readStagedSources } from '../analysis/gitIndex';
import type { SetAsideStage, Stage } from '../analysis/types';
import { ts } from '../analysis/typescript';
import { loadConfig } from '../config/load';
import { EngineError } from '../errors';
import { bundleStage } from './build';
import { DEFAULT_STAGE_TOLERANCE } from './compare';
import { MAX_LENGTH, NUMBER_RANGE, ungeneratable } from './generate';
import { runInWorker } from './host';
import { accessOf, declarationAt, declarationNamed, shapeOf, type StageAccess } from './locate';
import { stageProgram } from './program';
import { resolveCommit } from '../git';
import { gitTop, materialize, revisionTree, tempTree } from './tree';
import { signatureText } from './typeSpec';
import type { ParamSpec, SourceSpec, StageShape, StageVerifyOptions, StageVerifyReport } from './types';

const DEFAULT_STAGE_COUNT = 200;
const DEFAULT_STAGE_SEED = 42;
const DEFAULT_CALL_TIMEOUT_MS = 2000;

/** Label of a version in reports: `HEAD`, `work tree`, `index`. */
function sourceLabel(s: SourceSpec): string {
  return s.kind === 'revision' ? s.rev : s.kind === 'index' ? 'index' : 'work tree';
}

/** One version of the stage, resolved to a file in a tree. */
interface Version {
  label: string;
  /** Folder the version's files are in (the work tree, or a temp copy of git's objects). */
  dir: string;
  file: string;
  overrides?: ReadonlyMap<string, string>;
  /** Maps a file in `dir` to what reports should show. */
  display: (f: string) => string;
}

/**
 * Verifies that a stage behaves the same in two versions (default: HEAD against the work tree) on
 * generated inputs and fixtures. Throws EngineError for bad input: the stage is not found (the message
 * lists the stages), its signature changed, a parameter cannot be generated and no fixtures were
 * given, a version does not build (located), or it cannot be loaded.
 */
export async function verifyStage(
  opts: StageVerifyOptions & { knownStages?: readonly Stage[] },
): Promise<StageVerifyReport> {
  const started = Date.now();
  const root = fs.realpathSync(path.resolve(opts.root));
  const top = gitTop(root);
  const baselineSpec = opts.baseline ?? { kind: 'revision', rev: 'HEAD' };
  const candidateSpec = opts.candidate ?? { kind: 'worktree' };
  const config = loadConfig(root);
  const cleanups: (() => void)[] = [];
  try {
    const found = opts.knownStages
      ? { stages: opts.knownStages, setAside: [] }
      : stagesOf(root, config.analysis, candidateSpec);
    const stage = pickStage(found, opts.stage, root, sourceLabel(candidateSpec));
    const rel = path.relative(top, fs.realpathSync(stage.location.file));
    const cand = version(candidateSpec, top, rel, cleanups);
    const base = version(baselineSpec, top, rel, cleanups);

    let program = stageProgram([cand.file, ...(fs.existsSync(base.file) ? [base.file] : [])], cand.overrides, root);
    const candSf = program.getSourceFile(cand.file);
    if (!candSf) throw new EngineError('file-not-found', `cannot read the stage's file`, { file: stage.location.file });
    const candDecl = declarationAt(
      candSf,
      candSf.getPositionOfLineAndCharacter(stage.location.range.start.line, stage.location.range.start.character),
    );
    if (!candDecl)
      throw new EngineError(
        'stage-unsupported',
        `no function or class declaration found for stage "${stage.name}"`,
        at(stage),
      );
    // An estimator found as an ES5 class is a function whose methods live on its prototype: calling it as a
    // function would compare constructors and call a changed `train` equivalent.
    if (stage.kind === 'estimator' && !ts.isClassLike(candDecl))
      throw new EngineError(
        'stage-unsupported',
        `cannot verify stage "${stage.name}": it is an ES5 class (a function with prototype methods); only ES classes and functions can be verified`,
        at(stage),
      );
    const candAccess = accessOf(candDecl);
    if (typeof candAccess === 'string')
      throw new EngineError('stage-unsupported', `cannot verify stage "${stage.name}": ${candAccess}`, at(stage));

    // The baseline: the same name in the same file, else wherever the analysis of that version finds it.
    const localName = candAccess.kind === 'local' ? candAccess.name : stage.name;
    let baseSf = program.getSourceFile(base.file);
    let baseDecl =
      baseSf &&
      (declarationNamed(baseSf, localName) ??
        (candAccess.kind === 'export' ? exportedNamed(baseSf, candAccess) : undefined));
    if (!baseDecl) {
      const moved = stagesOf(base.dir === top ? root : path.join(base.dir, path.relative(top, root)), config.analysis, {
        kind: 'worktree',
      }).stages.find((s) => s.name === stage.name);
      if (!moved)
        throw new EngineError(
          'stage-not-found',
          `stage "${stage.name}" does not exist at ${base.label} (a new stage has nothing to be compared with)`,
          at(stage),
        );
      base.file = moved.location.file;
      program = stageProgram([cand.file, base.file], cand.overrides, root);
      baseSf = program.getSourceFile(base.file);
      baseDecl =
        baseSf &&
        declarationAt(
          baseSf,
          baseSf.getPositionOfLineAndCharacter(moved.location.range.start.line, moved.location.range.start.character),
        );
      if (!baseDecl)
        throw new EngineError(
          'stage-not-found',
          `stage "${stage.name}" at ${base.label} is not a function or class declaration`,
          { file: base.display(base.file) },
        );
    }
    const baseAccess = accessOf(baseDecl);
    if (typeof baseAccess === 'string')
      throw new EngineError(
        'stage-unsupported',
        `cannot verify stage "${stage.name}" at ${base.label}: ${baseAccess}`,
        { file: base.display(base.file) },
      );

    const checker = program.getTypeChecker();
    // The candidate's node in the final program (rebuilt above when the baseline moved).
    const finalSf = program.getSourceFile(cand.file);
    const candNode = (finalSf && declarationAt(finalSf, candDecl.getStart(candSf))) ?? candDecl;
    const candShape = shapeOf(checker, candNode);
    const baseShape = shapeOf(checker, baseDecl);
    if (typeof candShape === 'string')
      throw new EngineError('stage-unsupported', `cannot verify stage "${stage.name}": ${candShape}`, at(stage));
    if (typeof baseShape === 'string')
      throw new EngineError('stage-unsupported', `cannot verify stage "${stage.name}" at ${base.label}: ${baseShape}`, {
        file: base.display(base.file),
      });
    const signatureNote = checkSignatures(stage, base.label, cand.label, baseShape, candShape);

    const fixtures = opts.fixtures ?? [];
    const missing = ungeneratable(baseShape);
    let count = opts.count ?? DEFAULT_STAGE_COUNT;
    const notes: string[] = [];
    if (signatureNote) notes.push(signatureNote);
    if (missing.length > 0) {
      if (fixtures.length === 0) {
        throw new EngineError(
          'stage-unsupported',
          `cannot generate inputs for stage "${stage.name}": ${missing.join('; ')}. Give calls with --inputs FILE or record them with \`ml-parity record\``,
          at(stage),
        );
      }
      notes.push(`no generated inputs (${missing.join('; ')}): only the ${fixtures.length} given calls were run`);
      count = 0;
    }
    if (count > 0) notes.push(generationNote(baseShape));
    if (count === 0 && fixtures.length === 0)
      throw new EngineError('usage', 'nothing to run: --count 0 and no fixtures', at(stage));

    const [baseCode, candCode] = await Promise.all([
      bundleStage({
        file: base.file,
        access: baseAccess,
        overrides: base.overrides,
        displayPath: base.display,
        tree: { dir: base.dir, top },
      }),
      bundleStage({
        file: cand.file,
        access: candAccess,
        overrides: cand.overrides,
        displayPath: cand.display,
        tree: { dir: cand.dir, top },
      }),
    ]);
    const seed = opts.seed ?? DEFAULT_STAGE_SEED;
    const callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const tolerance = opts.tolerance ?? DEFAULT_STAGE_TOLERANCE;
    const hardLimit = opts.budgetMs !== undefined ? opts.budgetMs * 2 + 5000 : 10 * 60_000;
    const r = await runInWorker(
      {
        name: stage.name,
        baseline: { code: baseCode, file: base.display(base.file) },
        candidate: { code: candCode, file: cand.display(cand.file) },
        // Packages resolve from the real project for both versions (git holds no node_modules).
        requireFrom: path.join(root, 'package.json'),
        shape: baseShape,
        count,
        seed,
        fixtures,
        callTimeoutMs,
        budgetMs: opts.budgetMs,
        tolerance,
        labels: { baseline: base.label, candidate: cand.label },
      },
      hardLimit,
      opts.signal,
      opts.onProgress,
      opts.prefork,
    );
    notes.push(
      `package imports (node_modules) come from the work tree for both versions; the project's own files, workspace packages linked there included, come from each version`,
    );
    if (r.bothTimedOut > 0)
      notes.push(`${r.bothTimedOut} input(s) not judged: both versions ran past ${callTimeoutMs} ms`);
    if (r.truncated)
      notes.push(
        `stopped by the ${opts.budgetMs} ms budget after ${r.generated + r.fixtures} of ${count + fixtures.length} inputs`,
      );
    const judged = r.generated + r.fixtures - r.bothTimedOut;
    if (judged === 0)
      throw new EngineError(
        'stage-timeout',
        `no input of stage "${stage.name}" could be judged (${r.truncated ? 'out of time' : 'every call timed out'})`,
        at(stage),
      );
    return {
      stage: stage.name,
      kind: baseShape.kind,
      location: stage.location,
      baselineLabel: base.label,
      candidateLabel: cand.label,
      status: r.failures > 0 ? 'not-equivalent' : 'equivalent',
      inputs: {
        generated: r.generated,
        fixtures: r.fixtures,
        total: r.generated + r.fixtures,
        fixturesOrigin: opts.fixturesOrigin,
      },
      failures: r.failures,
      seed,
      counterexample: r.counterexample,
      truncated: r.truncated,
      notes,
      durationMs: Date.now() - started,
    };
  } finally {
    for (const c of cleanups) c();
  }
}

function at(stage: Stage): { file: string; line: number; column: number } {
  return {
    file: stage.location.file,
    line: stage.location.range.start.line + 1,
    column: stage.location.range.start.character + 1,
  };
}

/** The stages of a version, and the classes its analysis set aside (see analysis/setAside.ts). */
interface FoundStages {
  stages: readonly Stage[];
  setAside: readonly SetAsideStage[];
}

function stagesOf(root: string, analysis: ReturnType<typeof loadConfig>['analysis'], spec: SourceSpec): FoundStages {
  // The analysis cache answers a repeated run without parsing the workspace again.
  const r =
    spec.kind === 'index'
      ? analyzeCached(root, analysis, { overrides: readStagedSources(root), exclusive: true })
      : analyzeCached(root, analysis, { overrides: spec.kind === 'worktree' ? spec.overrides : undefined });
  return { stages: r.stages, setAside: r.setAside ?? [] };
}

function pickStage({ stages, setAside }: FoundStages, name: string, root: string, where: string): Stage {
  const hit = stages.find((s) => s.name === name);
  if (hit) return hit;
  const aside = setAside.find((s) => s.name === name);
  if (aside)
    throw new EngineError(
      'stage-not-found',
      `"${name}" is not counted as a stage in the ${where}: it is ${aside.why}. Verify the stages that use it, or tag it with @stage to verify it alone`,
      at(aside),
    );
  const names = [...new Set(stages.map((s) => s.name))].sort();
  const list = names.length > 0 ? `the stages are: ${names.join(', ')}` : 'the analysis found no stages';
  throw new EngineError('stage-not-found', `no stage named "${name}" in the ${where} (${list})`, { file: root });
}

function version(spec: SourceSpec, top: string, rel: string, cleanups: (() => void)[]): Version {
  if (spec.kind === 'worktree')
    return { label: 'work tree', dir: top, file: path.join(top, rel), overrides: spec.overrides, display: (f) => f };
  let dir: string;
  let label = 'index';
  if (spec.kind === 'revision') {
    dir = revisionTree(top, resolveCommit(top, spec.rev));
    label = spec.rev;
  } else {
    const t = tempTree('mlp-stage-index-');
    cleanups.push(t.dispose);
    materialize(top, undefined, t.dir);
    dir = t.dir;
  }
  const display = (f: string): string =>
    f.startsWith(dir + path.sep) ? `${label}:${path.relative(dir, f).split(path.sep).join('/')}` : f;
  return { label, dir, file: path.join(dir, rel), display };
}

/** `module.exports = …` / `export default …` in the baseline, for a candidate reached the same way. */
function exportedNamed(
  sf: ts.SourceFile,
  access: Extract<StageAccess, { kind: 'export' }>,
): ReturnType<typeof declarationNamed> {
  let found: ReturnType<typeof declarationNamed>;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      (ts.isArrowFunction(n) ||
        ts.isFunctionExpression(n) ||
        ts.isClassExpression(n) ||
        ts.isFunctionDeclaration(n) ||
        ts.isClassDeclaration(n)) &&
      (() => {
        const a = accessOf(n);
        return typeof a !== 'string' && a.kind === 'export' && a.name === access.name;
      })()
    ) {
      found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function specsOf(shape: StageShape): { where: string; params: ParamSpec[] }[] {
  return shape.kind === 'function'
    ? [{ where: '', params: shape.params }]
    : [
        { where: 'constructor', params: shape.ctor },
        ...shape.methods.map((m) => ({ where: m.name, params: m.params })),
      ];
}

/**
 * Inputs are made from the baseline's signature; the candidate must accept them. The same parameter
 * specs (names may differ), or extra optional parameters at the end, pass; anything else is a changed
 * signature and exit 2, since no input means the same thing to both.
 */
function checkSignatures(
  stage: Stage,
  baseLabel: string,
  candLabel: string,
  base: StageShape,
  cand: StageShape,
): string | undefined {
  const a = specsOf(base);
  const b = specsOf(cand);
  const text = (s: { where: string; params: ParamSpec[] }[]): string =>
    s.map((x) => `${x.where}${signatureText(x.params)}`).join(', ');
  const mismatch = (): EngineError =>
    new EngineError(
      'stage-signature-changed',
      `the signature of stage "${stage.name}" changed: ${baseLabel} ${text(a)}, ${candLabel} ${text(b)}; generated inputs would not mean the same to both`,
      at(stage),
    );
  if (base.kind !== cand.kind || a.length !== b.length) throw mismatch();
  let added = false;
  a.forEach((x, i) => {
    const y = b[i];
    if (x.where !== y.where) throw mismatch();
    const same = (p: ParamSpec, q: ParamSpec): boolean =>
      JSON.stringify(p.spec ?? p.typeText) === JSON.stringify(q.spec ?? q.typeText) && p.rest === q.rest;
    if (y.params.length < x.params.length || !x.params.every((p, j) => same(p, y.params[j]))) throw mismatch();
    if (y.params.slice(x.params.length).some((p) => !p.optional)) throw mismatch();
    if (y.params.length > x.params.length) added = true;
  });
  return added
    ? `the ${candLabel} adds optional parameters (${text(b)}); they were left out, as callers written for ${baseLabel} do`
    : undefined;
}

function generationNote(shape: StageShape): string {
  const ints = specsOf(shape).flatMap((s) =>
    s.params.filter((p) => JSON.stringify(p.spec).includes('"integer":true')).map((p) => p.name),
  );
  return `inputs generated from the parameter types: numbers in ±${NUMBER_RANGE} (no NaN or Infinity), arrays of up to ${MAX_LENGTH} elements${ints.length > 0 ? `; ${ints.join(', ')} as integers from -3 to ${MAX_LENGTH + 3} (the code indexes or loops with them)` : ''}`;
}
