/**
 * `npm test`: the mocha suites (unit, protocol, harness) with the spec reporter, then the end-to-end run
 * in a real VS Code, then one closing line with the totals. Exits non-zero if anything failed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import Mocha from 'mocha';

const root = path.resolve(__dirname, '..', '..');

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function runMocha(): Promise<Counts> {
  const rc = JSON.parse(fs.readFileSync(path.join(root, '.mocharc.json'), 'utf8')) as { spec: string[]; timeout: number };
  const mocha = new Mocha({ timeout: rc.timeout, reporter: 'spec' });
  for (const file of fg.sync(rc.spec, { cwd: root, absolute: true }).sort()) mocha.addFile(file);
  return new Promise((resolve) => {
    const runner = mocha.run(() => {
      const s = runner.stats;
      resolve({ passed: s?.passes ?? 0, failed: s?.failures ?? 0, skipped: s?.pending ?? 0 });
    });
  });
}

/** The e2e driver reports through its result files; a driver that died without them counts as a failure. */
function runE2e(): Counts {
  const results = path.join(root, 'test-results', 'e2e');
  fs.rmSync(results, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [path.join(root, 'out', 'test', 'e2e', 'driver.js')], { cwd: root, stdio: 'inherit' });
  const suiteFile = path.join(results, 'suite-result.json');
  const summaryFile = path.join(results, 'summary.json');
  const suite = fs.existsSync(suiteFile)
    ? (JSON.parse(fs.readFileSync(suiteFile, 'utf8')) as { passed: number; failed: number; pending: number })
    : { passed: 0, failed: 0, pending: 0 };
  const summary = fs.existsSync(summaryFile)
    ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { phases: { name: string; ok?: boolean }[]; failures: unknown[] })
    : { phases: [], failures: [] };
  // UI steps of the development extension and of the installed .vsix each count as one test.
  const uiSteps = summary.phases.filter((p) => /^(ui|vsix): /.test(p.name.trim()));
  const uiFailed = uiSteps.filter((p) => p.ok === false).length;
  const counts = { passed: suite.passed + uiSteps.length - uiFailed, failed: suite.failed + uiFailed, skipped: suite.pending };
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

async function main(): Promise<number> {
  const unit = await runMocha();
  const e2e = process.env.ML_PARITY_SKIP_E2E ? { passed: 0, failed: 0, skipped: 0 } : runE2e();
  const total = { passed: unit.passed + e2e.passed, failed: unit.failed + e2e.failed, skipped: unit.skipped + e2e.skipped };
  console.log(`\nmocha ${unit.passed}/${unit.failed}/${unit.skipped}, e2e ${e2e.passed}/${e2e.failed}/${e2e.skipped} (passed/failed/skipped)`);
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return total.failed > 0 ? 1 : 0;
}

void main().then((code) => {
  process.exitCode = code;
});
