import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageType, type CodeAction, type Command } from 'vscode-languageserver-protocol';
import {
  LastReportRequest,
  ServerCommands,
  VerifyRequest,
  type HookChecksResult,
  type VerifyReport,
} from '../../server/src/protocol';
import { identity } from '../../scripts/onnx/models';
import { cli, git } from '../support/tmp';
import { LspTestClient, uri, type ProgressValue } from './lspClient';
import { copyExample } from './workspace';

/** The "Verify refactor" source actions offered at the line of `needle` in a config file. */
async function verifyActions(client: LspTestClient, config: string, needle: string): Promise<Command[]> {
  await client.open(config);
  const line = fs
    .readFileSync(config, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${config}`);
  const actions = await client.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: uri(config) },
    range: { start: { line, character: 12 }, end: { line, character: 12 } },
    context: { diagnostics: [], only: ['source'] },
  });
  return actions.map((a) => a.command).filter((c): c is Command => !!c);
}

/** Progress the server sent on a token it created itself (titled `title`). */
function serverProgress(client: LspTestClient, title: string): ProgressValue[] | undefined {
  return [...client.progress.values()].find((values) => values[0]?.kind === 'begin' && values[0].title === title);
}

describe('language server: workspace/executeCommand for any LSP client', function () {
  this.timeout(120_000);
  const made: string[] = [];
  let client: LspTestClient | undefined;
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    made.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });
  const copy = (): string => {
    const dir = copyExample();
    made.push(dir);
    return dir;
  };

  it("runs the config action's verify command with server-created progress and a closing message", async () => {
    const root = copy();
    client = await LspTestClient.start(root);
    assert.deepEqual(client.initializeResult?.capabilities.executeCommandProvider?.commands, [
      ServerCommands.verify,
      ServerCommands.runHookChecks,
      ServerCommands.verifyStage,
    ]);
    const [command] = await verifyActions(client, path.join(root, 'mlparity.config.json'), '"split-reduction"');
    assert.ok(command, 'a verify action with a command');
    // No workDoneToken, as Neovim sends it: the server asks for a token of its own.
    const report = (await client.executeCommand(command.command, command.arguments)) as VerifyReport;
    assert.deepEqual(
      report.cases.map((c) => [c.name, c.status]),
      [['split-reduction', 'pass']],
    );
    const progress = await client.waitFor('server-created verify progress to end', () => {
      const p = serverProgress(client!, 'ML Parity: verifying');
      return p?.at(-1)?.kind === 'end' ? p : undefined;
    });
    assert.ok(
      progress.some((p) => p.kind === 'report' && /fixtures/.test(p.message ?? '')),
      'per-batch progress',
    );
    const message = await client.waitFor('a showMessage', () => client!.messages.at(-1));
    assert.deepEqual(message, { type: MessageType.Info, message: 'ML Parity: 1 case(s) passed.' });
    assert.deepEqual(
      await client.conn.sendRequest(LastReportRequest),
      report,
      'the command keeps the last report like the request',
    );
  });

  it('"Explain divergence" is offered once a case has failed, and verifies with the divergence search', async () => {
    const root = copy();
    client = await LspTestClient.start(root);
    const config = path.join(root, 'mlparity.config.json');
    const titles = async (needle: string): Promise<string[]> =>
      (await verifyActions(client!, config, needle)).map((c) => c.title);
    // Nothing to explain before a case has run, nor on a case that passed.
    assert.deepEqual(await titles('"relu-to-leakyrelu"'), ['Verify Refactor']);
    const all = (await client.executeCommand(ServerCommands.verify, [{}])) as VerifyReport;
    assert.deepEqual(
      all.cases.map((c) => [c.name, c.status]),
      [
        ['fuse-matmul-add', 'pass'],
        ['split-reduction', 'pass'],
        ['relu-to-leakyrelu', 'fail'],
      ],
    );
    assert.deepEqual(await titles('"split-reduction"'), ['Verify Refactor']);
    assert.deepEqual(await titles('"fuse-matmul-add"'), ['Verify Refactor']);
    const commands = await verifyActions(client, config, '"relu-to-leakyrelu"');
    assert.deepEqual(
      commands.map((c) => c.title),
      ['Verify Refactor', 'Explain Divergence'],
    );
    const explain = commands.find((c) => c.title === 'Explain Divergence');
    assert.ok(explain, `an Explain Divergence action among ${commands.map((c) => c.title).join(', ')}`);
    assert.deepEqual(explain.arguments, [{ caseName: 'relu-to-leakyrelu', folder: uri(root), locate: true }]);
    const report = (await client.executeCommand(explain.command, explain.arguments)) as VerifyReport;
    const d = report.cases[0]?.divergence;
    assert.equal(report.cases[0]?.status, 'fail');
    assert.equal(d?.found, true, d?.reason);
    assert.equal(d?.baseline?.opType, 'Relu', 'the Relu the candidate replaced with LeakyRelu');
    assert.equal(d?.candidate?.opType, 'LeakyRelu');
    assert.equal(d?.inputMaxAbs, 0);
  });

  it('uses a client token when given one; an unknown case or command is an error response and an error message', async () => {
    const root = copy();
    client = await LspTestClient.start(root);
    const values = client.track('mine');
    const report = (await client.executeCommand(
      ServerCommands.verify,
      [{ caseName: 'relu-to-leakyrelu' }],
      'mine',
    )) as VerifyReport;
    assert.equal(report.passed, false);
    await client.waitFor('progress on the client token', () => values.at(-1)?.kind === 'end');
    assert.equal(values[0]?.kind, 'begin');
    assert.match(client.messages.at(-1)?.message ?? '', /1 of 1 case\(s\) failed \(relu-to-leakyrelu\)/);
    assert.equal(client.messages.at(-1)?.type, MessageType.Error);
    await assert.rejects(
      client.executeCommand(ServerCommands.verify, [{ caseName: 'nope' }]),
      /no verify case named 'nope'/,
    );
    assert.match(client.messages.at(-1)?.message ?? '', /no verify case named 'nope'/);
    await assert.rejects(client.executeCommand('mlParity.server.nothing'), /unknown command/);
  });

  it("multi-root: each folder reads its own configPath; the action sits on that file and runs that folder's case", async () => {
    const plain = copy();
    const moved = copy();
    // The second folder keeps its config elsewhere, with one case of a name the first folder also has.
    const config = JSON.parse(fs.readFileSync(path.join(moved, 'mlparity.config.json'), 'utf8')) as {
      $schema: string;
      verify: { cases: { name: string; fixtures?: string; baseline?: string; candidate: string }[] };
    };
    fs.rmSync(path.join(moved, 'mlparity.config.json'));
    const only = config.verify.cases.find((c) => c.name === 'relu-to-leakyrelu')!;
    config.verify.cases = [
      {
        ...only,
        name: 'split-reduction',
        baseline: `../${only.baseline}`,
        candidate: `../${only.candidate}`,
        fixtures: `../${only.fixtures}`,
      },
    ];
    config.$schema = `../${config.$schema}`;
    const movedConfig = path.join(moved, 'config', 'parity.json');
    fs.mkdirSync(path.dirname(movedConfig));
    fs.writeFileSync(movedConfig, JSON.stringify(config, null, 2));
    client = await LspTestClient.start(plain, {
      moreFolders: [moved],
      folderSettings: { [moved]: { configPath: 'config/parity.json' } },
    });
    const [command] = await verifyActions(client, movedConfig, '"split-reduction"');
    assert.ok(command, 'the verify action is offered on the configured file');
    assert.deepEqual(command.arguments, [{ caseName: 'split-reduction', folder: uri(moved) }]);
    const report = (await client.executeCommand(command.command, command.arguments)) as VerifyReport;
    // The moved folder's case compares the leaky model (it fails); the first folder's same-named case passes.
    assert.deepEqual(
      report.cases.map((c) => [c.name, c.status, c.candidate?.resolved]),
      [['split-reduction', 'fail', path.join(moved, 'models/classifier_leaky.onnx')]],
    );
  });

  it("non-finite numbers cross the LSP exactly as the CLI's JSON report writes them", async () => {
    const root = copy();
    fs.writeFileSync(path.join(root, 'models/identity.onnx'), identity('float32'));
    // NaN on both sides without equalNan: no tolerance can pass it, so minPassingAtol is Infinity.
    fs.writeFileSync(
      path.join(root, 'fixtures/nan.json'),
      JSON.stringify({ inputs: { x: { dims: [1, 3], type: 'float32', data: ['NaN', 0, 1] } } }),
    );
    const file = path.join(root, 'mlparity.config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { verify: { cases: object[] } };
    config.verify.cases.push({
      name: 'nan',
      baseline: 'models/identity.onnx',
      candidate: 'models/identity.onnx',
      fixtures: 'fixtures/nan.json',
    });
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    client = await LspTestClient.start(root);
    const report = await client.conn.sendRequest(VerifyRequest, { caseName: 'nan' });
    const output = report.cases[0].outputs[0];
    assert.equal(output.minPassingAtol, 'Infinity');
    assert.equal(output.worst?.baseline, 'NaN');
    const run = cli(root, 'verify', '--case', 'nan', '--format', 'json');
    assert.equal(run.status, 1, run.stderr);
    const fromCli = JSON.parse(run.stdout) as VerifyReport;
    const noTime = (r: VerifyReport): unknown => ({
      ...r,
      createdAt: undefined,
      cases: r.cases.map((c) => ({ ...c, timing: undefined })),
    });
    assert.deepEqual(noTime(report), noTime(fromCli));
  });

  it('runs the pre-commit checks on the staged content and reports the blocked commit', async () => {
    const root = copy();
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'example');
    fs.writeFileSync(
      path.join(root, 'src/pipeline/untested.ts'),
      'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n',
    );
    git(root, 'add', 'src/pipeline/untested.ts');
    client = await LspTestClient.start(root);
    const results = (await client.executeCommand(ServerCommands.runHookChecks, [
      { folder: uri(root) },
    ])) as HookChecksResult;
    assert.equal(results.length, 1);
    assert.equal(results[0].passed, false);
    assert.deepEqual(
      results[0].analysis?.blocking.map((f) => [f.rule, path.basename(f.file)]),
      [['untested-stage', 'untested.ts']],
    );
    assert.match(client.messages.at(-1)?.message ?? '', /commit would be blocked: .*1 finding\(s\) \(untested-stage\)/);
    const progress = serverProgress(client, 'ML Parity: pre-commit checks');
    assert.ok(
      progress?.some((p) => p.kind === 'report' && /analysing the staged sources/.test(p.message ?? '')),
      'progress messages from the checks',
    );
  });
});
