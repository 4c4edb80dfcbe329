import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient } from './lspClient';
import { copyExample } from './workspace';
import { sharedBlockFiles } from '../support/sharedBlock';
import { writeWorkspace } from '../support/tmp';

const cloneOf = (ds: Diagnostic[]): Diagnostic | undefined =>
  ds.find((d) => d.code === 'cross-stage-duplicate' || d.code === 'duplicate-code');

describe('language server: diagnostics over stdio', function () {
  let root: string;
  let client: LspTestClient;

  before(async () => {
    root = copyExample();
    client = await LspTestClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('advertises code action kinds and analyses the workspace at start with progress', async () => {
    const kinds = (client.initializeResult?.capabilities.codeActionProvider as { codeActionKinds?: string[] })
      .codeActionKinds;
    assert.deepEqual([...(kinds ?? [])].sort(), [
      'quickfix',
      'refactor.extract',
      'refactor.mlParity.verifyStage',
      'source.mlParity.verify',
    ]);
    const featurize = path.join(root, 'src/pipeline/featurize.ts');
    const diags = await client.waitFor(
      'diagnostics on featurize.ts',
      () => client.diagnosticsFor(featurize).length >= 2 && client.diagnosticsFor(featurize),
    );
    const clone = cloneOf(diags);
    assert.ok(clone, 'clone diagnostic');
    assert.equal(clone.source, 'ml-parity');
    assert.match(clone.codeDescription?.href ?? '', /docs\/rules\/cross-stage-duplicate\.md$/);
    assert.equal(clone.relatedInformation?.[0]?.location.uri.endsWith('src/pipeline/preprocess.ts'), true);
    const untested = diags.find((d) => d.code === 'untested-stage');
    assert.ok(untested);
    assert.equal(untested.severity !== undefined && untested.severity <= DiagnosticSeverity.Hint, true);
    // Each file's diagnostics are their own notification: postprocess.ts's may come after featurize.ts's.
    await client.waitFor('untested-stage on postprocess.ts', () =>
      client.diagnosticsFor(path.join(root, 'src/pipeline/postprocess.ts')).some((d) => d.code === 'untested-stage'),
    );
    const progress = [...client.progress.values()].find((v) =>
      v.some((p) => p.kind === 'begin' && /analysing/.test(p.title)),
    );
    assert.ok(progress, 'work-done progress for the initial analysis');
    await client.waitFor('end of progress', () => progress.some((p) => p.kind === 'end'));
    // Files are parsed in slices, each reported as `<folder>: done/total files`, ending at total/total.
    const counts = progress
      .flatMap((p) => (p.kind === 'report' ? [/(\d+)\/(\d+) files$/.exec(p.message ?? '')] : []))
      .filter((m) => m !== null);
    assert.ok(counts.length >= 1, 'per-file progress');
    const last = counts[counts.length - 1];
    assert.equal(last[1], last[2]);
    assert.ok(Number(last[2]) >= 5);
    const status = await client.waitFor('idle status', () =>
      client.statuses.find((s) => s.state === 'idle' && s.findings >= 3),
    );
    assert.ok(status.findings >= 3);
  });

  it('re-analyses unsaved edits: removing one copy clears the clone diagnostic in both files', async () => {
    const featurize = path.join(root, 'src/pipeline/featurize.ts');
    const preprocess = path.join(root, 'src/pipeline/preprocess.ts');
    await client.open(featurize);
    const stub = `import type { CleanDataset, FeatureBatch } from './types';\n/** @stage featurize */\nexport function featurize(ds: CleanDataset): FeatureBatch {\n  return { data: Float32Array.from(ds.rows.flat()), rows: ds.rows.length, cols: ds.rows[0]?.length ?? 0 };\n}\n`;
    await client.change(featurize, stub);
    await client.waitFor(
      'clone gone from both files',
      () => !cloneOf(client.diagnosticsFor(preprocess)) && !cloneOf(client.diagnosticsFor(featurize)),
    );
    assert.ok(
      client.diagnosticsFor(featurize).some((d) => d.code === 'untested-stage'),
      'other findings stay',
    );
    // Back to the original text: the clone comes back.
    await client.change(featurize, fs.readFileSync(featurize, 'utf8'));
    await client.waitFor('clone back', () => cloneOf(client.diagnosticsFor(preprocess)));
  });

  it('shows config errors at their position as you type, and clears them when fixed', async () => {
    const config = path.join(root, 'mlparity.config.json');
    const good = fs.readFileSync(config, 'utf8');
    await client.open(config);
    const bad = good.replace('"pipelineFolders"', '"pipelineFolderz"');
    await client.change(config, bad);
    const d = await client.waitFor('config error', () =>
      client.diagnosticsFor(config).find((x) => x.code === 'config-error'),
    );
    const line = bad.split('\n').findIndex((l) => l.includes('pipelineFolderz'));
    assert.equal(d.range.start.line, line);
    assert.equal(d.severity, DiagnosticSeverity.Error);
    await client.change(config, good);
    await client.waitFor(
      'config error cleared',
      () => !client.diagnosticsFor(config).some((x) => x.code === 'config-error'),
    );
    await client.waitFor('analysis back', () =>
      cloneOf(client.diagnosticsFor(path.join(root, 'src/pipeline/featurize.ts'))),
    );
  });

  it('flags a verify case whose model file is missing, on the config value, as you type', async () => {
    const config = path.join(root, 'mlparity.config.json');
    const good = fs.readFileSync(config, 'utf8');
    await client.open(config);
    const bad = good.replace('"models/classifier_leaky.onnx"', '"models/classifier_leakyy.onnx"');
    await client.change(config, bad);
    const d = await client.waitFor('model error', () =>
      client.diagnosticsFor(config).find((x) => x.code === 'model-error'),
    );
    assert.equal(
      d.range.start.line,
      bad.split('\n').findIndex((l) => l.includes('classifier_leakyy.onnx')),
    );
    assert.match(
      typeof d.message === 'string' ? d.message : d.message.value,
      /case "relu-to-leakyrelu": model file not found/,
    );
    assert.equal(d.severity, DiagnosticSeverity.Error);
    await client.change(config, good);
    await client.waitFor(
      'model error cleared',
      () => !client.diagnosticsFor(config).some((x) => x.code === 'model-error'),
    );
  });

  it('survives a file with syntax errors and still answers', async () => {
    const broken = path.join(root, 'src/pipeline/load.ts');
    await client.open(broken);
    await client.change(broken, 'export function load( {{{ ;; const = ;\n');
    await client.save(broken);
    await client.waitFor('syntax error reported', () =>
      client.diagnosticsFor(broken).some((d) => d.code === 'syntax-error'),
    );
    const actions = await client.codeActions(
      path.join(root, 'src/pipeline/featurize.ts'),
      { start: { line: 9, character: 0 }, end: { line: 9, character: 1 } },
      [],
    );
    assert.ok(Array.isArray(actions));
    assert.equal(client.proc.exitCode, null, 'server still running');
  });
});

describe('language server: CLI entry', function () {
  it('`ml-parity lsp --stdio` serves the same server', async () => {
    const root = copyExample();
    const bin = path.resolve(__dirname, '../../../bin/ml-parity');
    const client = await LspTestClient.start(root, { serverArgs: [bin, 'lsp', '--stdio'] });
    try {
      const featurize = path.join(root, 'src/pipeline/featurize.ts');
      await client.waitFor('diagnostics', () => cloneOf(client.diagnosticsFor(featurize)));
    } finally {
      await client.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('language server: settings', function () {
  let root: string;
  let client: LspTestClient;
  afterEach(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('applies per-rule overrides from the client settings, follows settings changes, and with run=onSave analyses on save', async () => {
    root = copyExample();
    client = await LspTestClient.start(root, {
      settings: { run: 'onSave', rules: { 'untested-stage': 'off', 'cross-stage-duplicate': 'error' } },
    });
    const featurize = path.join(root, 'src/pipeline/featurize.ts');
    const diags = await client.waitFor(
      'diagnostics',
      () => client.diagnosticsFor(featurize).length > 0 && client.diagnosticsFor(featurize),
    );
    assert.deepEqual(
      diags.map((d) => [d.code, d.severity]),
      [['cross-stage-duplicate', DiagnosticSeverity.Error]],
    );
    // A settings change is pulled again (the cache is cleared) and republished without a restart.
    await client.updateSettings({ rules: { 'cross-stage-duplicate': 'hint' } });
    await client.waitFor('new severities', () => {
      const now = client.diagnosticsFor(featurize);
      return (
        now.some((d) => d.code === 'untested-stage') &&
        now.some((d) => d.code === 'cross-stage-duplicate' && d.severity === DiagnosticSeverity.Hint)
      );
    });
    await client.updateSettings({ rules: { 'untested-stage': 'off' } });
    await client.waitFor(
      'untested-stage off again',
      () => !client.diagnosticsFor(featurize).some((d) => d.code === 'untested-stage'),
    );
    await client.open(featurize);
    await client.change(featurize, 'export const featurize = 1;\n');
    await client.save(featurize);
    await client.waitFor('clone gone after save', () => client.diagnosticsFor(featurize).length === 0);
  });
});

describe('language server: analysis notes reach the status', function () {
  let root: string;
  let client: LspTestClient | undefined;
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a block copied into more files than clone detection compares is a note in the status (and the log)', async () => {
    root = writeWorkspace({ ...sharedBlockFiles(70), 'package.json': '{}' }, 'mlp-lsp-notes-');
    client = await LspTestClient.start(root);
    const status = await client.waitFor('an idle status with notes', () =>
      client?.statuses.find((s) => s.state === 'idle' && s.notes?.length),
    );
    assert.match(
      status.notes?.find((n) => n.startsWith('duplicates: ')) ?? JSON.stringify(status.notes),
      /^duplicates: 70 stretches of at least 50 tokens .* were not compared with each other, so a copy there is not reported: src\/m000\.ts/,
    );
    assert.ok(
      client.logs.some((l) => l.includes('duplicates: 70 stretches')),
      client.logs.join('\n'),
    );
  });
});
