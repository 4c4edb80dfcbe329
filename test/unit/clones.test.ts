import { strict as assert } from 'node:assert';
import {
  CloneIndex,
  detectClones,
  ignoredLines,
  tokenize,
  type CloneClass,
  type SourceFileText,
} from '../../server/src/engine/analysis/clones';
import type { Location } from '../../server/src/engine/findings';

// A ~90-token function: comfortably above the 50-token / 5-line defaults.
const BODY = `export function normalize(values: number[], scale: number): number[] {
  const out: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i] * scale;
  }
  const mean = total / values.length;
  for (const v of values) {
    out.push((v - mean) / scale);
  }
  return out;
}`;

// Same shape, every identifier renamed and literals changed.
const RENAMED = `export function standardize(xs: number[], factor: number): number[] {
  const result: number[] = [];
  let sum = 1;
  for (let j = 1; j < xs.length; j++) {
    sum += xs[j] * factor;
  }
  const avg = sum / xs.length;
  for (const x of xs) {
    result.push((x - avg) / factor);
  }
  return result;
}`;

// BODY with one inserted statement (a near-miss, type 3).
const EDITED = BODY.replace(
  '  let total = 0;\n',
  "  let total = 0;\n  if (scale === 0) throw new Error('zero scale');\n",
);

/** Location of `snippet` inside `text` (0-based, end exclusive), as the detector reports it. */
function locate(file: string, text: string, snippet: string): Location {
  const at = text.indexOf(snippet);
  assert.ok(at >= 0, 'snippet not in text');
  const pos = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  return { file, range: { start: pos(at), end: pos(at + snippet.length) } };
}

/** Wraps a snippet in context that differs (even after normalization) from file to file. */
function fileWith(name: string, snippet: string, variant: number): SourceFileText {
  const heads = ['const alpha = 1;', 'type Beta = string[];', 'declare let gamma: boolean;', 'enum Delta { A }'];
  const tails = ['export const done = true;', 'while (Math.random() > 2) {}', 'class Late {}', 'void 0;'];
  return { file: `/ws/src/${name}`, text: `${heads[variant % 4]}\n\n${snippet}\n\n${tails[variant % 4]}\n` };
}

function only(classes: CloneClass[]): CloneClass {
  assert.equal(classes.length, 1, JSON.stringify(classes, null, 1));
  return classes[0];
}

describe('clone detection', () => {
  it('finds a type-1 clone across files with exact locations', () => {
    const a = fileWith('a.ts', BODY, 0);
    const b = fileWith('b.ts', BODY, 1);
    const c = only(detectClones([a, b], {}));
    assert.equal(c.type, 1);
    assert.equal(c.similarity, 1);
    assert.equal(c.lines, 12);
    assert.ok(c.tokens >= 80, `tokens ${c.tokens}`);
    assert.deepEqual(c.occurrences, [locate(a.file, a.text, BODY), locate(b.file, b.text, BODY)]);
    assert.match(c.id, /^clone-[0-9a-f]{8}-\d+$/);
  });

  it('finds a type-2 clone (renamed identifiers, changed literals)', () => {
    const a = fileWith('a.ts', BODY, 0);
    const b = fileWith('b.ts', RENAMED, 2);
    const c = only(detectClones([a, b], {}));
    assert.equal(c.type, 2);
    assert.deepEqual(c.occurrences, [locate(a.file, a.text, BODY), locate(b.file, b.text, RENAMED)]);
  });

  it('finds a type-3 clone (inserted statement) above the similarity threshold', () => {
    const a = fileWith('a.ts', BODY, 0);
    const b = fileWith('b.ts', EDITED, 1);
    const c = only(detectClones([a, b], { minSimilarity: 0.8 }));
    assert.equal(c.type, 3);
    assert.ok(c.similarity >= 0.8 && c.similarity < 1, `similarity ${c.similarity}`);
    assert.deepEqual(c.occurrences, [locate(a.file, a.text, BODY), locate(b.file, b.text, EDITED)]);
    // A stricter threshold than the edit allows rejects it as a whole.
    assert.ok(detectClones([a, b], { minSimilarity: 0.99 }).every((k) => k.type !== 3));
  });

  it('does not report code below the token or line thresholds', () => {
    const short = 'export function add(a: number, b: number): number {\n  return a + b;\n}';
    assert.deepEqual(detectClones([fileWith('a.ts', short, 0), fileWith('b.ts', short, 1)], {}), []);
    // Plenty of tokens but on too few lines.
    const oneLine = BODY.replace(/\n\s*/g, ' ');
    assert.deepEqual(detectClones([fileWith('a.ts', oneLine, 0), fileWith('b.ts', oneLine, 1)], {}), []);
    assert.equal(detectClones([fileWith('a.ts', oneLine, 0), fileWith('b.ts', oneLine, 1)], { minLines: 1 }).length, 1);
  });

  it('ignores imports, re-exports and comments', () => {
    const imports = [
      "import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';",
      "import * as path from 'node:path';",
      "import type { Tensor, DType, NamedTensor } from '../tensor/tensor';",
      "import defaultThing, { helperOne, helperTwo, helperThree } from './helpers';",
      "import './sideEffects';",
      "export { alpha, beta, gamma, delta } from './greek';",
      "export * from './everything';",
      "export * as ns from './namespace';",
    ].join('\n');
    const comment = `/**\n${'  * the same long comment in both files, with many words that would be tokens\n'.repeat(8)} */`;
    const a = { file: '/ws/a.ts', text: `${imports}\n${comment}\nconst a = 1;\n` };
    const b = { file: '/ws/b.ts', text: `${imports}\n${comment}\nlet b = 'x';\n` };
    assert.deepEqual(detectClones([a, b], { minTokens: 10, minLines: 1 }), []);
    const toks = tokenize(a.file, a.text);
    assert.equal(toks.count, 5); // const a = 1 ;
    // Comments inside a clone do not break it.
    const commented = BODY.replace('  let total = 0;\n', '  // running sum\n  let total = 0; /* starts at zero */\n');
    const c = only(detectClones([fileWith('x.ts', BODY, 0), fileWith('y.ts', commented, 1)], {}));
    assert.equal(c.type, 1);
  });

  it('computes ignored lines for line, next-line and region comments', () => {
    const text = [
      'const a = 1; // ml-parity-ignore', // 0: same line
      '// ml-parity-ignore', // 1: next line
      'const b = 2;', // 2
      'const c = "// ml-parity-ignore";', // 3: inside a string, not a directive
      '// ml-parity-ignore-start', // 4
      'const d = 4;', // 5
      '// ml-parity-ignore-end', // 6
      'const e = 5;', // 7
      '// ml-parity-ignore-everything', // 8: a different word
    ].join('\n');
    assert.deepEqual(
      [...ignoredLines(text)].sort((x, y) => x - y),
      [0, 2, 4, 5, 6],
    );
    assert.deepEqual([...ignoredLines('// ml-parity-ignore-start\nx;\ny;')].sort(), [0, 1, 2]);
  });

  it('keeps ignored code out of clones', () => {
    const region = `// ml-parity-ignore-start\n${BODY}\n// ml-parity-ignore-end`;
    assert.deepEqual(detectClones([fileWith('a.ts', BODY, 0), fileWith('b.ts', region, 1)], {}), []);
    // Ignoring one line in the middle splits the copy in two halves, each too short to report.
    const lines = BODY.split('\n');
    lines[3] += ' // ml-parity-ignore';
    assert.deepEqual(detectClones([fileWith('a.ts', BODY, 0), fileWith('b.ts', lines.join('\n'), 1)], {}), []);
    const nextLine = BODY.split('\n');
    nextLine.splice(3, 0, '  // ml-parity-ignore');
    assert.deepEqual(detectClones([fileWith('a.ts', BODY, 0), fileWith('b.ts', nextLine.join('\n'), 1)], {}), []);
    // With a lower threshold the halves are reported, but never across the ignored line.
    const b = fileWith('b.ts', lines.join('\n'), 1);
    const ignoredLine = 2 + 3; // two header lines precede the snippet
    const halves = detectClones([fileWith('a.ts', BODY, 0), b], { minTokens: 20, minLines: 2 });
    assert.equal(halves.length, 2);
    for (const k of halves) {
      for (const o of k.occurrences.filter((x) => x.file === b.file)) {
        assert.ok(o.range.end.line < ignoredLine || o.range.start.line > ignoredLine, JSON.stringify(o));
      }
    }
  });

  it('merges three copies into one class with three occurrences', () => {
    const files = [fileWith('a.ts', BODY, 0), fileWith('b.ts', BODY, 1), fileWith('c.ts', BODY, 2)];
    const c = only(detectClones(files, {}));
    assert.deepEqual(
      c.occurrences,
      files.map((f) => locate(f.file, f.text, BODY)),
    );
  });

  it('finds clones within one file without self-overlapping periodic code', () => {
    const text = `${BODY}\n\nconst sep = 1;\n\n${RENAMED}\n`;
    const c = only(detectClones([{ file: '/ws/one.ts', text }], {}));
    assert.equal(c.type, 2);
    assert.deepEqual(c.occurrences, [locate('/ws/one.ts', text, BODY), locate('/ws/one.ts', text, RENAMED)]);
    // Periodic code matches itself shifted by one statement; only the two separated blocks may be reported,
    // each once, without overlapping.
    const block = 'total += values[i] * scale;\n'.repeat(12);
    const periodic = `${block}function sep(): number { return 1; }\n${block}`;
    const k = only(detectClones([{ file: '/ws/p.ts', text: periodic }], {}));
    assert.deepEqual(
      k.occurrences.map((o) => [o.range.start.line, o.range.end.line]),
      [
        [0, 11],
        [13, 24],
      ],
    );
  });

  // Every seed window of 40 identical statements occurs ~38 times per file, over the bucket limit (64
  // postings): only the heads of the runs (their first occurrences) seed, and the match grows along the
  // tokens that agree (see RunHeads). Before, the two files shared no seed at all: a silent miss.
  it('finds the same periodic lines in two files (every window of them is shared more often than a bucket holds)', () => {
    const block = 'total += values[i] * scale;\n'.repeat(40);
    const a = { file: '/ws/a.ts', text: `const total = 0;\n${block}` };
    const b = { file: '/ws/b.ts', text: `let other = 1;\nconsole.log(other);\n${block}export {};\n` };
    const c = only(detectClones([a, b], {}));
    assert.equal(c.type, 1);
    assert.deepEqual(
      c.occurrences.map((o) => [o.file, o.range.start.line, o.range.end.line]),
      [
        ['/ws/a.ts', 1, 40],
        ['/ws/b.ts', 2, 41],
      ],
    );
    // The same with the two copies in one class only once, also through the incremental index.
    const index = new CloneIndex({});
    index.update(b);
    index.update(a);
    assert.deepEqual(index.classes(), [c]);
  });

  it('does not derail on regular expressions and nested templates', () => {
    const tricky = `export function quote(s: string, n: number): string {
  const re = /['"\`{}]/g;
  const inner = \`\${s.replace(re, '')}-\${\`\${n + 1}\${'}'}\`}\`;
  if (inner.length / 2 > n) {
    return inner.slice(0, n) + '...';
  }
  const parts = inner.split(/[/]+/).map((p) => \`<\${p}>\`);
  return parts.join(', ') + String(n / 3);
}`;
    const a = fileWith('a.ts', tricky, 0);
    const b = fileWith('b.ts', tricky, 1);
    const c = only(detectClones([a, b], {}));
    assert.equal(c.type, 1);
    assert.deepEqual(c.occurrences, [locate(a.file, a.text, tricky), locate(b.file, b.text, tricky)]);
  });

  it('handles .tsx and .js files', () => {
    const jsx = BODY.replace(': number[]', '')
      .replace(/: number\[\]/g, '')
      .replace(/: number/g, '');
    const a = { file: '/ws/a.jsx', text: `const x = <div className="a">hi</div>;\n${jsx}\n` };
    const b = { file: '/ws/b.mjs', text: `let y = 2;\n${jsx}\n` };
    const c = only(detectClones([a, b], {}));
    assert.equal(c.type, 1);
    assert.deepEqual(c.occurrences, [locate(a.file, a.text, jsx), locate(b.file, b.text, jsx)]);
  });

  it('updates incrementally and matches a full recompute', () => {
    const files = [fileWith('a.ts', BODY, 0), fileWith('b.ts', BODY, 1), fileWith('c.ts', 'const lonely = 1;', 2)];
    const index = new CloneIndex({});
    for (const f of files) index.update(f);
    assert.deepEqual(index.classes(), detectClones(files, {}));
    assert.equal(index.classes().length, 1);

    // Edit b so the clone disappears.
    const bGone = fileWith('b.ts', 'export const nothing = 0;', 1);
    index.update(bGone);
    assert.deepEqual(index.classes(), []);
    assert.deepEqual(detectClones([files[0], bGone, files[2]], {}), []);

    // Edit c so a clone (type 2) appears between a and c.
    const cNew = fileWith('c.ts', RENAMED, 2);
    index.update(cNew);
    const full = detectClones([files[0], bGone, cNew], {});
    assert.deepEqual(index.classes(), full);
    assert.equal(full.length, 1);
    assert.equal(full[0].type, 2);

    // Removing a file drops its clones.
    index.remove(cNew.file);
    assert.deepEqual(index.classes(), []);
    index.update(files[1]);
    assert.deepEqual(index.classes(), detectClones([files[0], files[1]], {}));
  });
});
