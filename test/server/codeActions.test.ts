import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient, uri } from './lspClient';
import { applyWorkspaceEdit, compile, copyExample, typeCheck } from './workspace';

interface PipelineModules {
  preprocess(ds: { columns: string[]; rows: number[][]; labels: string[] }): { rows: number[][]; stats: unknown };
  featurize(ds: unknown): { data: Float32Array; rows: number; cols: number };
}

// Runs the example's own preprocess + featurize on a fixed dataset, compiled from `root`.
function runPipeline(root: string): string {
  const out = path.join(root, 'out-check');
  compile(root, out);
  const pre = require(path.join(out, 'src/pipeline/preprocess.js')) as Pick<PipelineModules, 'preprocess'>;
  const feat = require(path.join(out, 'src/pipeline/featurize.js')) as Pick<PipelineModules, 'featurize'>;
  const ds = {
    columns: ['a', 'b', 'c', 'd'],
    rows: [
      [5.1, 3.5, 1.4, 0.2],
      [6.2, 2.9, 4.3, 1.3],
      [7.7, 3.0, 6.1, 2.3],
      [NaN, 3, 1, 1],
      [5.0, 3.4, 1.5, 0.2],
    ],
    labels: ['x', 'y', 'z', 'w', 'x'],
  };
  const clean = pre.preprocess(ds);
  const batch = feat.featurize(clean);
  return JSON.stringify({ clean, batch: { ...batch, data: Array.from(batch.data) } });
}

const MOCHA = require.resolve('mocha/bin/mocha.js');

const isClone = (d: Diagnostic): boolean => d.code === 'cross-stage-duplicate' || d.code === 'duplicate-code';

describe('language server: code actions', function () {
  let root: string;
  let client: LspTestClient;
  const file = (rel: string): string => path.join(root, rel);

  beforeEach(async () => {
    root = copyExample();
    client = await LspTestClient.start(root);
  });
  afterEach(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function actionsFor(
    rel: string,
    pick: (d: Diagnostic) => boolean,
  ): Promise<{ diag: Diagnostic; actions: CodeAction[] }> {
    // The first analysis of a fresh server takes 10-25 s when the machine is loaded; allow twice that.
    const diag = await client.waitFor(
      `diagnostic in ${rel}`,
      () => client.diagnosticsFor(file(rel)).find(pick),
      60_000,
    );
    await client.open(file(rel));
    return { diag, actions: await client.codeActions(file(rel), diag.range, [diag]) };
  }

  it('extracts the duplicated normalization into a shared function: type-checks and computes the same', async () => {
    assert.deepEqual(typeCheck(root), []);
    const before = runPipeline(root);
    const { actions } = await actionsFor('src/pipeline/preprocess.ts', isClone);
    const extract = actions.find((a) => a.kind === 'refactor.extract');
    assert.ok(extract?.edit, `extract action offered: ${actions.map((a) => a.title).join('; ')}`);
    const touched = applyWorkspaceEdit(extract.edit);
    const shared = touched.find((f) => f.includes(`${path.sep}shared${path.sep}`));
    assert.ok(shared, 'a new shared module');
    const sharedText = fs.readFileSync(shared, 'utf8');
    assert.match(sharedText, /export function \w+\((\w+): number\[\]\[\]\)/);
    for (const rel of ['src/pipeline/preprocess.ts', 'src/pipeline/featurize.ts']) {
      const text = fs.readFileSync(file(rel), 'utf8');
      assert.match(text, /import \{ \w+ \} from '\.\.\/shared\/\w+';/, `${rel} imports it`);
      assert.doesNotMatch(text, /Math\.sqrt/, `${rel} no longer holds the copy`);
    }
    assert.deepEqual(typeCheck(root), []);
    assert.equal(runPipeline(root), before);
  });

  it('without create-file support puts the function in the first copy file', async () => {
    await client.stop();
    client = await LspTestClient.start(root, {
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } } },
        },
      },
    });
    const { actions } = await actionsFor('src/pipeline/featurize.ts', isClone);
    const extract = actions.find((a) => a.kind === 'refactor.extract');
    assert.ok(extract?.edit?.changes, 'plain text changes');
    applyWorkspaceEdit(extract.edit);
    assert.deepEqual(typeCheck(root), []);
  });

  it('generates a mocha test for an untested stage that type-checks', async () => {
    const { actions } = await actionsFor('src/pipeline/postprocess.ts', (d) => d.code === 'untested-stage');
    const gen = actions.find((a) => a.title.startsWith('Generate a test'));
    assert.ok(gen?.edit, `generate action offered: ${actions.map((a) => a.title).join('; ')}`);
    const touched = applyWorkspaceEdit(gen.edit);
    const testFile = touched[0];
    assert.equal(path.relative(root, testFile), path.join('test', 'postprocess.test.ts'));
    const text = fs.readFileSync(testFile, 'utf8');
    assert.match(text, /import \{ postprocess \} from '\.\.\/src\/pipeline\/postprocess';/);
    assert.match(text, /describe\('postprocess'/);
    assert.match(text, /postprocess\(/);
    assert.deepEqual(typeCheck(root), []);
    // And it runs: compile the workspace and let mocha execute the generated test.
    compile(root, path.join(root, 'out-check'));
    const run = spawnSync(process.execPath, [MOCHA, '--no-config', 'out-check/test/postprocess.test.js'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /1 passing/);
  });

  it('ignores a finding with a comment the analysis honours', async () => {
    const rel = 'src/pipeline/postprocess.ts';
    const { actions } = await actionsFor(rel, (d) => d.code === 'untested-stage');
    const ignore = actions.find((a) => a.title.startsWith('Ignore this finding'));
    assert.ok(ignore?.edit);
    applyWorkspaceEdit(ignore.edit);
    const text = fs.readFileSync(file(rel), 'utf8');
    assert.match(text, /\n\/\/ ml-parity-ignore\nexport function postprocess/);
    await client.change(file(rel), text);
    await client.waitFor(
      'finding silenced',
      () => !client.diagnosticsFor(file(rel)).some((d) => d.code === 'untested-stage'),
    );
    assert.deepEqual(typeCheck(root), []);
  });

  it('wraps a clone copy in start/end markers and the clone goes away', async () => {
    const rel = 'src/pipeline/featurize.ts';
    const { actions } = await actionsFor(rel, isClone);
    const ignore = actions.find((a) => a.title.startsWith('Ignore this finding'));
    assert.ok(ignore?.edit);
    applyWorkspaceEdit(ignore.edit);
    const text = fs.readFileSync(file(rel), 'utf8');
    assert.match(text, /\/\/ ml-parity-ignore-start[\s\S]+\/\/ ml-parity-ignore-end/);
    await client.change(file(rel), text);
    await client.waitFor(
      'clone cleared',
      () =>
        !client.diagnosticsFor(file(rel)).some(isClone) &&
        !client.diagnosticsFor(file('src/pipeline/preprocess.ts')).some(isClone),
    );
    assert.deepEqual(typeCheck(root), []);
  });

  it('offers Verify refactor for the case under the cursor in the config file', async () => {
    const config = file('mlparity.config.json');
    await client.waitFor('initial analysis', () => client.statuses.some((s) => s.state === 'idle'));
    await client.open(config);
    const text = fs.readFileSync(config, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('"split-reduction"'));
    const actions = await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: `file://${config}` },
      range: { start: { line, character: 10 }, end: { line, character: 10 } },
      context: { diagnostics: [], only: ['source'] },
    });
    const list = actions as CodeAction[];
    // "Explain divergence" joins only once the case has failed (test/server/executeCommand.test.ts).
    assert.deepEqual(
      list.map((a) => a.title),
      ["ML Parity: Verify refactor 'split-reduction'"],
    );
    assert.ok(
      list.every((a) => a.kind === 'source.mlParity.verify' && a.command?.command === 'mlParity.server.verify'),
    );
    assert.deepEqual(list[0].command?.arguments, [{ caseName: 'split-reduction', folder: uri(root) }]);
  });
});
