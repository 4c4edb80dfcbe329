/**
 * Entry of the compiled CLI run by path (a development extension's hook); the repo's `bin/ml-parity` runs
 * the same `run()`, and so does the packaged `dist/cli.js` (bundleEntry.ts).
 */
import { run } from './main';

run(__filename);
