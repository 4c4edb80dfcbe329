/**
 * The esbuild bundles of the packaged extension, shared by `npm run package`, the bench (which measures
 * the CLI a packaged extension's pre-commit hook runs) and the tests that run the bundled CLI.
 */
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const root = path.resolve(__dirname, '..', '..');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  minify: true,
  // onnxruntime-node finds its native binding relative to its own files, and esbuild its binary
  // (@esbuild/linux-x64), so both stay real packages.
  external: ['vscode', 'onnxruntime-node', 'esbuild'],
  logLevel: 'warning',
  // jsonc-parser's UMD build requires its parts dynamically; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

/** Bundle name in `outdir` → its entry in the tsc output. */
const CLI: Record<string, string> = {
  // The CLI and the small file that loads it through a V8 code cache (cli/bundleEntry.ts): a hook runs cli.js.
  cliMain: 'out/server/src/cli/main.js',
  cli: 'out/server/src/cli/bundleEntry.js',
  // Forked or preloaded by path from beside the bundle that uses them.
  inferenceWorker: 'out/server/src/engine/inference/worker.js',
  stageWorker: 'out/server/src/engine/stageVerify/worker.js',
  stageRecorder: 'out/server/src/engine/stageVerify/recorder.js',
};

const EDITOR: Record<string, string> = {
  extension: 'out/client/src/extension.js',
  serverMain: 'out/server/src/lsp/main.js',
  server: 'out/server/src/lsp/bundleEntry.js',
};

async function bundle(entries: Record<string, string>, outdir: string): Promise<void> {
  for (const [name, entry] of Object.entries(entries))
    await build({ ...common, entryPoints: { [name]: path.join(root, entry) }, outdir });
}

/** The bundled CLI (`outdir/cli.js`) with the workers it starts; needs `tsc -b` first. */
export function buildCliBundles(outdir: string): Promise<void> {
  return bundle(CLI, outdir);
}

/** Every bundle of the extension: the CLI's, the client and the language server. */
export async function buildAllBundles(outdir: string): Promise<void> {
  await bundle(CLI, outdir);
  await bundle(EDITOR, outdir);
}
