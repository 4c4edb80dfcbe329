/**
 * `npm run package`: bundles client, server, CLI and inference worker with esbuild, stages a clean
 * extension folder holding only what runs (bundles, schema, grammar, media, rule docs,
 * onnxruntime-node's and esbuild's Linux x64 binaries), and packs it with vsce for the linux-x64 target.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAllBundles } from './bundles';
import { buildWebview } from './buildWebview';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const stage = path.join(root, '.package');
const TARGET = 'linux-x64';

async function bundle(): Promise<void> {
  fs.rmSync(dist, { recursive: true, force: true });
  await buildAllBundles(dist);
  await buildWebview();
}

function copy(rel: string, filter?: (src: string) => boolean, to = rel): void {
  const src = path.join(root, rel);
  if (!fs.existsSync(src)) return;
  fs.cpSync(src, path.join(stage, to), { recursive: true, filter: filter ?? (() => true) });
}

/**
 * Only the JS and this platform's native binary of onnxruntime-node (the other platforms weigh ~250 MB),
 * placed in dist/node_modules: the bundles resolve it there, and vsce's --no-dependencies mode skips only
 * the top-level node_modules.
 */
function copyRuntime(): void {
  const binDir = `${path.sep}bin${path.sep}napi-v6${path.sep}`;
  const keep = `${binDir}linux${path.sep}x64`;
  copy(
    'node_modules/onnxruntime-node',
    (src) => {
      if (src.includes(`${path.sep}script`)) return false;
      if (!src.includes(binDir)) return true;
      const after = src.slice(src.indexOf(binDir));
      return keep.startsWith(after) || after.startsWith(keep) || after === binDir.slice(0, -1);
    },
    'dist/node_modules/onnxruntime-node',
  );
  copy('node_modules/onnxruntime-common', undefined, 'dist/node_modules/onnxruntime-common');
  // verify-stage bundles each version of a stage with esbuild at run time: its JS API and this platform's binary.
  copy(
    'node_modules/esbuild',
    (src) => !src.includes(`${path.sep}bin${path.sep}`) && !src.endsWith('install.js'),
    'dist/node_modules/esbuild',
  );
  copy('node_modules/@esbuild/linux-x64', undefined, 'dist/node_modules/@esbuild/linux-x64');
}

function stagePackageJson(): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  pkg.main = './dist/extension.js';
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.bin;
  // Bundled: the runtime's own package is shipped beside the bundles instead of installed.
  pkg.dependencies = {};
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2));
}

/** Where {@link packageExtension} writes the .vsix: the repo root unless `outDir` is given. */
export interface PackageOptions {
  outDir?: string;
  /** Keep vsce's file tree off the console; its output is then shown only if it fails. */
  quiet?: boolean;
}

/** Bundles, stages and packs the extension; resolves to the absolute path of the .vsix. */
export async function packageExtension(opts: PackageOptions = {}): Promise<string> {
  await bundle();
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const rel of ['dist', 'schema', 'syntaxes', 'media', 'docs', 'README.md', 'LICENSE', '.vscodeignore']) copy(rel);
  copyRuntime();
  stagePackageJson();
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const out = path.join(opts.outDir ?? root, `ml-parity-${TARGET}-${version}.vsix`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // Async, so a caller such as the e2e driver keeps handling signals while vsce runs.
  const child = spawn(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--target', TARGET, '--allow-missing-repository', '-o', out],
    {
      cwd: stage,
      stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`vsce package failed (exit ${code})${output ? `:\n${output.trim()}` : ''}`);
  return out;
}

// Run as `npm run package`; imported (e2e driver) it only exports.
if (require.main === module) {
  packageExtension().then(
    (out) =>
      console.log(`packaged ${path.relative(root, out)} (${(fs.statSync(out).size / 1024 / 1024).toFixed(1)} MB)`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
