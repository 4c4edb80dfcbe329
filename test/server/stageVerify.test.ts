import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LSPErrorCodes, type CodeAction, type Command } from 'vscode-languageserver-protocol';
import {
  ServerCommands,
  type DiagnosticData,
  type HookChecksResult,
  type StageReport,
} from '../../server/src/protocol';
import { git, tempDir, write } from '../support/tmp';
import { LspTestClient } from './lspClient';
import { copyExample } from './workspace';

const FILE = 'src/pipeline/preprocess.ts';
const EDGE = 'v >= 0 && v <= MAX_MEASUREMENT';

/** The "Verify against HEAD" actions at the line of `needle` in `text` (the editor's content of `file`). */
async function stageActions(client: LspTestClient, file: string, text: string, needle: string): Promise<Command[]> {
  const line = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, needle);
  const actions = await client.codeActions(file, { start: { line, character: 4 }, end: { line, character: 4 } }, []);
  return actions.map((a) => a.command).filter((c): c is Command => !!c && c.command === ServerCommands.verifyStage);
}

describe('language server: Verify against HEAD on a changed stage', function () {
  this.timeout(180_000);
  let root: string;
  let client: LspTestClient | undefined;
  beforeEach(() => {
    root = copyExample();
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'init');
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('is offered only once the stage differs from HEAD; a divergence becomes a diagnostic carrying the counterexample, cleared when equivalent again', async () => {
    client = await LspTestClient.start(root);
    const file = path.join(root, FILE);
    const original = fs.readFileSync(file, 'utf8');
    await client.open(file);
    await client.waitFor('the first analysis', () => client!.statuses.some((s) => s.state === 'idle'));
    assert.deepEqual(await stageActions(client, file, original, EDGE), [], 'unchanged stage: nothing to verify');

    // An unsaved edit: zero is no longer a valid measurement.
    const edited = original.replace(EDGE, 'v > 0 && v <= MAX_MEASUREMENT');
    await client.change(file, edited);
    // The action needs the analysis of the edit (debounced): poll with a deadline.
    let command: Command | undefined;
    for (const deadline = Date.now() + 30_000; !command && Date.now() < deadline;) {
      command = (await stageActions(client, file, edited, 'v > 0 && v <= MAX_MEASUREMENT'))[0];
      if (!command) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(command, 'the verify-stage action is offered on the edited stage');
    assert.equal(command.title, 'Verify against HEAD');
    const progress = client.track('stage-token');
    const report = (await client.executeCommand(command.command, command.arguments, 'stage-token')) as StageReport;
    assert.equal(report.stage, 'dropIncomplete');
    assert.equal(report.status, 'not-equivalent');
    assert.ok(report.counterexample, 'a counterexample');
    const diag = await client.waitFor('a stage-divergence diagnostic', () =>
      client!.diagnosticsFor(file).find((d) => d.code === 'stage-divergence'),
    );
    assert.match(
      typeof diag.message === 'string' ? diag.message : diag.message.value,
      /^dropIncomplete: NOT EQUIVALENT on \d+ of \d+ inputs; smallest counterexample: dropIncomplete\(.*\) → HEAD .*, work tree .*/,
    );
    const data = diag.data as DiagnosticData;
    assert.equal(data.rule === 'stage-divergence' && data.data?.counterexample?.call, report.counterexample.display);
    await client.waitFor('progress on the client token to end', () => progress.at(-1)?.kind === 'end');
    assert.ok(
      progress[0]?.kind === 'begin' && /verifying dropIncomplete against HEAD/.test(progress[0].title),
      'titled progress',
    );

    // Back to the committed behaviour: equivalent, and the diagnostic goes away.
    await client.change(file, original.replace('/** Keeps rows', '/** Keeps only rows'));
    const again = (await client.executeCommand(ServerCommands.verifyStage, command.arguments)) as StageReport;
    assert.equal(again.status, 'equivalent');
    await client.waitFor(
      'the divergence cleared',
      () => !client!.diagnosticsFor(file).some((d) => d.code === 'stage-divergence'),
    );
  });

  it('stops on $/cancelRequest: a stage that never returns is not waited for', async () => {
    client = await LspTestClient.start(root);
    const file = path.join(root, FILE);
    const original = fs.readFileSync(file, 'utf8');
    await client.open(file);
    await client.change(
      file,
      original.replace('const keep = ds.rows.map(', 'for (;;) {}\n  const keep = ds.rows.map('),
    );
    const source = client.cancellation();
    const started = Date.now();
    const run = client.conn.sendRequest(
      'workspace/executeCommand',
      { command: ServerCommands.verifyStage, arguments: [{ stage: 'dropIncomplete', uri: `file://${file}` }] },
      source.token,
    );
    await client.waitFor('the stage run to start', () => Date.now() - started > 3000 || undefined);
    source.cancel();
    await assert.rejects(run, (e: { code?: number }) => e.code === LSPErrorCodes.RequestCancelled);
    assert.ok(Date.now() - started < 60_000, 'cancelled well before 200 calls of 2 s');
  });
});

describe('language server: Verify against HEAD when only a helper changed', function () {
  this.timeout(180_000);
  let root: string;
  let client: LspTestClient | undefined;
  const STATS =
    'export function mean(xs: number[]): number {\n  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;\n}\n';
  const NORMALIZE =
    "import { mean } from './utils/stats';\n\n/** @stage */\nexport function normalize(xs: number[]): number[] {\n  const m = mean(xs);\n  return xs.map((x) => x - m);\n}\n";
  beforeEach(() => {
    root = fs.realpathSync(tempDir('mlp-lsp-deps-'));
    write(root, 'src/utils/stats.ts', STATS);
    write(root, 'src/normalize.ts', NORMALIZE);
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'init');
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('offers the action on the stage, naming the helper, and the verification finds the divergence', async () => {
    client = await LspTestClient.start(root);
    const stage = path.join(root, 'src/normalize.ts');
    const helper = path.join(root, 'src/utils/stats.ts');
    await client.open(stage);
    await client.open(helper);
    await client.waitFor('the first analysis', () => client!.statuses.some((s) => s.state === 'idle'));
    assert.deepEqual(await stageActions(client, stage, NORMALIZE, 'const m = mean(xs);'), [], 'nothing changed yet');

    // An unsaved edit of the helper only: an epsilon in the division.
    await client.change(helper, STATS.replace('/ xs.length', '/ (xs.length + 1e-3)'));
    // The action needs the analysis of the edit (debounced): poll with a deadline.
    const line = NORMALIZE.split('\n').findIndex((l) => l.includes('const m = mean(xs);'));
    let action: CodeAction | undefined;
    for (const deadline = Date.now() + 30_000; !action && Date.now() < deadline;) {
      const all = await client.codeActions(stage, { start: { line, character: 4 }, end: { line, character: 4 } }, []);
      action = all.find((a) => a.command?.command === ServerCommands.verifyStage);
      if (!action) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(action, 'the verify-stage action is offered on normalize');
    assert.equal(
      action.title,
      "ML Parity: Verify 'normalize' against HEAD (its helper mean (src/utils/stats.ts) changed)",
    );
    const report = (await client.executeCommand(ServerCommands.verifyStage, action.command?.arguments)) as StageReport;
    assert.equal(report.stage, 'normalize');
    assert.equal(report.status, 'not-equivalent');
    assert.ok(report.counterexample, 'a counterexample');
  });

  it('Run Pre-commit Checks names the blocking stage and the helper that made it change', async () => {
    write(root, 'src/utils/stats.ts', STATS.replace('/ xs.length', '/ (xs.length + 1e-3)'));
    git(root, 'add', '.');
    client = await LspTestClient.start(root);
    const results = (await client.executeCommand(ServerCommands.runHookChecks, [
      { folder: `file://${root}` },
    ])) as HookChecksResult;
    assert.equal(results[0].passed, false);
    assert.match(
      client.messages.at(-1)?.message ?? '',
      /commit would be blocked: .*normalize: NOT EQUIVALENT on \d+ of \d+ inputs; smallest counterexample: normalize\(.*\) → HEAD .*, index .* \(its helper mean \(src\/utils\/stats\.ts\) changed\)/,
    );
  });

  it('Run Pre-commit Checks names a stage the commit removes and one not reached within stages.totalBudgetMs', async () => {
    write(root, 'mlparity.config.json', JSON.stringify({ stages: { totalBudgetMs: 100 } }));
    write(root, 'src/scale.ts', NORMALIZE.replace('normalize', 'scale').replace('x - m', 'x / (m || 1)'));
    write(
      root,
      'src/clip.ts',
      '/** @stage */\nexport function clip(x: number): number {\n  return Math.min(1, x);\n}\n',
    );
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'more stages');
    git(root, 'rm', '-q', 'src/clip.ts');
    write(root, 'src/utils/stats.ts', STATS.replace('(a, b) => a + b, 0)', '(a, b) => b + a, 0)'));
    git(root, 'add', '.');
    client = await LspTestClient.start(root);
    const results = (await client.executeCommand(ServerCommands.runHookChecks, [
      { folder: `file://${root}` },
    ])) as HookChecksResult;
    assert.equal(results[0].passed, true, JSON.stringify(results[0].stages));
    assert.deepEqual(
      results[0].removedStages?.map((s) => s.stage),
      ['clip'],
    );
    assert.match(
      client.messages.at(-1)?.message ?? '',
      /^ML Parity: pre-commit checks passed; 1 changed stage not verified; stage clip removed by this commit/,
    );
  });
});
