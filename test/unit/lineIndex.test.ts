import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLineFacts, tryExtractFacts, type ExtractOptions } from '../../server/src/engine/analysis/facts/extract';
import type { LineFacts } from '../../server/src/engine/analysis/facts/types';
import { ts } from '../../server/src/engine/analysis/typescript';
import { LineIndex } from '../../server/src/engine/stageVerify/lineIndex';
import { buildCorpus } from '../../bench/analysis/corpus';

// The hook maps a commit's changed lines to declarations with the line facts stored beside each file's
// facts (no parse); these must be what a parse of the text gives, and mean what the hook relies on.
const OPTIONS: ExtractOptions = {
  stageCalls: [],
  pipelineConstructors: [],
  stageMethods: ['fit', 'predict', 'transform'],
  inFolder: false,
  isTest: false,
  target: ts.ScriptTarget.ES2019,
};

function extracted(file: string, text: string): LineFacts {
  const r = tryExtractFacts(file, text, OPTIONS);
  assert.ok('lines' in r, `${file}: ${'error' in r ? r.error : ''}`);
  return r.lines;
}

const SOURCE = `import type { Shape } from './shape';
import { mean } from './stats';

export interface Options {
  scale: number;
}
declare const DEBUG: boolean;

export function center(xs: number[]): number[] {
  const m = mean(xs);
  return xs.map((x) => x - m);
}

register('clip', (x: number) => {
  return Math.min(x, 1);
});

export class Scaler {
  fit(xs: number[]): void {
    this.m = mean(xs);
  }
}

export default function (x: number): number {
  return x;
}

export class Mixed extends mix(class {
  helper(): number {
    return 1;
  }
}) {}
`;

describe('line facts: changed lines to declarations without a parse', () => {
  it('name each line by its innermost unit and its top-level declaration, keys including nested units', () => {
    const file = '/p/src/scale.ts';
    const index = new LineIndex(file, SOURCE, extracted(file, SOURCE));
    const at = (line: number): { name?: string; depth: number; keys: number } | undefined => {
      const u = index.spanning(line - 1, line - 1);
      return u && { name: u.name, depth: u.depth, keys: u.keys.length };
    };
    // `center` holds the arrow: both keys; the arrow's line is the arrow's, named after `center`.
    assert.deepEqual(at(9), { name: 'center', depth: 0, keys: 2 });
    assert.deepEqual(at(11), { name: 'center', depth: 1, keys: 1 });
    // A callback in top-level code is that code: no declaration name.
    assert.deepEqual(at(15), { name: undefined, depth: 1, keys: 1 });
    assert.deepEqual(at(20), { name: 'Scaler', depth: 1, keys: 1 });
    assert.deepEqual(at(18), { name: 'Scaler', depth: 0, keys: 2 });
    assert.deepEqual(at(24), { name: 'default', depth: 0, keys: 1 });
    assert.equal(at(4), undefined);
    // The reference graph does not walk an `extends` clause: code there is its class's.
    assert.deepEqual(at(30), { name: 'Mixed', depth: 0, keys: 1 });
    // Types, `declare` and type-only imports do not run; the value import and the registration do.
    assert.deepEqual(
      [1, 2, 4, 5, 7, 14, 16].map((l) => index.isCode(l - 1)),
      [false, true, false, false, false, true, true],
    );
  });

  it('count lines as git does: a U+2028 or a lone CR inside a string is not a line break', () => {
    const file = '/p/src/sep.js';
    const text = `const a = "x\u2028y\ry";\nfunction f() {\n  return 1;\n}\nfunction g() {\n  return 2;\n}\n`;
    const index = new LineIndex(file, text, extracted(file, text));
    assert.equal(index.spanning(2, 2)?.name, 'f');
    assert.equal(index.spanning(5, 5)?.name, 'g');
  });

  it("are a parse's, for every file of the bench corpus and the real-layout fixtures", () => {
    const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'analysis');
    const texts = new Map<string, string>();
    for (const [rel, text] of buildCorpus('/corpus').files) texts.set(`/corpus/${rel}`, text);
    for (const f of fs.readdirSync(root, { recursive: true, encoding: 'utf8' }))
      if (/\.[cm]?[jt]sx?$/.test(f)) texts.set(path.join(root, f), fs.readFileSync(path.join(root, f), 'utf8'));
    assert.ok(texts.size > 1000, String(texts.size));
    let units = 0;
    for (const [file, text] of texts) {
      const facts = extracted(file, text);
      units += facts.units.length;
      assert.deepEqual(facts, parseLineFacts(file, text), file);
      // The text's JSON round trip (the cache) keeps them.
      assert.deepEqual(JSON.parse(JSON.stringify(facts)), facts);
    }
    assert.ok(units > 10_000, String(units));
  });
});
