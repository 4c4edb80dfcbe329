/**
 * The TypeScript compiler API for the analysis: the very module ts-morph wraps (one instance in the
 * process, so nodes are interchangeable with the code actions' ts-morph project), loaded without
 * ts-morph itself, and used directly rather than through ts-morph's getter-per-member namespace.
 * It is loaded through a V8 code cache first (see codeCache.ts): the `require` below then finds it.
 * A bundle (the packaged extension, where this file is not typescript.js) has the compiler inlined.
 */
import { basename } from 'node:path';
import { loadWithCodeCache } from './codeCache';
if (basename(__filename) === 'typescript.js') loadWithCodeCache('@ts-morph/common/dist/typescript.js', require);
export import ts = require('@ts-morph/common/dist/typescript.js');
