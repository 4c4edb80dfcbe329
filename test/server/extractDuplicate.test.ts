import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { DiagnosticData } from '../../server/src/protocol';
import type { Location } from '../../server/src/engine/findings';
import { buildExtractAction } from '../../server/src/lsp/codeActions/extractDuplicate';
import type { CodeActionContext } from '../../server/src/lsp/codeActions/types';
import type { WorkspaceFolderState } from '../../server/src/lsp/workspace';
import { applyWorkspaceEdit, compile, typeCheck } from './workspace';

const REPO = path.resolve(__dirname, '../../..');

// Two copies that differ in a literal (2 vs 3), in outer variables (xs/ys, k/m) and in local names,
// use an imported helper and a module constant, and produce two values read after the block.
const A = `import { clamp } from '../util/clamp';

const LIMIT = 10;

export function scoreA(xs: number[], k: number): string {
  const label = 'a';
  let total = 0;
  for (const x of xs) {
    total += clamp(x * 2 + k, LIMIT);
  }
  const mean = total / xs.length;
  return \`\${label}:\${total}:\${mean}\`;
}
`;
const B = `import { clamp } from '../util/clamp';

const LIMIT = 10;

export function scoreB(ys: number[], m: number): string {
  let sum = 0;
  for (const y of ys) {
    sum += clamp(y * 3 + m, LIMIT);
  }
  const avg = sum / ys.length;
  return \`b:\${sum}:\${avg}\`;
}
`;

function lineRange(text: string, first: string, last: string): Location['range'] {
  const lines = text.split('\n');
  const a = lines.findIndex((l) => l.includes(first));
  const b = lines.findIndex((l) => l.includes(last));
  return { start: { line: a, character: 0 }, end: { line: b, character: lines[b].length } };
}

describe('extract duplicated code (type-2 clone)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlparity-extract-'));
    fs.mkdirSync(path.join(root, 'src/util'), { recursive: true });
    fs.mkdirSync(path.join(root, 'src/stages'));
    fs.writeFileSync(
      path.join(root, 'src/util/clamp.ts'),
      'export function clamp(v: number, hi: number): number {\n  return Math.min(v, hi);\n}\n',
    );
    fs.writeFileSync(path.join(root, 'src/stages/a.ts'), A);
    fs.writeFileSync(path.join(root, 'src/stages/b.ts'), B);
    fs.writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'commonjs',
          target: 'ES2022',
          types: [],
          noUnusedLocals: true,
          rootDir: '.',
        },
        include: ['src'],
      }),
    );
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function context(createFiles: boolean): { ctx: CodeActionContext; diag: Diagnostic } {
    const a = path.join(root, 'src/stages/a.ts');
    const b = path.join(root, 'src/stages/b.ts');
    const copies: Location[] = [
      { file: a, range: lineRange(A, 'let total', 'const mean') },
      { file: b, range: lineRange(B, 'let sum', 'const avg') },
    ];
    const diag: Diagnostic = {
      range: copies[0].range,
      message: 'dup',
      source: 'ml-parity',
      data: { rule: 'duplicate-code', copies } satisfies DiagnosticData,
    };
    const ctx: CodeActionContext = {
      document: TextDocument.create(`file://${a}`, 'typescript', 1, A),
      file: a,
      range: diag.range,
      diagnostics: [diag],
      folder: { root } as WorkspaceFolderState,
      readText: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
      capabilities: { createFiles, resolveEdits: false },
      trusted: true,
    };
    return { ctx, diag };
  }

  function run(): [string, string] {
    const out = path.join(root, 'out');
    compile(root, out);
    const a = require(path.join(out, 'src/stages/a.js')) as { scoreA(xs: number[], k: number): string };
    const b = require(path.join(out, 'src/stages/b.js')) as { scoreB(xs: number[], k: number): string };
    const result: [string, string] = [a.scoreA([1, 2, 5], 1), b.scoreB([1, 2, 5], 1)];
    fs.rmSync(out, { recursive: true });
    for (const k of Object.keys(require.cache)) if (k.startsWith(out)) delete require.cache[k];
    return result;
  }

  it('parameterizes differing literals and outer variables, re-imports helpers, returns what is read later', () => {
    assert.deepEqual(typeCheck(root), []);
    const before = run();
    const { ctx, diag } = context(true);
    const action = buildExtractAction(ctx, diag);
    assert.ok(action?.edit, action?.disabled?.reason);
    applyWorkspaceEdit(action.edit);
    const shared = fs.readFileSync(path.join(root, 'src/shared/computeMean.ts'), 'utf8');
    assert.match(shared, /import \{ clamp \} from '\.\.\/util\/clamp';/);
    assert.match(shared, /export function computeMean\(xs: number\[\], value: number, k: number, LIMIT: number\)/);
    assert.match(shared, /return \{ total, mean \};/);
    const b = fs.readFileSync(path.join(root, 'src/stages/b.ts'), 'utf8');
    assert.match(b, /const \{ total: sum, mean: avg \} = computeMean\(ys, 3, m, LIMIT\);/);
    assert.deepEqual(typeCheck(root), []);
    assert.deepEqual(run(), before);
  });

  it('declines, with a reason, when the copies differ in structure', () => {
    fs.writeFileSync(
      path.join(root, 'src/stages/b.ts'),
      B.replace('sum += clamp(y * 3 + m, LIMIT);', 'sum -= clamp(y * 3 + m, LIMIT) + 1;'),
    );
    const { ctx, diag } = context(true);
    const action = buildExtractAction(ctx, diag);
    assert.match(action?.disabled?.reason ?? '', /differ/);
  });
});
