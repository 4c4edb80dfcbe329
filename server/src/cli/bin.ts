/** Entry of the bundled CLI (`dist/cli.js`); the repo's `bin/ml-parity` runs the same `run()`. */
import { run } from './main';

run();
