/**
 * The TypeScript compiler API for the analysis: the very module ts-morph wraps (one instance in the
 * process, so nodes are interchangeable with the code actions' ts-morph project), loaded without
 * ts-morph itself, and used directly rather than through ts-morph's getter-per-member namespace.
 */
export import ts = require('@ts-morph/common/dist/typescript.js');
