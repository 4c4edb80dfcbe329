// Where the e2e harness finds things. Compiled to out/test/e2e/, so the repo root is three levels up.
import * as path from 'node:path';

/** Repository root (also the extension's development path). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** Idempotent installer for apt packages and code-server. */
export const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'e2e', 'setup.sh');
/** Where setup.sh installs code-server: ML_PARITY_E2E_DIR (as setup.sh reads it), else .e2e in the repo. */
export const E2E_DIR = path.resolve(process.env.ML_PARITY_E2E_DIR ?? path.join(REPO_ROOT, '.e2e'));
/** code-server's Node entry inside the private install made by setup.sh. */
export const CODE_SERVER_ENTRY = path.join(
  E2E_DIR,
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
/** Screenshots, logs and the summary. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
/** Example workspace copied for each run. */
export const EXAMPLE_WORKSPACE = path.join(REPO_ROOT, 'examples', 'workspace');
/** Compiled in-editor suite entry. */
export const SUITE_ENTRY = path.join(REPO_ROOT, 'out', 'test', 'e2e', 'suite', 'index.js');
/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
