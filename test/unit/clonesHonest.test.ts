import { strict as assert } from 'node:assert';
import { detectClones, type CloneClass, type SourceFileText } from '../../server/src/engine/analysis/clones';

/** Twenty statements of 15-35 tokens, one a line, no two of the same shape (so no two lines are type-2 clones). */
const LINES = Array.from({ length: 20 }, (_, i) => `  const v${i} = rows${'.map((r) => r[0])'.repeat(1 + (i % 4))}${' + offset'.repeat(i % 5)};`);
const fn = (name: string, lines: string[]): string => `export function ${name}(rows: number[][], scale0: number, scale1: number, scale2: number, offset: number) {\n${lines.join('\n')}\n  return rows;\n}\n`;

/** The line count and token count each occurrence really has. */
function spanLines(c: CloneClass): number[] {
  return c.occurrences.map((o) => o.range.end.line - o.range.start.line + 1);
}

describe('clone classes are honest', () => {
  it('does not chain copies through an overlap: X holds a copy of Y and an overlapping copy of Z, Y and Z differ', () => {
    const x: SourceFileText = { file: '/ws/x.ts', text: fn('x', LINES) };
    const y: SourceFileText = { file: '/ws/y.ts', text: `// first part\n${fn('y', LINES.slice(0, 12))}` };
    const z: SourceFileText = { file: '/ws/z.ts', text: `let unrelated = 1;\n\n${fn('z', LINES.slice(7))}` };
    const classes = detectClones([x, y, z], {});
    assert.ok(classes.length >= 2, JSON.stringify(classes, null, 1));
    for (const c of classes) {
      const files = c.occurrences.map((o) => o.file);
      // Y's and Z's copies share only lines 7-11 of X: no class may claim Y's whole copy is a copy of Z's.
      if (files.includes(y.file) && files.includes(z.file)) {
        assert.ok(c.lines <= 6, `a class spanning Y and Z states ${c.lines} lines`);
      }
      // Every copy is within the stated size; no occurrence grows to cover the union of its overlapping copies.
      for (const n of spanLines(c)) assert.ok(n >= c.lines && n <= c.maxLines, `occurrence of ${n} lines in a class of ${c.lines}-${c.maxLines}`);
      for (const o of c.occurrences.filter((q) => q.file === x.file)) {
        assert.ok(!(o.range.start.line <= 1 && o.range.end.line >= 21), `an occurrence covers both of X's overlapping copies (lines ${o.range.start.line + 1}-${o.range.end.line + 1})`);
      }
    }
  });

  it('reports periodic code once, not once per shifted window, with spans of the stated size', () => {
    const block = (k: number) => LINES.slice(0, 6).map((l) => l.replace('offset', `offset${k % 2}`));
    const text = `export function periodic(rows: number[][], scale0: number, scale1: number, scale2: number, offset0: number, offset1: number) {\n${[0, 1, 2, 3, 4, 5].flatMap(block).join('\n')}\n}\n`;
    const classes = detectClones([{ file: '/ws/p.ts', text }], {});
    assert.ok(classes.length >= 1 && classes.length <= 3, `${classes.length} classes: ${JSON.stringify(classes.map((c) => c.occurrences.map((o) => o.range.start.line)))}`);
    for (const c of classes) for (const n of spanLines(c)) assert.ok(n >= c.lines && n <= c.maxLines);
  });

  it("leaves compilers' helpers out of clones", () => {
    const awaiter = `var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
function _classCallCheck(instance, Constructor) {
    if (!(instance instanceof Constructor)) {
        throw new TypeError("Cannot call a class as a function");
    }
    return instance && Constructor && typeof instance === "object" && typeof Constructor === "function";
}
`;
    const a = { file: '/ws/a.js', text: `"use strict";\n${awaiter}exports.a = 1;\n` };
    const b = { file: '/ws/b.js', text: `"use strict";\n${awaiter}exports.b = 2;\n` };
    assert.deepEqual(detectClones([a, b], {}), []);
    // The same code under a name of its own is code someone wrote: reported.
    const own = (f: string) => ({ file: f, text: awaiter.replace(/__awaiter/g, 'runAsync').replace(/_classCallCheck/g, 'checkClass') });
    assert.equal(detectClones([own('/ws/c.js'), own('/ws/d.js')], {}).length, 1);
  });
});
