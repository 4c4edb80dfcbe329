import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFiles } from '../analysis/analyzer';
import { ts } from '../analysis/typescript';
import { loadConfig } from '../config/load';
import { EngineError } from '../errors';
import { writeStageFixtures } from './fixturesFile';
import { accessOf, declarationAt } from './locate';
import type { RecordedCalls, RecordPlanEntry } from './recordTypes';
import { tempTree } from './tree';
import type { StageCall } from './types';

/** The recorder sits beside this file when compiled by tsc, or as `stageRecorder.js` beside a bundle. */
function recorderPath(): string {
  const candidates = [path.join(__dirname, 'recorder.js'), path.join(__dirname, 'stageRecorder.js')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

export interface RecordOptions {
  root: string;
  /** The test command and its arguments (run in `root`, without a shell). */
  command: string[];
  /** Only these stages (default: every stage the analysis finds). */
  stages?: string[];
  /** Fixtures file to merge the calls into. */
  out: string;
  maxCalls?: number;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface RecordResult {
  /** Calls kept per stage (distinct, at most maxCalls). */
  recorded: { stage: string; calls: number }[];
  /** Stages with no recorded call, with why where known. */
  missing: { stage: string; reason: string }[];
  exitCode: number | null;
  processes: number;
}

/**
 * `ml-parity record`: runs the project's test command with every node process preloading the recorder,
 * which wraps the stages as their modules load and keeps the real arguments of their calls; the calls
 * are merged into the fixtures file that verify-stage reads. Throws EngineError when nothing could be
 * planned or the command cannot start.
 */
export async function recordStages(opts: RecordOptions): Promise<RecordResult> {
  const root = fs.realpathSync(path.resolve(opts.root));
  const plan = planOf(root, opts.stages);
  if (plan.entries.length === 0)
    throw new EngineError(
      'stage-not-found',
      `no stage to record${plan.skipped.length ? `: ${plan.skipped.map((s) => `${s.stage} (${s.reason})`).join('; ')}` : ''}`,
      { file: root },
    );
  const tmp = tempTree('mlp-record-');
  try {
    const planFile = path.join(tmp.dir, 'plan.json');
    fs.writeFileSync(planFile, JSON.stringify(plan.entries));
    const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(recorderPath())}`.trim();
    const env = {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      ML_PARITY_RECORD_PLAN: planFile,
      ML_PARITY_RECORD_OUT: tmp.dir,
      ML_PARITY_RECORD_MAX: String(opts.maxCalls ?? 50),
    };
    const exitCode = await run(opts.command, root, env, opts.onOutput, opts.signal);
    const files = fs.readdirSync(tmp.dir).filter((f) => /^calls-\d+\.json$/.test(f));
    const merged = new Map<string, StageCall[]>();
    const wrapped = new Set<string>();
    let esmHooks = false;
    for (const f of files) {
      const data = JSON.parse(fs.readFileSync(path.join(tmp.dir, f), 'utf8')) as RecordedCalls;
      data.wrapped.forEach((w) => wrapped.add(w));
      esmHooks ||= data.esmHooks === true;
      for (const [stage, calls] of Object.entries(data.stages))
        merged.set(stage, [...(merged.get(stage) ?? []), ...calls]);
    }
    const max = opts.maxCalls ?? 50;
    const recorded: RecordResult['recorded'] = [];
    for (const [stage, calls] of merged) {
      const seen = new Set<string>();
      const distinct = calls.filter((c) => {
        const k = JSON.stringify(c);
        return !seen.has(k) && (seen.add(k), true);
      });
      const kept = distinct.slice(0, max);
      writeStageFixtures(opts.out, stage, kept, `ml-parity record -- ${opts.command.join(' ')}`);
      recorded.push({ stage, calls: kept.length });
    }
    const missing = [
      ...plan.skipped,
      ...plan.entries
        .filter((e) => !merged.has(e.name))
        .map((e) => ({
          stage: e.name,
          reason: wrapped.has(e.name)
            ? 'loaded but never called by the tests'
            : files.length === 0
              ? 'no node process of the command loaded the recorder'
              : e.esm
                ? esmHooks
                  ? 'never loaded (not reached by the tests, or loaded by a bundler or another loader)'
                  : `${esmReason(root, e.file) ?? 'it is an ES module'}: this Node has no module.register to hook ES modules (Node 18.19 / 20.6 and later have)`
                : `never loaded through require (not reached by the tests, exported under another name, or loaded as a native ES module or by a bundler)`,
        })),
    ];
    return {
      recorded: recorded.sort((a, b) => a.stage.localeCompare(b.stage)),
      missing,
      exitCode,
      processes: files.length,
    };
  } finally {
    tmp.dispose();
  }
}

/**
 * Why `file` is certainly a native ES module (its extension, or the "type" of the package.json above
 * it), which `require` never loads. Undefined when it may be CommonJS.
 */
function esmReason(root: string, file: string): string | undefined {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (/\.mjs$/i.test(file)) return `${rel} is an ES module (its extension)`;
  if (!/\.[jt]sx?$/i.test(file)) return undefined;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      let type: unknown;
      try {
        type = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
      } catch {
        return undefined;
      }
      // A .ts file of a "module" package may still be compiled to CommonJS (ts-node, jest): only .js is certain.
      return type === 'module' && /\.jsx?$/i.test(file)
        ? `${rel} is an ES module ("type": "module" in ${path.relative(root, manifest).split(path.sep).join('/') || 'package.json'})`
        : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function planOf(
  root: string,
  only: readonly string[] | undefined,
): { entries: RecordPlanEntry[]; skipped: { stage: string; reason: string }[] } {
  const stages = analyzeFiles(root, loadConfig(root).analysis).stages.filter((s) => !only || only.includes(s.name));
  const unknown = (only ?? []).filter((n) => !stages.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new EngineError('stage-not-found', `no stage named ${unknown.map((n) => `"${n}"`).join(', ')}`, {
      file: root,
    });
  const entries: RecordPlanEntry[] = [];
  const skipped: { stage: string; reason: string }[] = [];
  for (const s of stages) {
    const text = fs.readFileSync(s.location.file, 'utf8');
    const sf = ts.createSourceFile(s.location.file, text, ts.ScriptTarget.Latest, true);
    const decl = declarationAt(
      sf,
      sf.getPositionOfLineAndCharacter(s.location.range.start.line, s.location.range.start.character),
    );
    const access = decl && accessOf(decl);
    if (!decl || !access || typeof access === 'string') {
      skipped.push({ stage: s.name, reason: typeof access === 'string' ? access : 'no function or class declaration' });
      continue;
    }
    const kind = ts.isClassDeclaration(decl) || ts.isClassExpression(decl) ? 'class' : 'function';
    const file = fs.realpathSync(s.location.file);
    const esm = esmReason(root, file);
    if (esm && access.kind !== 'local') {
      skipped.push({
        stage: s.name,
        reason: `${esm} and the stage has no name there (an anonymous default export): name it to record it`,
      });
      continue;
    }
    entries.push({
      name: s.name,
      file,
      exportName: access.name,
      kind,
      ...(esm ? { esm: { local: access.name, edits: esmEdits(decl, access.name, sf) } } : {}),
    });
  }
  return { entries, skipped };
}

function run(
  command: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  onOutput?: (s: string) => void,
  signal?: AbortSignal,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => onOutput?.(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => onOutput?.(d.toString('utf8')));
    const onAbort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort);
    child.once('error', (e) =>
      reject(new EngineError('usage', `cannot run the test command "${command[0]}": ${e.message}`, { file: cwd })),
    );
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(code);
    });
  });
}

/**
 * The edits that make a module's exports of `local` follow its binding (see RecordPlanEntry.esm): the
 * `const` declaring it becomes `let`, and `export default local;` becomes `export { local as default };`.
 */
function esmEdits(
  decl: ts.Node,
  local: string,
  sf: ts.SourceFile,
): { at: number; end: number; was: string; text: string }[] {
  const edits: { at: number; end: number; was: string; text: string }[] = [];
  const edit = (at: number, end: number, text: string): void => {
    edits.push({ at, end, was: sf.text.slice(at, end), text });
  };
  let n = decl.parent;
  while (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n)) n = n.parent;
  const list = ts.isVariableDeclaration(n) ? n.parent : undefined;
  if (list && ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const) {
    const at = list.getStart(sf);
    edit(at, at + 'const'.length, 'let');
  }
  for (const st of sf.statements)
    if (
      ts.isExportAssignment(st) &&
      !st.isExportEquals &&
      ts.isIdentifier(st.expression) &&
      st.expression.text === local
    )
      edit(st.getStart(sf), st.end, `export { ${local} as default };`);
  return edits;
}
