/**
 * `dist/cli.js` of the packaged extension, the file a pre-commit hook runs: it loads the CLI bundle beside
 * it (`cliMain.js`) through a V8 code cache, so a commit does not pay V8's compiling of the bundle's 8 MB
 * (the TypeScript compiler inlined) in every process. It holds nothing but that loading (codeCache.ts).
 */
import * as path from 'node:path';
import { requireBundle } from '../engine/analysis/codeCache';
import type * as Cli from './main';

const cli = requireBundle(path.join(__dirname, 'cliMain.js')) as typeof Cli;
// This file, not the bundle, is the path a hook must run.
cli.run(__filename);
