// Phase (c): the packaged .vsix in a real editor. Packs it with the same function as `npm run package`, checks
// its size and file list, installs it offline into a throwaway extensions folder, then opens a fresh workspace
// with NO development extension, so the installed bundles (production mode, dist/ only) are what runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageExtension } from '../../scripts/package';
import { type Cleanup } from './cleanup';
import { installExtension, startCodeServer } from './codeServer';
import { runUiPass, type UiStepResult } from './uiPass';
import { listZipEntries, vsixProblems } from './vsixContents';

/** Inputs of {@link runVsixPass}. */
export interface VsixPassOptions {
  codeServerEntry: string;
  /** Fresh copy of the example workspace. */
  folder: string;
  /** Temp folder owned by this pass (vsix, extensions, code-server, Chromium profile). */
  tempRoot: string;
  shotsDir: string;
  expectProblems: string[];
  cleanup: Cleanup;
  /** The folder has the cases of reportCases.ts (the report step checks acceptance and divergence). */
  reportCases?: boolean;
}

/** The example case whose candidate model really differs, so verification must end in a failure notification. */
export const FAILING_CASE = 'relu-to-leakyrelu';

/**
 * "All cases" must end with exactly the failing case failed and at least one other case passed: a pass needs real
 * inference with matching outputs, so a runtime that cannot load (every case an error) cannot satisfy this.
 */
export const EXPECT_VERIFY = new RegExp(`\\b1 of (?:[2-9]|[1-9]\\d+) case\\(s\\) failed \\(${FAILING_CASE}\\)`);

/** Runs the pass; every step is reported, and the steps after a failed setup step are not attempted. */
export async function runVsixPass(o: VsixPassOptions): Promise<UiStepResult[]> {
  const results: UiStepResult[] = [];
  const step = async <T>(name: string, fn: () => Promise<{ value: T; detail: string }>): Promise<T | undefined> => {
    const t0 = Date.now();
    try {
      const { value, detail } = await fn();
      results.push({ name, ok: true, ms: Date.now() - t0, detail });
      console.log(`[e2e vsix] ok   ${name} (${Date.now() - t0} ms) — ${detail}`);
      return value;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      results.push({ name, ok: false, ms: Date.now() - t0, error });
      console.log(`[e2e vsix] FAIL ${name} (${Date.now() - t0} ms) — ${error}`);
      return undefined;
    }
  };
  const extensionsDir = path.join(o.tempRoot, 'extensions');

  const vsix = await step('package', async () => {
    const file = await packageExtension({ outDir: o.tempRoot, quiet: true });
    return { value: file, detail: `${path.basename(file)} ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB` };
  });
  if (!vsix) return results;
  const checked = await step('contents', async () => {
    const entries = listZipEntries(fs.readFileSync(vsix));
    const problems = vsixProblems(entries, fs.statSync(vsix).size);
    if (problems.length) throw new Error(`${problems.length} problem(s): ${problems.slice(0, 8).join('; ')}`);
    return {
      value: true,
      detail: `${entries.length} entries, server bundle and linux-x64 onnxruntime present, nothing foreign`,
    };
  });
  if (!checked) return results;
  const installed = await step('install', async () => {
    await installExtension({
      entry: o.codeServerEntry,
      vsix,
      extensionsDir,
      tempRoot: path.join(o.tempRoot, 'install'),
      logFile: path.join(o.shotsDir, 'vsix-install.log'),
    });
    const dirs = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('ml-parity.ml-parity-'));
    if (dirs.length !== 1)
      throw new Error(
        `expected one installed ml-parity folder in ${extensionsDir}, found: ${dirs.join(', ') || 'none'}`,
      );
    const dir = path.join(extensionsDir, dirs[0]);
    if (!fs.existsSync(path.join(dir, 'dist', 'server.js')) || fs.existsSync(path.join(dir, 'out')))
      throw new Error(`${dir} does not hold dist/server.js alone`);
    return { value: dir, detail: `offline into ${path.relative(o.tempRoot, dir)}` };
  });
  if (!installed) return results;

  const server = await step('start code-server', async () => {
    const s = await startCodeServer({
      entry: o.codeServerEntry,
      tempRoot: path.join(o.tempRoot, 'server'),
      logFile: path.join(o.shotsDir, 'vsix-code-server.log'),
      extensionsDir,
    });
    o.cleanup.add('vsix code-server', () => s.stop());
    return { value: s, detail: s.baseUrl };
  });
  if (!server) return results;
  try {
    const ui = await runUiPass({
      server,
      folder: o.folder,
      profileDir: path.join(o.tempRoot, 'chromium'),
      shotsDir: o.shotsDir,
      steps: ['problems', 'verify', 'report', 'hook'],
      expectProblems: o.expectProblems,
      statusPrefix: 'ML Parity',
      cleanup: o.cleanup,
      prefix: 'vsix-',
      expectVerify: EXPECT_VERIFY,
      hookCli: path.join(installed, 'dist', 'cli.js'),
      reportCases: o.reportCases,
    });
    results.push(...ui);
  } finally {
    await server.stop();
  }
  return results;
}
