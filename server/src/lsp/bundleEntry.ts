/**
 * `dist/server.js` of the packaged extension: loads the language server's bundle beside it
 * (`serverMain.js`) through a V8 code cache (codeCache.ts), so each editor session starts it without
 * compiling its 8 MB again, then starts it on the transport named on the command line.
 */
import * as path from 'node:path';
import { requireBundle } from '../engine/analysis/codeCache';
import type * as Server from './main';

(requireBundle(path.join(__dirname, 'serverMain.js')) as typeof Server).main();
