import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../../server/src/engine/analysis/analyzer';
import { CLASS_KINDS } from '../../server/src/engine/analysis/stageDeps';
import { ts } from '../../server/src/engine/analysis/typescript';
import { defaultConfig } from '../../server/src/engine/config/load';
import { describeChange, stageChange, type StageChange } from '../../server/src/engine/stageVerify/changed';
import { worktreeDiffs } from '../../server/src/engine/stageVerify/diffs';
import { git, tempDir, write } from '../support/tmp';

// Which changes to the work tree alter what a stage can run: the question both the hook and the editor's
// "Verify against HEAD" ask, answered from the reference graph and the changed lines.
const STATS = `// Statistics helpers.
export interface Summary {
  mean: number;
}

export function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? 0 : s / xs.length;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[s.length >> 1];
}
`;
const SCALE = `import { mean } from './stats';
import table from './table.json';

const registry = new Map<string, (x: number) => number>();
export function register(name: string, f: (x: number) => number): void {
  registry.set(name, f);
}
function clip(x: number): number {
  return Math.min(Math.max(x, -table.limit), table.limit);
}
register('clip', clip);

export function center(xs: number[]): number[] {
  const m = mean(xs);
  return xs.map((x) => x - m);
}

export function squash(xs: number[]): number[] {
  return xs.map((x) => (registry.get('clip') as (x: number) => number)(x));
}
`;
const PIPELINE = `import { center, squash } from './scale';
import { median } from './stats';

/** @stage */
export function normalize(xs: number[]): number[] {
  return center(xs);
}

/** @stage */
export function robust(xs: number[]): number[] {
  return squash(xs).map((x) => x - median(xs));
}
`;

/**
 * The change each stage of `repo` sees, described, after writing `edits` to its work tree: the same
 * whether the changed lines are mapped with the facts the analysis holds or by parsing the texts.
 */
function stageChanges(repo: string, edits: Record<string, string>): Record<string, string | undefined> {
  for (const [rel, text] of Object.entries(edits)) write(repo, rel, text);
  const analyzer = new Analyzer(repo, defaultConfig(repo).analysis);
  const result = analyzer.analyzeAll();
  const deps = analyzer.dependencies();
  const text = (f: string): string | undefined => deps.text(f) ?? readOrUndefined(f);
  // Only analysed sources edited: the same answer without listing the unanalysed imports (the hook's case).
  const onlySources = Object.keys(edits).every((rel) => deps.analyses(path.join(repo, rel)));
  const judge = (diffOf: ReturnType<typeof worktreeDiffs>): Record<string, string | undefined> => {
    const out: Record<string, string | undefined> = {};
    for (const stage of result.stages) {
      const reach = deps.reach(stage);
      assert.ok(reach, stage.name);
      const c: StageChange | undefined = stageChange(stage, reach, diffOf);
      if (onlySources) {
        const unlisted = Object.defineProperty({ ...reach, unanalysed: [] }, 'unanalysed', {
          get: () => assert.fail(`${stage.name}: the unanalysed imports were listed`),
        });
        assert.deepEqual(stageChange(stage, unlisted, diffOf, false), c, stage.name);
      }
      out[stage.name] = c && describeChange(c, repo);
    }
    return out;
  };
  const asked: string[] = [];
  const withFacts = judge(
    worktreeDiffs(text, (f, t) => {
      const facts = deps.lineFacts(f, t);
      // The analysed text is always known without parsing (HEAD's is not: this analysis has no cache).
      if (t === deps.text(f)) assert.ok(facts, f);
      asked.push(path.relative(repo, f));
      return facts;
    }),
  );
  for (const rel of Object.keys(edits))
    if (/\.ts$/.test(rel) && Object.values(withFacts).some((c) => c?.includes(rel))) assert.ok(asked.includes(rel));
  assert.deepEqual(judge(worktreeDiffs(text)), withFacts);
  return withFacts;
}

/**
 * A git repository of `files` with one commit, for the suite it is called in (the work tree reset after
 * each test); returns stageChanges on it.
 */
function changingRepo(
  prefix: string,
  files: Record<string, string>,
): (edits: Record<string, string>) => Record<string, string | undefined> {
  let repo = '';
  before(() => {
    repo = fs.realpathSync(tempDir(prefix));
    git(repo, 'init', '-q');
    for (const [rel, text] of Object.entries(files)) write(repo, rel, text);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'init');
  });
  after(() => fs.rmSync(repo, { recursive: true, force: true }));
  afterEach(() => git(repo, 'checkout', '-q', 'HEAD', '--', '.'));
  return (edits) => stageChanges(repo, edits);
}

describe('stage dependencies: what a change can alter', function () {
  this.timeout(60_000);
  const changes = changingRepo('mlp-deps-', {
    'src/stats.ts': STATS,
    'src/scale.ts': SCALE,
    'src/table.json': '{ "limit": 3 }\n',
    'src/pipeline.ts': PIPELINE,
  });

  it('finds nothing when nothing changed', () => {
    assert.deepEqual(changes({}), { normalize: undefined, robust: undefined });
  });

  it('a helper two modules away, changed by a deleted line, alters only the stage that runs it', () => {
    const edited = STATS.replace('  return xs.length === 0 ? 0 : s / xs.length;\n', '');
    assert.notEqual(edited, STATS);
    assert.deepEqual(changes({ 'src/stats.ts': edited.replace('let s = 0;', 'let s = 0;\n  return s;') }), {
      normalize: 'its helper mean (src/stats.ts) changed',
      robust: undefined,
    });
    // A pure deletion inside mean (no line added): still mean.
    assert.deepEqual(changes({ 'src/stats.ts': STATS.replace('  for (const x of xs) s += x;\n', '') }), {
      normalize: 'its helper mean (src/stats.ts) changed',
      robust: undefined,
    });
  });

  it('comments, blank lines and types alter nothing', () => {
    const edited = STATS.replace('// Statistics helpers.', '// Statistics helpers, documented.\n').replace(
      '  mean: number;',
      '  mean: number;\n  median?: number;',
    );
    assert.deepEqual(changes({ 'src/stats.ts': edited }), { normalize: undefined, robust: undefined });
  });

  it('a helper reached only through a registration at load time counts, for every stage loading its module', () => {
    // normalize never looks clip up, but it loads scale.ts, whose top-level code registers clip: the
    // graph cannot tell which lookups find it, so it counts.
    assert.deepEqual(changes({ 'src/scale.ts': SCALE.replace('Math.max(x, -table.limit)', 'Math.max(x, 0)') }), {
      normalize: 'its helper clip (src/scale.ts) changed',
      robust: 'its helper clip (src/scale.ts) changed',
    });
  });

  it('removed top-level code of a loaded module counts for every stage loading it', () => {
    const c = changes({ 'src/scale.ts': SCALE.replace("register('clip', clip);\n", '') });
    assert.equal(c.normalize, 'top-level code of src/scale.ts, which it loads, changed');
    assert.equal(c.robust, 'top-level code of src/scale.ts, which it loads, changed');
  });

  it('a JSON file a loaded module imports counts, though the analysis does not read it', () => {
    const c = changes({ 'src/table.json': '{ "limit": 2 }\n' });
    assert.equal(c.normalize, 'src/table.json, which it imports, changed');
    assert.equal(c.robust, 'src/table.json, which it imports, changed');
  });

  it("a stage's own edit is its own; another stage in the same file is not altered by it", () => {
    assert.deepEqual(
      changes({ 'src/pipeline.ts': PIPELINE.replace('return center(xs);', 'return center(xs).reverse();') }),
      {
        normalize: 'its code changed',
        robust: undefined,
      },
    );
  });
});

const UTILS = `export function checkFloat(n: number): boolean {
  return n > 0 && n <= 1;
}

export function unused(n: number): number {
  return n + 1;
}
`;
const BASE = `import { checkFloat } from './utils';

export class ForestBase {
  constructor(readonly trees: number) {}

  train(x: number): number {
    return checkFloat(x) ? this.trees : 0;
  }

  predict(x: number): number {
    return x * 2;
  }
}
`;
const FOREST = `import { ForestBase } from './base';

export class Forest extends ForestBase {}
`;

describe('stage dependencies of class stages (ml-random-forest: train calls checkFloat in utils)', function () {
  this.timeout(60_000);
  const changes = changingRepo('mlp-deps-class-', {
    'src/utils.ts': UTILS,
    'src/base.ts': BASE,
    'src/forest.ts': FOREST,
  });

  it('a helper a method calls alters the class and the classes inheriting that method', () => {
    assert.deepEqual(changes({ 'src/utils.ts': UTILS.replace('n <= 1', 'n < 1') }), {
      ForestBase: 'its helper checkFloat (src/utils.ts) changed',
      Forest: 'its helper checkFloat (src/utils.ts) changed',
    });
  });

  it("a base class's method alters the subclass that inherits it", () => {
    assert.deepEqual(changes({ 'src/base.ts': BASE.replace('x * 2', 'x * 3') }), {
      ForestBase: 'its code changed',
      Forest: 'its helper ForestBase (src/base.ts) changed',
    });
  });

  it("knows the compiler's class kinds without loading it", () => {
    assert.deepEqual(CLASS_KINDS, [ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.ClassExpression]);
  });

  it('a helper no method calls alters nothing', () => {
    assert.deepEqual(changes({ 'src/utils.ts': UTILS.replace('n + 1', 'n + 2') }), {
      ForestBase: undefined,
      Forest: undefined,
    });
  });
});

// ml-cart's layout: the package exports the tree classifier; TreeNode (with train) is its internal part.
const TREE_NODE = `export default class TreeNode {
  constructor(options) {
    this.minSize = options.minSize || 3;
    this.children = [];
  }

  train(rows) {
    if (rows.length > this.minSize) this.children.push(new TreeNode({ minSize: this.minSize }));
    return this;
  }
}
`;
const CLASSIFIER = `import TreeNode from './TreeNode';

export default class TreeClassifier {
  constructor(options = {}) {
    this.options = options;
  }

  train(rows) {
    this.root = new TreeNode(this.options);
    this.root.train(rows);
  }

  predict(rows) {
    return rows.map(() => this.root.children.length);
  }
}
`;

describe('stage dependencies through an internal part set aside (ml-cart: TreeNode inside the classifier)', function () {
  this.timeout(60_000);
  const changes = changingRepo('mlp-deps-internal-', {
    'package.json': '{ "name": "tree-like", "main": "tree.js", "module": "src/index.js" }\n',
    'src/index.js': "export { default as TreeClassifier } from './TreeClassifier';\n",
    'src/TreeNode.js': TREE_NODE,
    'src/TreeClassifier.js': CLASSIFIER,
  });

  it('a change to its constructor or its train alters the stage that builds it', () => {
    assert.deepEqual(changes({ 'src/TreeNode.js': TREE_NODE.replace('|| 3', '|| 4') }), {
      TreeClassifier: 'its helper TreeNode (src/TreeNode.js) changed',
    });
    assert.deepEqual(changes({ 'src/TreeNode.js': TREE_NODE.replace('rows.length >', 'rows.length >=') }), {
      TreeClassifier: 'its helper TreeNode (src/TreeNode.js) changed',
    });
  });
});

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(path.resolve(file), 'utf8');
  } catch {
    return undefined;
  }
}
