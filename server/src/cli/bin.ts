/** Entry of the bundled CLI (`dist/cli.js`); the repo's `bin/ml-parity` runs the same `run()`. */
import { run } from './main';

// In the bundle __filename is dist/cli.js itself: the path a pre-commit hook must run.
run(__filename);
