/**
 * Seeded generator of a synthetic ML pipeline workspace: pipelines whose folders hold stage modules,
 * pipeline index files that register the stages, helper modules that import each other, and test
 * files that call some of the stages. Some stage bodies share a renamed block (type-2 clones), as
 * copy-pasted preprocessing does in real projects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seeded, type Rng } from './rng';

/** The generated workspace, in memory (relative path → text) and on disk under `root`. */
export interface Corpus {
  root: string;
  /** Relative (forward-slash) path → current text. */
  files: Map<string, string>;
  lines: number;
  bytes: number;
  /** Which kind each file is, for choosing edits. */
  kinds: Map<string, FileKind>;
}

type FileKind = 'stage' | 'index' | 'helper' | 'test' | 'core';

export interface CorpusShape {
  pipelines: number;
  stagesPerPipeline: number;
  helpers: number;
  tests: number;
  seed: number;
}

/** ≈1,000 files, ≈60,000 lines. */
export const DEFAULT_SHAPE: CorpusShape = {
  pipelines: 25,
  stagesPerPipeline: 20,
  helpers: 273,
  tests: 200,
  seed: 20240611,
};

const VERBS = [
  'clean',
  'scale',
  'encode',
  'impute',
  'clip',
  'smooth',
  'bucket',
  'rank',
  'select',
  'project',
  'normalize',
  'augment',
];
const NOUNS = ['rows', 'cols', 'batch', 'frame', 'window', 'stats', 'weights', 'scores', 'labels', 'feats'];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const stageRel = (p: number, s: number): string => `src/pipelines/p${pad(p)}/stage${pad(s)}.ts`;
const helperRel = (h: number): string => `src/lib/g${pad(Math.floor(h / 20))}/helper${pad(h, 3)}.ts`;
const stageFn = (p: number, s: number, f: number): string => `${VERBS[(p + s + f) % VERBS.length]}P${p}S${s}F${f}`;
const helperFn = (h: number, f: number): string => `${NOUNS[(h + f) % NOUNS.length]}H${h}F${f}`;

/** `import` specifier from one relative file to another, without extension. */
function spec(from: string, to: string): string {
  const r = path.posix.relative(path.posix.dirname(from), to.replace(/\.ts$/, ''));
  return r.startsWith('.') ? r : `./${r}`;
}

const CORE_TYPES = `/** A dense matrix, row-major. */
export type Matrix = number[][];

/** What every stage receives besides its data. */
export interface StageContext {
  seed: number;
  epsilon: number;
  columns: string[];
  log(message: string): void;
}

export interface ColumnStats {
  mean: number[];
  std: number[];
  min: number[];
  max: number[];
}

export type StageFn = (rows: Matrix, ctx: StageContext) => Matrix;
`;

const CORE_PIPELINE = `import type { Matrix, StageContext, StageFn } from './types';

/** Runs named stages in order. */
export class Pipeline {
  private readonly stages: { name: string; fn: StageFn }[] = [];

  constructor(initial: StageFn[] = []) {
    initial.forEach((fn, i) => this.stages.push({ name: \`stage\${i}\`, fn }));
  }

  stage(name: string, fn: StageFn): this {
    this.stages.push({ name, fn });
    return this;
  }

  run(rows: Matrix, ctx: StageContext): Matrix {
    let cur = rows;
    for (const s of this.stages) {
      ctx.log(\`running \${s.name}\`);
      cur = s.fn(cur, ctx);
    }
    return cur;
  }
}
`;

// Blocks that get copy-pasted between stages with renamed identifiers.
const SHARED_BLOCKS: ((v: string) => string[])[] = [
  (v) => [
    `  const ${v}Mean = rows[0].map((_, c) => rows.reduce((acc, r) => acc + r[c], 0) / rows.length);`,
    `  const ${v}Std = rows[0].map((_, c) => Math.sqrt(rows.reduce((acc, r) => acc + (r[c] - ${v}Mean[c]) ** 2, 0) / rows.length) || 1);`,
    `  for (let i = 0; i < rows.length; i++) {`,
    `    for (let c = 0; c < rows[i].length; c++) {`,
    `      rows[i][c] = (rows[i][c] - ${v}Mean[c]) / (${v}Std[c] + ctx.epsilon);`,
    `    }`,
    `  }`,
  ],
  (v) => [
    `  const ${v}Lo = rows[0].map((_, c) => Math.min(...rows.map((r) => r[c])));`,
    `  const ${v}Hi = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c])));`,
    `  const ${v}Span = ${v}Hi.map((h, c) => h - ${v}Lo[c] || 1);`,
    `  rows = rows.map((r) => r.map((x, c) => (x - ${v}Lo[c]) / ${v}Span[c]));`,
    `  if (rows.some((r) => r.some((x) => Number.isNaN(x)))) {`,
    `    ctx.log('min-max scaling produced NaN in ${v}');`,
    `    rows = rows.map((r) => r.map((x) => (Number.isNaN(x) ? 0 : x)));`,
    `  }`,
  ],
  (v) => [
    `  const ${v}Counts = new Map<number, number>();`,
    `  for (const r of rows) {`,
    `    const key = Math.round(r[0] * 100) / 100;`,
    `    ${v}Counts.set(key, (${v}Counts.get(key) ?? 0) + 1);`,
    `  }`,
    `  const ${v}Rare = new Set([...${v}Counts].filter(([, n]) => n < 3).map(([k]) => k));`,
    `  rows = rows.filter((r) => !${v}Rare.has(Math.round(r[0] * 100) / 100));`,
  ],
  (v) => [
    `  const ${v}Window = Math.max(1, Math.floor(rows.length / 10));`,
    `  const ${v}Out: number[][] = [];`,
    `  for (let i = 0; i < rows.length; i++) {`,
    `    const from = Math.max(0, i - ${v}Window);`,
    `    const slice = rows.slice(from, i + 1);`,
    `    ${v}Out.push(slice[0].map((_, c) => slice.reduce((a, r) => a + r[c], 0) / slice.length));`,
    `  }`,
    `  rows = ${v}Out;`,
  ],
];

/** One random statement of a stage or helper body; `rows: number[][]` and `ctx` are in scope. */
function statement(r: Rng, i: number, calls: string[]): string[] {
  const v = `${r.pick(NOUNS)}${i}`;
  const k = r.int(90) + 2;
  switch (r.int(7)) {
    case 0:
      return [`  const ${v} = rows.map((row) => row.map((x) => x * ${k / 10} + ${r.int(7)}));`, `  rows = ${v};`];
    case 1:
      return [
        `  if (rows.length > ${k * 100}) {`,
        `    ctx.log('truncating to ${k * 100} rows');`,
        `    rows = rows.slice(0, ${k * 100});`,
        `  }`,
      ];
    case 2:
      return [
        `  let ${v} = 0;`,
        `  for (const row of rows) {`,
        `    ${v} += row.reduce((a, b) => a + Math.abs(b), 0);`,
        `  }`,
        `  ctx.log(\`${v}=\${${v}.toFixed(${r.int(4)})}\`);`,
      ];
    case 3:
      return calls.length > 0
        ? [`  rows = ${r.pick(calls)}(rows, ctx);`]
        : [`  rows = rows.filter((row) => row.length > ${r.int(3)});`];
    case 4:
      return [
        `  const ${v} = rows.filter((row) => row.every((x) => Number.isFinite(x)));`,
        `  if (${v}.length < rows.length) ctx.log('dropped ${k} non-finite rows');`,
        `  rows = ${v};`,
      ];
    case 5:
      return [
        `  const ${v}: number[] = [];`,
        `  for (let c = 0; c < (rows[0]?.length ?? 0); c++) ${v}.push(rows.reduce((m, row) => Math.max(m, row[c]), -Infinity));`,
        `  rows = rows.map((row) => row.map((x, c) => x / (${v}[c] || ${k})));`,
      ];
    default:
      return [
        `  rows = rows.map((row) => [...row.slice(0, ${r.int(5) + 1}), ...row.slice(${r.int(5) + 1}).map((x) => Math.tanh(x))]);`,
      ];
  }
}

function functionText(r: Rng, name: string, calls: string[], exported: boolean, shared: number): string[] {
  const out = [
    `/** ${name}: generated stage body. */`,
    `${exported ? 'export ' : ''}function ${name}(input: Matrix, ctx: StageContext): Matrix {`,
    '  let rows = input.map((r) => [...r]);',
  ];
  const n = 3 + r.int(4);
  for (let i = 0; i < n; i++) {
    out.push(...statement(r, i, calls));
    if (i === 1 && shared >= 0) out.push(...SHARED_BLOCKS[shared](`${name.slice(0, 4)}${r.int(1000)}`));
  }
  out.push('  return rows;', '}', '');
  return out;
}

function stageFile(r: Rng, p: number, s: number, shape: CorpusShape): string {
  const rel = stageRel(p, s);
  const hs = [r.int(shape.helpers), r.int(shape.helpers)];
  const lines = [`import type { Matrix, StageContext } from '${spec(rel, 'src/core/types.ts')}';`];
  const calls: string[] = [];
  hs.forEach((h, i) => {
    const fn = helperFn(h, i % 4);
    if (!calls.includes(fn)) {
      lines.push(`import { ${fn} } from '${spec(rel, helperRel(h))}';`);
      calls.push(fn);
    }
  });
  lines.push('');
  lines.push(...functionText(r, `local${p}_${s}`, calls, false, -1));
  for (let f = 0; f < 3; f++) {
    const shared = r.next() < 0.1 ? r.int(SHARED_BLOCKS.length) : -1;
    lines.push(...functionText(r, stageFn(p, s, f), [...calls, `local${p}_${s}`], true, shared));
  }
  return lines.join('\n');
}

function indexFile(r: Rng, p: number, shape: CorpusShape): string {
  const rel = `src/pipelines/p${pad(p)}/index.ts`;
  const lines = [`import { Pipeline } from '${spec(rel, 'src/core/pipeline.ts')}';`];
  const chosen: string[] = [];
  for (let s = 0; s < shape.stagesPerPipeline; s++) {
    const fn = stageFn(p, s, r.int(3));
    lines.push(`import { ${fn} } from './stage${pad(s)}';`);
    chosen.push(fn);
  }
  lines.push(
    '',
    `/** Pipeline ${p}: every stage module contributes one registered stage. */`,
    `export const pipeline${p} = new Pipeline()`,
  );
  chosen.forEach((fn, i) => lines.push(`  .stage('${fn.toLowerCase()}', ${fn})${i === chosen.length - 1 ? ';' : ''}`));
  return lines.join('\n') + '\n';
}

function helperFile(r: Rng, h: number): string {
  const rel = helperRel(h);
  const lines = [`import type { Matrix, StageContext } from '${spec(rel, 'src/core/types.ts')}';`];
  const calls: string[] = [];
  // Helpers import lower-numbered helpers (a layered library), so there are no cycles.
  for (let i = 0; i < 2 && h > 0; i++) {
    const dep = r.int(h);
    const fn = helperFn(dep, r.int(4));
    if (calls.includes(fn)) continue;
    lines.push(`import { ${fn} } from '${spec(rel, helperRel(dep))}';`);
    calls.push(fn);
  }
  lines.push('');
  for (let f = 0; f < 4; f++)
    lines.push(
      ...functionText(r, helperFn(h, f), calls, true, -1).map((l) =>
        l.replace('generated stage body', 'generated helper'),
      ),
    );
  return lines.join('\n');
}

function testFile(r: Rng, t: number, shape: CorpusShape): string {
  const p = t % shape.pipelines;
  const rel = `test/p${pad(p)}/case${pad(t, 3)}.test.ts`;
  const lines = [
    `import assert from 'node:assert/strict';`,
    `import { pipeline${p} } from '${spec(rel, `src/pipelines/p${pad(p)}/index.ts`)}';`,
  ];
  const mods: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = r.int(shape.stagesPerPipeline);
    if (mods.includes(s)) continue;
    mods.push(s);
    lines.push(`import * as s${s} from '${spec(rel, stageRel(p, s))}';`);
  }
  lines.push(
    '',
    `const ctx = { seed: ${t}, epsilon: 1e-9, columns: ['a', 'b', 'c'], log: (_m: string): void => undefined };`,
    `const sample = [[1, 2, 3], [4, 5, 6], [7, 8, ${t}]];`,
    '',
  );
  lines.push(`describe('pipeline ${p} case ${t}', () => {`);
  // About half the tests only call single stages: the pipeline's other stages stay untested.
  if (r.next() < 0.5)
    lines.push(
      `  it('runs the whole pipeline', () => {`,
      `    assert.equal(pipeline${p}.run(sample, ctx).length > 0, true);`,
      '  });',
    );
  for (const s of mods) {
    const f = r.int(3);
    lines.push(
      `  it('stage ${s} keeps the row count', () => {`,
      `    const out = s${s}.${stageFn(p, s, f)}(sample, ctx);`,
      `    assert.ok(out.length <= sample.length);`,
      '  });',
    );
  }
  lines.push('});', '');
  return lines.join('\n');
}

/** Builds the workspace in memory (pure; the same shape and seed give the same texts). */
export function buildCorpus(root: string, shape: CorpusShape = DEFAULT_SHAPE): Corpus {
  const r = seeded(shape.seed);
  const files = new Map<string, string>();
  const kinds = new Map<string, FileKind>();
  const add = (rel: string, kind: FileKind, text: string): void => {
    files.set(rel, text);
    kinds.set(rel, kind);
  };
  add('src/core/types.ts', 'core', CORE_TYPES);
  add('src/core/pipeline.ts', 'core', CORE_PIPELINE);
  for (let h = 0; h < shape.helpers; h++) add(helperRel(h), 'helper', helperFile(r, h));
  for (let p = 0; p < shape.pipelines; p++) {
    for (let s = 0; s < shape.stagesPerPipeline; s++) add(stageRel(p, s), 'stage', stageFile(r, p, s, shape));
    add(`src/pipelines/p${pad(p)}/index.ts`, 'index', indexFile(r, p, shape));
  }
  for (let t = 0; t < shape.tests; t++)
    add(`test/p${pad(t % shape.pipelines)}/case${pad(t, 3)}.test.ts`, 'test', testFile(r, t, shape));
  let lines = 0;
  let bytes = 0;
  for (const text of files.values()) {
    lines += text.split('\n').length;
    bytes += Buffer.byteLength(text);
  }
  return { root, files, lines, bytes, kinds };
}

/** Writes the corpus under its root, replacing what was there. */
export function writeCorpus(corpus: Corpus): void {
  const { root, files } = corpus;
  fs.rmSync(root, { recursive: true, force: true });
  for (const [rel, text] of files) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'commonjs', lib: ['ES2022'], strict: true, types: [] },
    include: ['src'],
  };
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
}
