/**
 * `npm test`: the mocha suites (unit, protocol, harness) with the spec reporter and a c8 coverage summary
 * of them, then the end-to-end run in a real VS Code, then one closing line with the totals. Exits
 * non-zero if anything failed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import Mocha from 'mocha';
import * as v8 from 'node:v8';

const root = path.resolve(__dirname, '..', '..');
// V8 writes the coverage of this process and of every node process the suites start (CLI, language server,
// inference workers) here; c8 turns it into the summary and coverage/lcov.info.
const COVERAGE_RAW = path.join(root, 'coverage', '.v8');

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function runMocha(): Promise<Counts> {
  const rc = JSON.parse(fs.readFileSync(path.join(root, '.mocharc.json'), 'utf8')) as {
    spec: string[];
    timeout: number;
  };
  const mocha = new Mocha({ timeout: rc.timeout, reporter: 'spec' });
  for (const file of fg.sync(rc.spec, { cwd: root, absolute: true }).sort()) mocha.addFile(file);
  return new Promise((resolve) => {
    const runner = mocha.run(() => {
      const s = runner.stats;
      resolve({ passed: s?.passes ?? 0, failed: s?.failures ?? 0, skipped: s?.pending ?? 0 });
    });
  });
}

/** Runs this script again with V8 coverage on; returns its exit code (undefined when already on). */
function rerunWithCoverage(): number | undefined {
  if (process.env.NODE_V8_COVERAGE) return undefined;
  fs.rmSync(COVERAGE_RAW, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [__filename], {
    stdio: 'inherit',
    env: { ...process.env, NODE_V8_COVERAGE: COVERAGE_RAW },
  });
  return r.status ?? 1;
}

/** The coverage of the mocha suites over the shipped code (server and client), as c8 reports it. */
function reportCoverage(): void {
  v8.takeCoverage();
  const c8 = path.join(root, 'node_modules', 'c8', 'bin', 'c8.js');
  const args = [
    'report',
    '--temp-directory',
    COVERAGE_RAW,
    '--report-dir',
    path.join(root, 'coverage'),
    '--reporter',
    'text-summary',
    '--reporter',
    'lcov',
    '--all',
  ];
  for (const glob of ['out/server/src/**', 'out/client/src/**']) args.push('--include', glob);
  const r = spawnSync(process.execPath, [c8, ...args], { cwd: root, stdio: 'inherit', env: withoutCoverage() });
  if (r.status !== 0) console.log(`coverage: c8 report failed (exit ${r.status ?? r.signal})`);
}

function withoutCoverage(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  return env;
}

/** The e2e driver reports through its result files; a driver that died without them counts as a failure. */
function runE2e(): Counts {
  const results = path.join(root, 'test-results', 'e2e');
  fs.rmSync(results, { recursive: true, force: true });
  // Not under coverage: code-server and the editor would write hundreds of megabytes of it.
  const r = spawnSync(process.execPath, [path.join(root, 'out', 'test', 'e2e', 'driver.js')], {
    cwd: root,
    stdio: 'inherit',
    env: withoutCoverage(),
  });
  const suiteFile = path.join(results, 'suite-result.json');
  const summaryFile = path.join(results, 'summary.json');
  const suite = fs.existsSync(suiteFile)
    ? (JSON.parse(fs.readFileSync(suiteFile, 'utf8')) as { passed: number; failed: number; pending: number })
    : { passed: 0, failed: 0, pending: 0 };
  const summary = fs.existsSync(summaryFile)
    ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as {
        phases: { name: string; ok?: boolean }[];
        failures: unknown[];
      })
    : { phases: [], failures: [] };
  // UI steps of the development extension and of the installed .vsix each count as one test.
  const uiSteps = summary.phases.filter((p) => /^(ui|vsix): /.test(p.name.trim()));
  const uiFailed = uiSteps.filter((p) => p.ok === false).length;
  const counts = {
    passed: suite.passed + uiSteps.length - uiFailed,
    failed: suite.failed + uiFailed,
    skipped: suite.pending,
  };
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

async function main(): Promise<number> {
  const unit = await runMocha();
  reportCoverage();
  const e2e = process.env.ML_PARITY_SKIP_E2E ? { passed: 0, failed: 0, skipped: 0 } : runE2e();
  const total = {
    passed: unit.passed + e2e.passed,
    failed: unit.failed + e2e.failed,
    skipped: unit.skipped + e2e.skipped,
  };
  console.log(
    `\nmocha ${unit.passed}/${unit.failed}/${unit.skipped}, e2e ${e2e.passed}/${e2e.failed}/${e2e.skipped} (passed/failed/skipped)`,
  );
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return total.failed > 0 ? 1 : 0;
}

const rerun = rerunWithCoverage();
if (rerun !== undefined) process.exitCode = rerun;
else {
  void main().then((code) => {
    process.exitCode = code;
  });
}
