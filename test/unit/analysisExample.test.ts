import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFiles } from '../../server/src/engine/analysis/analyzer';
import { loadConfig } from '../../server/src/engine/config/load';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';

const EXAMPLE = path.resolve(__dirname, '../../../examples/workspace');

describe('analysis: example workspace', () => {
  it('finds the five stages, the two untested ones and the duplicated normalization', () => {
    const cfg = loadConfig(EXAMPLE);
    const r = analyzeFiles(EXAMPLE, cfg.analysis);
    const rel = (f: string): string => path.relative(EXAMPLE, f);
    for (const name of ['load', 'preprocess', 'featurize', 'predict', 'postprocess'])
      assert.ok(
        r.stages.some((s) => s.name === name),
        name,
      );
    assert.deepEqual(
      r.findings.map((f) => `${rel(f.file)} ${f.rule} ${f.severity}`),
      [
        'src/pipeline/featurize.ts untested-stage warning',
        'src/pipeline/featurize.ts cross-stage-duplicate warning',
        'src/pipeline/postprocess.ts untested-stage warning',
      ],
    );
    const clone = r.findings.find((f) => f.rule === 'cross-stage-duplicate');
    assert.match(clone?.message ?? '', /across stages 'featurize' and 'preprocess'/);
    assert.equal(clone?.related.length, 1);
    assert.equal(rel(clone?.related[0].file ?? ''), 'src/pipeline/preprocess.ts');
    assert.equal(typeof clone?.data?.cloneId, 'string');
    const untested = r.findings.filter((f) => f.rule === 'untested-stage');
    assert.deepEqual(
      untested.map((f) => f.data?.stage),
      ['featurize', 'postprocess'],
    );
    assert.ok(
      untested.every((f) => f.related.some((x) => rel(x.file) === 'src/pipeline/index.ts')),
      'registration in related',
    );
  });
});

describe('analysis: clone findings', () => {
  let root = '';
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-clones-')));
    const body = (name: string, v: string) =>
      [
        `export function ${name}(rows: number[][]): number[][] {`,
        `  const ${v}Means = rows[0].map((_, c) => rows.reduce((a, r) => a + r[c], 0) / rows.length);`,
        `  const ${v}Stds = rows[0].map((_, c) => Math.sqrt(rows.reduce((a, r) => a + (r[c] - ${v}Means[c]) ** 2, 0) / rows.length) || 1);`,
        `  const out = rows.map((r) => r.map((x, c) => (x - ${v}Means[c]) / ${v}Stds[c]));`,
        '  if (out.length === 0) throw new Error("empty");',
        '  return out;',
        '}',
      ].join('\n');
    fs.mkdirSync(path.join(root, 'src/pipeline'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src/pipeline/clean.ts'), body('clean', 'col') + '\n');
    fs.writeFileSync(path.join(root, 'src/pipeline/scale.ts'), '\n\n' + body('scale', 'feat') + '\n');
    // A second duplicate, unlike the stages' code, in a file outside any stage: a plain duplicate-code finding.
    const histogram = (name: string, v: string): string =>
      [
        `export function ${name}(xs: number[], bins: number): number[] {`,
        `  const ${v}Lo = Math.min(...xs);`,
        `  const ${v}Width = (Math.max(...xs) - ${v}Lo) / bins || 1;`,
        `  const counts = new Array<number>(bins).fill(0);`,
        `  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - ${v}Lo) / ${v}Width))] += 1;`,
        '  return counts;',
        '}',
      ].join('\n');
    fs.writeFileSync(path.join(root, 'src/util.ts'), histogram('histA', 'a') + '\n\n' + histogram('histB', 'b') + '\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports a clone across stages with both stages named, and others as duplicate-code', () => {
    const r = analyzeFiles(root, { ...DEFAULT_ANALYSIS, clones: { minTokens: 30, minLines: 4, minSimilarity: 0.8 } });
    const cross = r.findings.filter((f) => f.rule === 'cross-stage-duplicate');
    assert.ok(cross.length >= 1, JSON.stringify(r.findings.map((f) => f.message)));
    const f = cross[0];
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /'clean'/);
    assert.match(f.message, /'scale'/);
    assert.ok(f.related.length >= 1);
    assert.ok(
      f.related.every((x) => /lines? |:\d+-\d+/.test(x.message)),
      'each copy carries its line range',
    );
    assert.deepEqual(Object.keys(f.data ?? {}).slice(0, 2), ['cloneId', 'type']);
    // histA/histB are in util.ts, outside any stage: one plain duplicate, of those two only.
    const plain = r.findings.filter((x) => x.rule === 'duplicate-code');
    assert.equal(plain.length, 1, JSON.stringify(r.findings.map((x) => x.message)));
    assert.equal(plain[0].severity, 'info');
    assert.deepEqual(
      [plain[0], ...plain[0].related].map((x) => path.relative(root, x.file)),
      ['src/util.ts', 'src/util.ts'],
    );
    assert.ok(
      cross.every((x) => [x, ...x.related].every((l) => l.file.includes('pipeline'))),
      'the stage clone has only stage copies',
    );
  });
});
