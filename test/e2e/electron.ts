// `npm run test:electron`: the same in-editor suite under desktop VS Code via @vscode/test-electron.
// It downloads VS Code unless VSCODE_EXECUTABLE points at an installed one, so it cannot run offline here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { EXAMPLE_WORKSPACE, REPO_ROOT, RESULTS_DIR, SUITE_ENTRY } from './paths';
import { describeFailures, isSuiteResult, RESULTS_ENV } from './suite/results';
import { copyWorkspace } from './workspaceCopy';

async function main(): Promise<number> {
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-parity-electron-'));
  try {
    const workspace = copyWorkspace(EXAMPLE_WORKSPACE, path.join(tempRoot, 'ws'));
    const resultsFile = path.join(tempRoot, 'suite-result.json');
    let runError: unknown;
    try {
      await runTests({
        ...(process.env.VSCODE_EXECUTABLE
          ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE }
          : { version: process.env.VSCODE_VERSION ?? 'stable' }),
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: SUITE_ENTRY,
        extensionTestsEnv: { [RESULTS_ENV]: resultsFile },
        launchArgs: [
          workspace,
          '--disable-extensions', // only the extension under test
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
          `--user-data-dir=${path.join(tempRoot, 'user-data')}`,
          `--extensions-dir=${path.join(tempRoot, 'extensions')}`,
        ],
      });
    } catch (err) {
      runError = err; // non-zero exit; the result file says which tests failed
    }
    if (!fs.existsSync(resultsFile)) {
      console.error(`[electron] no suite result written${runError instanceof Error ? `: ${runError.message}` : ''}`);
      return 1;
    }
    const parsed: unknown = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    if (!isSuiteResult(parsed)) throw new Error(`malformed suite result in ${resultsFile}`);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, 'electron-result.json'), JSON.stringify(parsed, null, 2));
    console.log(
      `[electron] ${parsed.passed} passed, ${parsed.failed} failed, ${parsed.pending} pending (VS Code ${parsed.hostVersion ?? '?'})`,
    );
    const failures = describeFailures(parsed);
    if (failures.length || runError) {
      console.error(failures.join('\n') || String(runError));
      return 1;
    }
    return 0;
  } finally {
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[electron] ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
