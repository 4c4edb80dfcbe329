import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCheck, type CheckOptions } from '../../server/src/cli/check';
import type { FindingsJsonReport } from '../../server/src/cli/reporters/findingsJson';
import type { SarifLog } from '../../server/src/cli/reporters/findingsSarif';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { cli, REPO_ROOT } from '../support/tmp';

const roots: string[] = [];

function workspace(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-check-')));
  roots.push(root);
  write(root, files);
  return root;
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

async function check(
  root: string,
  over: Partial<CheckOptions> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCheck(
    {
      root,
      paths: [],
      config: { ...DEFAULT_ANALYSIS, clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 } },
      format: 'text',
      staged: false,
      ...over,
    },
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
  );
  return { code, stdout, stderr };
}

const norm = (name: string) =>
  [
    `export function ${name}(rows: number[][]): number[][] {`,
    '  const means = rows[0].map((_, c) => rows.reduce((a, r) => a + r[c], 0) / rows.length);',
    '  const stds = rows[0].map((_, c) => Math.sqrt(rows.reduce((a, r) => a + (r[c] - means[c]) ** 2, 0) / rows.length) || 1);',
    '  const out = rows.map((r) => r.map((x, c) => (x - means[c]) / stds[c]));',
    '  if (out.length === 0) throw new Error("empty");',
    '  return out;',
    '}',
  ].join('\n') + '\n';

const PIPELINE = {
  'src/pipeline/clean.ts': norm('clean'),
  'src/pipeline/scale.ts': '// scaling\n' + norm('scale'),
  'test/clean.test.ts': "import { clean } from '../src/pipeline/clean';\nit('x', () => clean([[1]]));\n",
};

after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

describe('check: reports and exit codes', () => {
  it('prints text findings with relative 1-based locations and related lines, exit 0 without errors', async () => {
    const root = workspace(PIPELINE);
    const { code, stdout } = await check(root);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(
      lines[0],
      /^src\/pipeline\/clean\.ts:1:\d+ warning cross-stage-duplicate Code duplicated across stages 'clean' and 'scale'/,
    );
    assert.match(
      lines[1],
      /^ {4}src\/pipeline\/scale\.ts:2:\d+ copy at src\/pipeline\/scale\.ts:2-\d+ \(stage 'scale'\)$/,
    );
    assert.ok(
      lines.some((l) =>
        /^src\/pipeline\/scale\.ts:2:17 warning untested-stage Stage 'scale' is not reached by any test/.test(l),
      ),
    );
    assert.equal(lines[lines.length - 1], '0 errors, 2 warnings, 0 notes.');
  });

  it('exits 1 on an error-severity finding and restricts the report to the given paths', async () => {
    const root = workspace({ ...PIPELINE, 'src/broken.ts': 'export const x = (;\n' });
    assert.equal((await check(root)).code, 1);
    const scoped = await check(root, { paths: ['src/pipeline'] });
    assert.equal(scoped.code, 0);
    assert.ok(!scoped.stdout.includes('broken.ts'));
  });

  it('exits 2 on bad input', async () => {
    const root = workspace(PIPELINE);
    const missing = await check(root, { paths: ['nope.ts'] });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No such file or folder/);
    const notGit = await check(root, { staged: true });
    assert.equal(notGit.code, 2);
    assert.match(notGit.stderr, /not inside a git work tree/);
  });

  it('--out into a missing folder: one-line error, exit 2, the finished report on stdout (the binary)', () => {
    const root = workspace(PIPELINE);
    const out = path.join(root, 'no', 'such', 'x.json');
    const r = cli(root, 'check', '--format', 'json', '--out', out);
    assert.equal(r.status, 2, r.stderr);
    // notes about the workspace may come first; the failure is one line, no stack trace
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('note: '));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      /^error: .*x\.json: cannot write the report here \(its folder does not exist\); it was printed to stdout instead$/,
    );
    const report = JSON.parse(r.stdout) as FindingsJsonReport;
    assert.equal(report.summary.total, 2, 'the finished report is on stdout');
  });

  it('writes a stable JSON report', async () => {
    const root = workspace(PIPELINE);
    const out = path.join(root, 'report.json');
    const { code, stdout } = await check(root, { format: 'json', out });
    assert.equal(code, 0);
    assert.equal(stdout, '');
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as FindingsJsonReport;
    assert.equal(report.version, 1);
    assert.deepEqual(report.summary, { error: 0, warning: 2, info: 0, hint: 0, total: 2 });
    const untested = report.findings.find((f) => f.rule === 'untested-stage');
    assert.deepEqual(
      { file: untested?.file, line: untested?.line, column: untested?.column },
      { file: 'src/pipeline/scale.ts', line: 2, column: 17 },
    );
    assert.deepEqual(
      report.stages.map((s) => s.name),
      ['clean', 'scale'],
    );
  });

  it('writes SARIF 2.1.0 with rules, the first copy in locations and the others in relatedLocations', async () => {
    const root = workspace(PIPELINE);
    const { stdout } = await check(root, { format: 'sarif' });
    const log = JSON.parse(stdout) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    const run = log.runs[0];
    assert.equal(
      run.tool.driver.version,
      (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      ['cross-stage-duplicate', 'untested-stage'],
    );
    assert.ok(run.tool.driver.rules.every((r) => r.help.text.length > 20 && r.shortDescription.text.length > 0));
    const clone = run.results.find((r) => r.ruleId === 'cross-stage-duplicate');
    assert.ok(clone);
    assert.equal(clone.level, 'warning');
    assert.equal(run.tool.driver.rules[clone.ruleIndex].id, 'cross-stage-duplicate');
    const first = clone.locations[0].physicalLocation;
    assert.equal(first.artifactLocation.uri, 'src/pipeline/clean.ts');
    assert.equal(first.region.startLine, 1);
    assert.ok(first.region.endLine >= 5);
    assert.equal(clone.relatedLocations.length, 1);
    const other = clone.relatedLocations[0].physicalLocation;
    assert.equal(other.artifactLocation.uri, 'src/pipeline/scale.ts');
    assert.equal(other.region.startLine, 2);
    assert.equal(other.region.endLine - other.region.startLine, first.region.endLine - first.region.startLine);
  });
});

describe('check --staged', () => {
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });

  it('analyses the git index, not the work tree', async () => {
    const repo = workspace({});
    git(repo, 'init', '-q');
    // Index: a clean pipeline plus a broken file; work tree: broken file fixed, an untracked broken file.
    write(repo, { ...PIPELINE, 'src/app/main.ts': 'export const x = (;\n' });
    git(repo, 'add', '-A');
    write(repo, { 'src/app/main.ts': 'export const x = 1;\n', 'src/app/untracked.ts': 'export const y = (;\n' });
    fs.rmSync(path.join(repo, 'src/pipeline/scale.ts')); // deleted in the work tree, still staged

    const staged = await check(repo, { staged: true });
    assert.equal(staged.code, 1, staged.stdout + staged.stderr);
    assert.match(staged.stdout, /^src\/app\/main\.ts:1:19 error syntax-error /m);
    assert.ok(!staged.stdout.includes('untracked.ts'));
    assert.match(staged.stdout, /Stage 'scale' is not reached/);

    const worktree = await check(repo);
    assert.equal(worktree.code, 1, 'the untracked broken file counts in the work tree');
    assert.ok(!worktree.stdout.includes('main.ts'));
    assert.ok(!worktree.stdout.includes("'scale'"));

    // Stage the fix: the index is clean now even though the work tree still has a broken untracked file.
    git(repo, 'add', 'src/app/main.ts');
    assert.equal((await check(repo, { staged: true })).code, 0);
  });
});
