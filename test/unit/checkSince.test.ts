import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCheck, type CheckOptions } from '../../server/src/cli/check';
import type { FindingsJsonReport } from '../../server/src/cli/reporters/findingsJson';
import type { SarifLog } from '../../server/src/cli/reporters/findingsSarif';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { git, write, writeWorkspace } from '../support/tmp';

// Real git repositories in temp folders; `check --since REV` through the CLI's runCheck.
const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const norm = (name: string): string =>
  [
    `export function ${name}(rows: number[][]): number[][] {`,
    '  const means = rows[0].map((_, c) => rows.reduce((a, r) => a + r[c], 0) / rows.length);',
    '  const stds = rows[0].map((_, c) => Math.sqrt(rows.reduce((a, r) => a + (r[c] - means[c]) ** 2, 0) / rows.length) || 1);',
    '  const out = rows.map((r) => r.map((x, c) => (x - means[c]) / stds[c]));',
    '  if (out.length === 0) throw new Error("empty");',
    '  return out;',
    '}',
  ].join('\n') + '\n';

const shift = (name: string): string => `export function ${name}(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n`;

/** Committed: a tested stage `clean`, an untested stage `scale` that duplicates it (two old findings). */
function repo(): string {
  const root = writeWorkspace({
    'src/pipeline/clean.ts': norm('clean'),
    'src/pipeline/scale.ts': norm('scale'),
    'test/clean.test.ts': "import { clean } from '../src/pipeline/clean';\nit('x', () => clean([[1]]));\n",
  }, 'mlp-since-');
  roots.push(root);
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-qm', 'init');
  return root;
}

async function check(root: string, over: Partial<CheckOptions> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const config = { ...DEFAULT_ANALYSIS, clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 } };
  const code = await runCheck({ root, paths: [], config, format: 'text', staged: false, ...over }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

async function json(root: string, over: Partial<CheckOptions> = {}): Promise<FindingsJsonReport> {
  const r = await check(root, { format: 'json', ...over });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as FindingsJsonReport;
}

async function sarif(root: string, over: Partial<CheckOptions> = {}): Promise<SarifLog> {
  const r = await check(root, { format: 'sarif', ...over });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as SarifLog;
}

describe('check --since REV: only the findings new relative to REV', () => {
  it('old findings stay old when lines shift and unrelated code changes (work tree and index)', async () => {
    const root = repo();
    const all = await json(root);
    assert.deepEqual(all.findings.map((f) => f.rule).sort(), ['cross-stage-duplicate', 'untested-stage']);
    // Comments and unrelated code above the copies (different in each file), an unrelated helper below.
    const edit = (f: string, before: string, after: string): void => {
      const file = path.join(root, f);
      fs.writeFileSync(file, `${before}${fs.readFileSync(file, 'utf8')}${after}`);
    };
    edit('src/pipeline/clean.ts', '// Licensed under MIT.\n/** Cleans rows. */\nconst VERSION = 3;\n\n', '\nconsole.log(VERSION);\n');
    edit('src/pipeline/scale.ts', '\n\n// Scales rows.\nimport * as fs from "node:fs";\n', '\nfunction unused(): string {\n  return fs.readFileSync("x", "utf8");\n}\n');
    const moved = await json(root);
    assert.equal(moved.findings.length, 2);
    assert.notDeepEqual(moved.findings.map((f) => f.line), all.findings.map((f) => f.line), 'the findings moved');
    assert.deepEqual(moved.findings.map((f) => f.fingerprint).sort(), all.findings.map((f) => f.fingerprint).sort());

    const since = await json(root, { since: 'HEAD' });
    assert.deepEqual(since.findings, []);
    assert.deepEqual({ ...since.since, commit: undefined }, { rev: 'HEAD', commit: undefined, new: 0, unchanged: 2, absent: 0 });
    const text = await check(root, { since: 'HEAD' });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /Only findings new since HEAD \([0-9a-f]{12}\): 0 new; 2 already there at HEAD not shown \(run without --since to see them\); 0 fixed since\. No findings\./);

    git(root, 'add', '.');
    assert.deepEqual((await json(root, { since: 'HEAD', staged: true })).findings, []);
  });

  it('a new untested stage is reported, in text, JSON and SARIF (new / unchanged / absent)', async () => {
    const root = repo();
    write(root, 'src/pipeline/shift.ts', shift('shift'));
    const text = await check(root, { since: 'HEAD' });
    assert.match(text.stdout, /^src\/pipeline\/shift\.ts:1:17 warning untested-stage Stage 'shift'/);
    assert.match(text.stdout, /1 new; 2 already there at HEAD not shown/);

    const report = await json(root, { since: 'HEAD' });
    assert.deepEqual(report.findings.map((f) => [f.file, f.rule, f.baselineState]), [['src/pipeline/shift.ts', 'untested-stage', 'new']]);
    assert.equal(report.since?.commit, git(root, 'rev-parse', 'HEAD').trim());

    // Fix the old untested stage by testing it: its finding becomes absent.
    write(root, 'test/scale.test.ts', "import { scale } from '../src/pipeline/scale';\nit('y', () => scale([[1]]));\n");
    const run = (await sarif(root, { since: 'HEAD' })).runs[0];
    const states = run.results.map((r) => `${r.ruleId}:${r.locations[0].physicalLocation.artifactLocation.uri}:${String(r.baselineState)}`).sort();
    assert.deepEqual(states, [
      'cross-stage-duplicate:src/pipeline/clean.ts:unchanged',
      'untested-stage:src/pipeline/scale.ts:absent',
      'untested-stage:src/pipeline/shift.ts:new',
    ]);
    assert.ok(run.results.every((r) => /^[0-9a-f]{32}:\d+$/.test(r.partialFingerprints['mlParity/v1'])));
  });

  it('SARIF without --since has partialFingerprints and no baselineState', async () => {
    const run = (await sarif(repo())).runs[0];
    assert.equal(run.results.length, 2);
    assert.ok(run.results.every((r) => r.partialFingerprints['mlParity/v1'] && r.baselineState === undefined));
  });

  it('a third copy of an old duplicate and a second finding of the same identity are new', async () => {
    const root = repo();
    write(root, 'src/pipeline/again.ts', norm('again'));
    const report = await json(root, { since: 'HEAD' });
    const rules = report.findings.map((f) => f.rule).sort();
    // The clone class now has a copy in a new place, and `again` is a new untested stage.
    assert.deepEqual(rules, ['cross-stage-duplicate', 'untested-stage']);
    assert.ok(report.findings.every((f) => f.baselineState === 'new'));
  });

  it('a finding in a renamed file is not new; exit 1 only for a new error', async () => {
    const root = repo();
    git(root, 'mv', 'src/pipeline/scale.ts', 'src/pipeline/scaling.ts');
    assert.deepEqual((await json(root, { since: 'HEAD' })).findings, []);
    assert.deepEqual((await json(root, { since: 'HEAD', staged: true })).findings, []);
    write(root, 'src/pipeline/broken.ts', 'export function broken( {\n');
    const r = await check(root, { since: 'HEAD' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /src\/pipeline\/broken\.ts:\d+:\d+ error syntax-error/);
  });

  it('compares with the revision\'s own tsconfig.json (a path alias that only resolves with it)', async () => {
    const root = repo();
    write(root, 'tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@p/*': ['src/pipeline/*'] } }, include: ['src'] }));
    write(root, 'test/scale.test.ts', "import { scale } from '@p/scale';\nit('y', () => scale([[1]]));\n");
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'alias');
    // Deleting the test makes `scale` untested again: new relative to HEAD, where the alias reached it.
    fs.rmSync(path.join(root, 'test/scale.test.ts'));
    const report = await json(root, { since: 'HEAD' });
    assert.deepEqual(report.findings.map((f) => [f.rule, f.file]), [['untested-stage', 'src/pipeline/scale.ts']]);
  });

  it('a workspace in a subfolder of the repository, its tsconfig extending one above it', async () => {
    const top = writeWorkspace({
      'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@p/*': ['pkg/src/pipeline/*'] } } }),
      'pkg/tsconfig.json': JSON.stringify({ extends: '../tsconfig.base.json', include: ['src'] }),
      'pkg/src/pipeline/clean.ts': norm('clean'),
      'pkg/test/clean.test.ts': "import { clean } from '@p/clean';\nit('x', () => clean([[1]]));\n",
      'other/src/pipeline/elsewhere.ts': shift('elsewhere'),
    }, 'mlp-since-mono-');
    roots.push(top);
    git(top, 'init', '-q');
    git(top, 'add', '.');
    git(top, 'commit', '-qm', 'init');
    const root = path.join(top, 'pkg');
    assert.deepEqual((await json(root)).findings, [], 'the alias from the base config reaches clean');
    assert.deepEqual((await json(root, { since: 'HEAD' })).findings, []);
    fs.rmSync(path.join(root, 'test/clean.test.ts'));
    const report = await json(root, { since: 'HEAD' });
    assert.deepEqual(report.findings.map((f) => [f.rule, f.file, f.baselineState]), [['untested-stage', 'src/pipeline/clean.ts', 'new']]);
  });

  it('an unknown revision or a folder outside git is bad input (exit 2), never "no findings"', async () => {
    const root = repo();
    const r = await check(root, { since: 'no-such-branch' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /git revision "no-such-branch" not found/);
    const plain = writeWorkspace({ 'src/a.ts': 'export const a = 1;\n' });
    roots.push(plain);
    const outside = await check(plain, { since: 'HEAD' });
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /not inside a git repository/);
  });
});
