import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tryExtractFacts, type ExtractOptions } from '../../server/src/engine/analysis/facts/extract';
import { ts } from '../../server/src/engine/analysis/typescript';
import { REPO_ROOT } from '../support/tmp';

// A file without the text `@stage` is parsed without its JSDoc (facts/extract.ts): nothing else the facts
// hold may depend on JSDoc, or that shortcut would change the analysis.
const OPTIONS: ExtractOptions = {
  stageCalls: ['stage', 'addStage'],
  pipelineConstructors: ['Pipeline'],
  stageMethods: ['fit', 'transform', 'predict'],
  inFolder: false,
  isTest: false,
  target: ts.ScriptTarget.ES2022,
};

/** JavaScript leaning on JSDoc: types, casts, modifiers, an ES5 class marked @class, TS syntax in JS. */
const JSDOC_JS = `/**
 * @typedef {import('./model').Model} Model
 */
var Scaler = /** @class */ (function () {
  /** @param {number[]} mean @private */
  function Scaler(mean) { this.mean = mean; }
  /** @param {number[][]} rows @returns {number[][]} @deprecated */
  Scaler.prototype.fit = function (rows) { return rows.map((r) => /** @type {number[]} */ (r)); };
  Scaler.prototype.transform = function (rows) { return this.fit(rows); };
  return Scaler;
}());
/** @readonly */
const fitted = /** @type {Scaler} */ (new Scaler([0]));
/** @override @returns {void} */
function run(/** @type {Model} */ model) { model.fit(fitted.transform([[1]])); }
let typed: number = 1;
module.exports = { Scaler, run, typed };
`;

function sources(): [string, string][] {
  const out: [string, string][] = [['jsdoc.js', JSDOC_JS]];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.[cm]?[jt]sx?$/.test(e.name)) out.push([p, fs.readFileSync(p, 'utf8')]);
    }
  };
  walk(path.join(REPO_ROOT, 'test', 'fixtures', 'analysis'));
  walk(path.join(REPO_ROOT, 'examples', 'workspace'));
  return out.filter(([, text]) => !text.includes('@stage'));
}

describe('facts: a file parsed without its JSDoc', () => {
  it('has the same facts and line facts as with it (JSDoc is read only for @stage tags)', () => {
    const files = sources();
    assert.ok(files.length > 20, `only ${files.length} files`);
    for (const [file, text] of files) {
      // A trailing line comment naming the tag makes the file parsed with its JSDoc; it is no JSDoc itself.
      const without = tryExtractFacts(file, text, OPTIONS);
      const withJsDoc = tryExtractFacts(file, `${text}\n// @stage`, OPTIONS);
      assert.ok('facts' in without, `${file}: ${JSON.stringify(without)}`);
      assert.deepEqual(without, withJsDoc, file);
    }
  });
});
