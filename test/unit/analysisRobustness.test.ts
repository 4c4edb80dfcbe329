import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analyzer, analyzeFiles, type AnalysisResult } from '../../server/src/engine/analysis/analyzer';
import { DEFAULT_ANALYSIS, type AnalysisConfig } from '../../server/src/engine/config/types';
import { writeWorkspace } from '../support/tmp';

const roots: string[] = [];

/** A fresh temp workspace holding `files`, removed after the suite. */
function workspace(files: Record<string, string>): string {
  const root = writeWorkspace(files, 'mlp-robust-');
  roots.push(root);
  return root;
}

const config = (over: Partial<AnalysisConfig> = {}): AnalysisConfig => ({ ...DEFAULT_ANALYSIS, ...over });
const rules = (r: AnalysisResult): string[] => r.findings.map((f) => f.rule);
/** Everything but the timing, for comparing runs. */
const comparable = (r: AnalysisResult) => ({ findings: r.findings, stages: r.stages, files: r.files });

after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

describe('analysis: bad input', () => {
  it('reports syntax errors located at the error and keeps analysing', () => {
    const root = workspace({
      'src/pipeline/broken.ts': 'export function ok(x: number) { return x; }\n\nexport function bad(x: number {\n  return x;\n}\n',
      'src/pipeline/fine.ts': 'export function fine() { return 1; }\n',
    });
    const r = analyzeFiles(root, config());
    const syntax = r.findings.filter((f) => f.rule === 'syntax-error');
    assert.ok(syntax.length >= 1);
    assert.equal(syntax[0].file, path.join(root, 'src/pipeline/broken.ts'));
    assert.equal(syntax[0].range.start.line, 2);
    assert.equal(syntax[0].severity, 'error');
    assert.match(syntax[0].message, /expected/);
    assert.ok(r.stages.some((s) => s.name === 'fine'));
    assert.ok(r.stages.some((s) => s.name === 'ok'));
  });

  it('reports TypeScript-only syntax in a JavaScript file, and nothing in plain JavaScript', () => {
    const root = workspace({
      'src/typed.js': 'export function f(x) {\n  return x;\n}\nexport const g = (y: number) => y;\n',
      'src/plain.js': 'export const h = (a, b) => (a ? b : a);\n',
    });
    const syntax = analyzeFiles(root, config()).findings.filter((f) => f.rule === 'syntax-error');
    assert.equal(syntax.length, 1);
    assert.equal(syntax[0].file, path.join(root, 'src/typed.js'));
    assert.deepEqual([syntax[0].range.start.line, syntax[0].range.start.character], [3, 21]);
    assert.match(syntax[0].message, /Type annotations can only be used in TypeScript files/);
  });

  it('reports a file too deeply nested to parse as skipped, and analyses the rest', () => {
    const depth = 20_000;
    const root = workspace({
      // Spread over lines, so it is not taken for minified build output.
      'src/pipeline/deep.ts': `export const x = ${'[\n'.repeat(depth)}1${']'.repeat(depth)};\n`,
      'src/pipeline/fine.ts': 'export function fine() { return 1; }\n',
    });
    const r = analyzeFiles(root, config());
    const skipped = r.findings.filter((f) => f.rule === 'skipped-file');
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0].file, path.join(root, 'src/pipeline/deep.ts'));
    assert.match(skipped[0].message, /could not be parsed \(Maximum call stack size exceeded\)/);
    assert.deepEqual(r.stages.map((s) => s.name), ['fine']);
  });

  it('reports circular imports once and terminates on cyclic code', () => {
    const root = workspace({
      'src/a.ts': "import { b } from './b';\nexport function a(n: number): number { return n > 0 ? b(n - 1) : 0; }\n",
      'src/b.ts': "import { c } from './c';\nexport function b(n: number): number { return c(n); }\n",
      'src/c.ts': "import { a } from './a';\n/** @stage */\nexport function c(n: number): number { return a(n); }\n",
      'test/a.test.ts': "import { a } from '../src/a';\nit('x', () => a(3));\n",
    });
    const r = analyzeFiles(root, config());
    const cycles = r.findings.filter((f) => f.rule === 'circular-import');
    assert.equal(cycles.length, 1);
    assert.equal(cycles[0].severity, 'info');
    assert.equal(cycles[0].message, 'Circular import: src/a.ts → src/b.ts → src/c.ts → src/a.ts');
    assert.equal(cycles[0].file, path.join(root, 'src/a.ts'));
    assert.equal(cycles[0].related.length, 2);
    assert.ok(!r.findings.some((f) => f.rule === 'untested-stage'), 'c is reached through the cycle');
  });

  it('reports include globs that match nothing as a config error', () => {
    const root = workspace({ 'mlparity.config.json': '{}', 'src/a.ts': 'export const a = 1;\n' });
    const r = analyzeFiles(root, config({ include: ['lib/**/*.ts'], testGlobs: [] }));
    assert.deepEqual(rules(r), ['config-error']);
    assert.equal(r.findings[0].file, path.join(root, 'mlparity.config.json'));
    assert.equal(r.files, 0);
  });

  it('falls back to the include globs with a note when tsconfig.json is missing, and uses it when present', () => {
    const files = { 'src/pipeline/a.ts': 'export function a() {}\n', 'scripts/pipeline/b.ts': 'export function b() {}\n' };
    const without = analyzeFiles(workspace(files), config({ pipelineFolders: ['src/pipeline', 'scripts/pipeline'] }));
    assert.match(without.notes.join('\n'), /No tsconfig\.json/);
    assert.equal(without.files, 2);
    const withTs = analyzeFiles(workspace({ ...files, 'tsconfig.json': '{ "include": ["src"] }' }), config({ pipelineFolders: ['src/pipeline', 'scripts/pipeline'] }));
    assert.deepEqual(withTs.notes, []);
    assert.deepEqual(withTs.stages.map((s) => s.name), ['a']);
  });

  it('reports a broken tsconfig.json as a located config error and still analyses', () => {
    const root = workspace({ 'tsconfig.json': '{\n  "compilerOptions": {\n    "strict": true,,\n  }\n}\n', 'src/pipeline/a.ts': 'export function a() {}\n' });
    const r = analyzeFiles(root, config());
    const err = r.findings.find((f) => f.rule === 'config-error');
    assert.equal(err?.file, path.join(root, 'tsconfig.json'));
    assert.equal(err?.range.start.line, 2);
    assert.deepEqual(r.stages.map((s) => s.name), ['a']);
  });

  it('ignores files outside the root even when tsconfig.json includes them', () => {
    const outer = workspace({ 'other/pipeline/x.ts': 'export function outside() {}\n' });
    const root = path.join(outer, 'ws');
    fs.mkdirSync(path.join(root, 'pipeline'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tsconfig.json'), '{ "include": ["pipeline", "../other"] }');
    fs.writeFileSync(path.join(root, 'pipeline/in.ts'), 'export function inside() {}\n');
    const r = analyzeFiles(root, config({ pipelineFolders: ['pipeline'] }));
    assert.equal(r.files, 1);
    assert.deepEqual(r.stages.map((s) => s.name), ['inside']);
  });

  it('skips generated and oversized files with an info finding', () => {
    const root = workspace({
      'src/pipeline/gen.ts': '// @generated by protoc\nexport function genStage() {}\n',
      'src/pipeline/big.ts': `export function big() {}\n${'// padding\n'.repeat(200)}`,
      'src/pipeline/ok.ts': 'export function ok() {}\n',
    });
    const r = analyzeFiles(root, config({ maxFileBytes: 1000 }));
    const skipped = r.findings.filter((f) => f.rule === 'skipped-file');
    assert.deepEqual(skipped.map((f) => path.basename(f.file)).sort(), ['big.ts', 'gen.ts']);
    assert.ok(skipped.every((f) => f.severity === 'info'));
    assert.match(skipped.find((f) => f.file.endsWith('gen.ts'))?.message ?? '', /generated/);
    assert.match(skipped.find((f) => f.file.endsWith('big.ts'))?.message ?? '', /maxFileBytes/);
    assert.deepEqual(r.stages.map((s) => s.name), ['ok']);
    assert.equal(r.files, 1);
  });

  it('applies rule severities from the config and drops rules turned off', () => {
    const root = workspace({ 'src/pipeline/a.ts': "import { b } from './b';\nexport function a() { b(); }\n", 'src/pipeline/b.ts': "import { a } from './a';\nexport function b() { a(); }\n" });
    const r = analyzeFiles(root, config({ rules: { 'untested-stage': 'error', 'circular-import': 'off' } }));
    assert.deepEqual(r.findings.map((f) => `${f.rule}:${f.severity}`), ['untested-stage:error', 'untested-stage:error']);
  });
});

describe('analysis: incremental updates', () => {
  const files = {
    'src/lib.ts': 'export class Pipeline { stage(n: string, f: unknown) { return this; } }\n',
    'src/pipeline/steps.ts': 'export function load(x: number[]) { return x; }\nexport function clean(x: number[]) { return x; }\n',
    'src/main.ts': "import { Pipeline } from './lib';\nimport { load, clean } from './pipeline/steps';\nexport const p = new Pipeline().stage('loading', load).stage('cleaning', clean);\n",
    'test/steps.test.ts': "import { load } from '../src/pipeline/steps';\nit('x', () => load([1]));\n",
  };

  it('gives the same result as a full re-analysis after each edit', () => {
    const root = workspace(files);
    const cfg = config({ clones: { minTokens: 20, minLines: 3, minSimilarity: 0.8 } });
    const analyzer = new Analyzer(root, cfg);
    analyzer.analyzeAll();
    const current = new Map<string, string>();
    const check = (r: AnalysisResult, label: string): void => {
      assert.deepEqual(comparable(r), comparable(analyzeFiles(root, cfg, current)), label);
    };
    const edit = (rel: string, text: string): AnalysisResult => {
      current.set(path.join(root, rel), text);
      return analyzer.updateFile(path.join(root, rel), text);
    };

    let r = edit('test/steps.test.ts', "import { load, clean } from '../src/pipeline/steps';\nit('x', () => clean(load([1])));\n");
    assert.ok(!r.findings.some((f) => f.rule === 'untested-stage'));
    check(r, 'test now calls clean');

    r = edit('src/pipeline/steps.ts', '\n\n// moved down\nexport function load(x: number[]) { return x; }\nexport function clean(x: number[]) { return x; }\nexport function scale(x: number[]) { return x.map((v) => v * 2); }\n');
    assert.deepEqual(r.findings.filter((f) => f.rule === 'untested-stage').map((f) => f.data?.stage), ['scale']);
    check(r, 'stage file edited, positions shifted');

    const block = 'export function norm(xs: number[]) {\n  const m = xs.reduce((a, b) => a + b, 0) / xs.length;\n  const s = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) || 1;\n  return xs.map((v) => (v - m) / s);\n}\n';
    r = edit('src/pipeline/extra.ts', block);
    check(r, 'new file');
    r = edit('src/pipeline/extra2.ts', block.replace('norm', 'norm2'));
    assert.ok(r.findings.some((f) => f.rule === 'cross-stage-duplicate'));
    check(r, 'clone added');

    r = edit('src/main.ts', 'export const broken = (;\n');
    assert.ok(r.findings.some((f) => f.rule === 'syntax-error'));
    check(r, 'syntax error introduced');

    current.delete(path.join(root, 'src/pipeline/extra2.ts'));
    r = analyzer.removeFile(path.join(root, 'src/pipeline/extra2.ts'));
    assert.ok(!r.findings.some((f) => f.rule === 'cross-stage-duplicate'));
    check(r, 'file removed');
  });

  it('parses in slices with progress, and takes edits made between slices', async () => {
    const many: Record<string, string> = { ...files };
    for (let i = 0; i < 30; i++) many[`src/lib/h${i}.ts`] = `export function h${i}(x: number) { return x + ${i}; }\n`;
    const root = workspace(many);
    const cfg = config();
    const progress: [number, number][] = [];
    const sliced = new Analyzer(root, cfg);
    await sliced.prepare((done, total) => progress.push([done, total]), 0);
    assert.ok(progress.length > 1, 'more than one slice');
    assert.ok(progress.every(([d], i) => i === 0 || d >= progress[i - 1][0]), 'monotonic');
    assert.deepEqual(progress[progress.length - 1], [34, 34]);
    assert.deepEqual(comparable(sliced.analyzeAll()), comparable(analyzeFiles(root, cfg)));

    const edited = new Analyzer(root, cfg);
    const running = edited.prepare(undefined, 0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const test = path.join(root, 'test/steps.test.ts');
    const text = "import { load, clean } from '../src/pipeline/steps';\nit('x', () => clean(load([1])));\n";
    edited.updateFile(test, text);
    await running;
    assert.deepEqual(comparable(edited.analyzeAll()), comparable(analyzeFiles(root, cfg, new Map([[test, text]]))));
  });

  it('ignores updates to files outside the root or excluded', () => {
    const root = workspace(files);
    const analyzer = new Analyzer(root, config());
    const before = analyzer.analyzeAll();
    const outside = analyzer.updateFile(path.join(os.tmpdir(), 'elsewhere.ts'), 'export function x( {');
    const excluded = analyzer.updateFile(path.join(root, 'node_modules/m/index.ts'), 'export function x( {');
    assert.deepEqual(comparable(outside), comparable(before));
    assert.deepEqual(comparable(excluded), comparable(before));
  });
});
