import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCliBundles } from '../../scripts/bundles';
import { REPO_ROOT } from './tmp';

let built: Promise<string> | undefined;

/**
 * The packaged CLI's folder (`cli.js`, `cliMain.js` and the workers), bundled once per test process as
 * `npm run package` bundles it. Inside the repo, so the external onnxruntime-node and esbuild still resolve;
 * removed when the process exits. Tests that change a file in it copy the folder first.
 */
export function cliBundleDir(): Promise<string> {
  if (!built) {
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, 'out', 'bundle-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    built = buildCliBundles(dir).then(() => dir);
  }
  return built;
}
