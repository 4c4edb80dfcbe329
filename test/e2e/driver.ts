// `npm run test:e2e`: the real VS Code (code-server) in headless Chromium. Runs the in-editor mocha suite through
// the workbench payload, then a UI pass with screenshots, then the packaged .vsix installed offline. Always tears down code-server and Chromium; exits
// non-zero on any failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Cleanup } from './cleanup';
import { startCodeServer } from './codeServer';
import { CODE_SERVER_ENTRY, EXAMPLE_WORKSPACE, REPO_ROOT, RESULTS_DIR, SETUP_SCRIPT, SUITE_ENTRY } from './paths';
import { describeFailures, RESULTS_ENV } from './suite/results';
import { runSuitePass } from './suitePass';
import { DEFAULT_UI_STEPS, runUiPass, UI_STEPS, type UiStepName } from './uiPass';
import { runVsixPass } from './vsixPass';
import { buildWebview } from '../../scripts/buildWebview';
import { copyWorkspace } from './workspaceCopy';
import { addReportCases } from './reportCases';

const USAGE = `usage: node out/test/e2e/driver.js [options]
  --extension PATH     extension development path (default: repo root)
  --tests PATH         extensionTestsPath module (default: out/test/e2e/suite/index.js)
  --workspace PATH     folder copied and opened (default: examples/workspace)
  --ui-steps LIST      comma list of ${UI_STEPS.join(',')} (default: ${DEFAULT_UI_STEPS.join(',')})
  --expect-problem S   text that must appear in the Problems panel (repeatable;
                       default: cross-stage-duplicate, untested-stage)
  --skip-setup --skip-suite --skip-ui --skip-vsix --keep-temp`;

/** Parsed command line. */
interface DriverOptions {
  extension: string;
  tests: string;
  workspace: string;
  uiSteps: UiStepName[];
  expectProblems: string[];
  skipSetup: boolean;
  skipSuite: boolean;
  skipUi: boolean;
  skipVsix: boolean;
  keepTemp: boolean;
}

function parseOptions(argv: string[]): DriverOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      extension: { type: 'string' },
      tests: { type: 'string' },
      workspace: { type: 'string' },
      'ui-steps': { type: 'string' },
      'expect-problem': { type: 'string', multiple: true },
      'skip-setup': { type: 'boolean' },
      'skip-suite': { type: 'boolean' },
      'skip-ui': { type: 'boolean' },
      'skip-vsix': { type: 'boolean' },
      'keep-temp': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const steps = values['ui-steps'] ? values['ui-steps'].split(',').map((s) => s.trim()) : [...DEFAULT_UI_STEPS];
  const bad = steps.filter((s) => !(UI_STEPS as readonly string[]).includes(s));
  if (bad.length) throw new Error(`unknown UI step(s): ${bad.join(', ')}\n${USAGE}`);
  return {
    extension: path.resolve(values.extension ?? REPO_ROOT),
    tests: path.resolve(values.tests ?? SUITE_ENTRY),
    workspace: path.resolve(values.workspace ?? EXAMPLE_WORKSPACE),
    uiSteps: steps as UiStepName[],
    expectProblems: values['expect-problem'] ?? ['cross-stage-duplicate', 'untested-stage'],
    skipSetup: values['skip-setup'] ?? false,
    skipSuite: values['skip-suite'] ?? false,
    skipUi: values['skip-ui'] ?? false,
    skipVsix: values['skip-vsix'] ?? false,
    keepTemp: values['keep-temp'] ?? false,
  };
}

/**
 * dist/ bundles older than the tsc output they are built from: the extension prefers dist/ when present, so a
 * stale bundle makes the editor run old code (seen: a dist/cli.js without the `hook` command).
 */
function staleBundles(root: string): string[] {
  const newest = (dir: string): number => {
    if (!fs.existsSync(dir)) return 0;
    return Math.max(
      0,
      ...fs
        .readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.js'))
        .map((f) => fs.statSync(path.join(dir, f)).mtimeMs),
    );
  };
  const built = newest(path.join(root, 'out', 'server', 'src'));
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(dist)) return [];
  return fs
    .readdirSync(dist)
    .filter((f) => f.endsWith('.js') && fs.statSync(path.join(dist, f)).mtimeMs < built)
    .map((f) => path.join('dist', f));
}

/** Wall time of one phase. */
interface Phase {
  name: string;
  ms: number;
  ok: boolean;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const cleanup = new Cleanup();
  const phases: Phase[] = [];
  const failures: string[] = [];
  const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    if (cleanup.closed && name !== 'shutdown') throw new Error(`interrupted before ${name}`);
    const t0 = Date.now();
    console.log(`[e2e] ▶ ${name}`);
    try {
      const v = await fn();
      phases.push({ name, ms: Date.now() - t0, ok: true });
      return v;
    } catch (err) {
      phases.push({ name, ms: Date.now() - t0, ok: false });
      throw err;
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`[e2e] ${sig}: stopping code-server and Chromium`);
      void cleanup.runAll().finally(() => process.exit(130));
    });
  }

  fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const t0 = Date.now();
  try {
    if (!opts.skipSetup) {
      await timed('setup', () => {
        const r = spawnSync('bash', [SETUP_SCRIPT], { stdio: 'inherit' });
        if (r.status !== 0) throw new Error(`setup.sh failed (exit ${r.status})`);
      });
    }
    // The report view loads media/report.js, which tsc does not build.
    await timed('build webview', buildWebview);
    // Fail fast on inputs that would otherwise surface only as a result-file timeout.
    for (const [what, file] of [
      ['extension manifest', path.join(opts.extension, 'package.json')],
      ['tests module', opts.tests],
      ['code-server', CODE_SERVER_ENTRY],
    ] as const) {
      if ((what !== 'tests module' || !opts.skipSuite) && !fs.existsSync(file))
        throw new Error(`${what} not found: ${file} (run \`npx tsc -b\` / scripts/e2e/setup.sh)`);
    }
    const stale = staleBundles(opts.extension);
    if (stale.length)
      console.warn(
        `[e2e] warning: ${stale.join(', ')} older than out/server/src; the extension may run stale bundled code (rebuild them or delete dist/)`,
      );
    const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-parity-e2e-'));
    if (opts.keepTemp) console.log(`[e2e] keeping ${tempRoot}`);
    else cleanup.add('temp dir', async () => fs.rmSync(tempRoot, { recursive: true, force: true }));
    const resultsFile = path.join(tempRoot, 'suite-result.json');

    // The report step checks task metrics and a located divergence on cases it adds to the example's config.
    const reportCases = opts.workspace === EXAMPLE_WORKSPACE;
    const [suiteWs, uiWs] = await timed('copy workspace', () => [
      copyWorkspace(opts.workspace, path.join(tempRoot, 'ws-suite')),
      copyWorkspace(opts.workspace, path.join(tempRoot, 'ws-ui'), reportCases ? addReportCases : undefined),
    ]);
    const server = await timed('start code-server', () =>
      startCodeServer({
        entry: CODE_SERVER_ENTRY,
        tempRoot: path.join(tempRoot, 'server'),
        logFile: path.join(RESULTS_DIR, 'code-server.log'),
        env: { [RESULTS_ENV]: resultsFile },
      }),
    );
    cleanup.add('code-server', () => server.stop());
    console.log(`[e2e] code-server at ${server.baseUrl}`);

    if (!opts.skipSuite) {
      const result = await timed('extension-host suite', () =>
        runSuitePass({
          server,
          folder: suiteWs,
          extensionPath: opts.extension,
          testsPath: opts.tests,
          resultsFile,
          profileDir: path.join(tempRoot, 'chromium-suite'),
          shotsDir: RESULTS_DIR,
          timeoutMs: 180_000,
          cleanup,
        }),
      ).catch((err: unknown) => {
        failures.push(`extension-host suite: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      if (result) {
        fs.writeFileSync(path.join(RESULTS_DIR, 'suite-result.json'), JSON.stringify(result, null, 2));
        for (const t of result.tests)
          console.log(
            `[e2e suite] ${t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-'} ${t.fullTitle} (${t.durationMs} ms)`,
          );
        console.log(
          `[e2e suite] ${result.passed} passed, ${result.failed} failed, ${result.pending} pending (host ${result.hostVersion ?? '?'})`,
        );
        failures.push(...describeFailures(result));
        if (result.tests.length === 0 && !result.fatal) failures.push('extension-host suite ran no tests');
      }
    }

    if (!opts.skipUi) {
      const steps = await timed('ui pass', () =>
        runUiPass({
          server,
          folder: uiWs,
          extensionPath: opts.extension,
          profileDir: path.join(tempRoot, 'chromium-ui'),
          shotsDir: RESULTS_DIR,
          steps: opts.uiSteps,
          expectProblems: opts.expectProblems,
          statusPrefix: 'ML Parity',
          cleanup,
          reportCases,
        }),
      );
      for (const s of steps) phases.push({ name: `  ui: ${s.name}`, ms: s.ms, ok: s.ok });
      failures.push(...steps.filter((s) => !s.ok).map((s) => `ui step ${s.name}: ${s.error}`));
    }

    if (!opts.skipVsix) {
      const vsixWs = copyWorkspace(
        opts.workspace,
        path.join(tempRoot, 'ws-vsix'),
        reportCases ? addReportCases : undefined,
      );
      const steps = await timed('vsix pass', () =>
        runVsixPass({
          codeServerEntry: CODE_SERVER_ENTRY,
          folder: vsixWs,
          tempRoot: path.join(tempRoot, 'vsix'),
          shotsDir: RESULTS_DIR,
          expectProblems: opts.expectProblems,
          cleanup,
          reportCases,
        }),
      );
      for (const s of steps) phases.push({ name: `  vsix: ${s.name}`, ms: s.ms, ok: s.ok });
      failures.push(...steps.filter((s) => !s.ok).map((s) => `vsix step ${s.name}: ${s.error}`));
    }
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    await timed('shutdown', () => cleanup.runAll());
  }

  const totalMs = Date.now() - t0;
  console.log('\n[e2e] phase timings');
  for (const p of phases)
    console.log(`  ${p.ok ? ' ' : '!'} ${p.name.padEnd(28)} ${(p.ms / 1000).toFixed(1).padStart(6)} s`);
  console.log(`    ${'total'.padEnd(28)} ${(totalMs / 1000).toFixed(1).padStart(6)} s`);
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'summary.json'),
    JSON.stringify({ ok: failures.length === 0, totalMs, phases, failures }, null, 2),
  );
  if (failures.length) {
    console.error(`\n[e2e] FAILED (${failures.length}):\n${failures.map((f) => `  ${f}`).join('\n')}`);
    console.error(`[e2e] screenshots and logs: ${RESULTS_DIR}`);
    return 1;
  }
  console.log(`\n[e2e] all passed; screenshots in ${RESULTS_DIR}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[e2e] ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
