import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageType, type CodeAction, type Command } from 'vscode-languageserver-protocol';
import { LastReportRequest, ServerCommands, type HookChecksResult, type VerifyReport } from '../../server/src/protocol';
import { git } from '../support/tmp';
import { LspTestClient, uri, type ProgressValue } from './lspClient';
import { copyExample } from './workspace';

/** The "Verify refactor" source actions offered at the line of `needle` in a config file. */
async function verifyActions(client: LspTestClient, config: string, needle: string): Promise<Command[]> {
  await client.open(config);
  const line = fs.readFileSync(config, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${config}`);
  const actions = (await client.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uri(config) },
    range: { start: { line, character: 12 }, end: { line, character: 12 } },
    context: { diagnostics: [], only: ['source'] },
  })) as CodeAction[];
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

  it('runs the config action\'s verify command with server-created progress and a closing message', async () => {
    const root = copy();
    client = await LspTestClient.start(root);
    assert.deepEqual(client.initializeResult?.capabilities.executeCommandProvider?.commands, [ServerCommands.verify, ServerCommands.runHookChecks, ServerCommands.verifyStage]);
    const [command] = await verifyActions(client, path.join(root, 'mlparity.config.json'), '"split-reduction"');
    assert.ok(command, 'a verify action with a command');
    // No workDoneToken, as Neovim sends it: the server asks for a token of its own.
    const report = (await client.executeCommand(command.command, command.arguments)) as VerifyReport;
    assert.deepEqual(report.cases.map((c) => [c.name, c.status]), [['split-reduction', 'pass']]);
    const progress = await client.waitFor('server-created verify progress to end', () => {
      const p = serverProgress(client!, 'ML Parity: verifying');
      return p?.at(-1)?.kind === 'end' ? p : undefined;
    });
    assert.ok(progress.some((p) => p.kind === 'report' && /fixtures/.test(p.message ?? '')), 'per-batch progress');
    const message = await client.waitFor('a showMessage', () => client!.messages.at(-1));
    assert.deepEqual(message, { type: MessageType.Info, message: 'ML Parity: 1 case(s) passed.' });
    assert.deepEqual(await client.conn.sendRequest(LastReportRequest), report, 'the command keeps the last report like the request');
  });

  it('uses a client token when given one; an unknown case or command is an error response and an error message', async () => {
    const root = copy();
    client = await LspTestClient.start(root);
    const values = client.track('mine');
    const report = (await client.executeCommand(ServerCommands.verify, [{ caseName: 'relu-to-leakyrelu' }], 'mine')) as VerifyReport;
    assert.equal(report.passed, false);
    await client.waitFor('progress on the client token', () => values.at(-1)?.kind === 'end');
    assert.equal(values[0]?.kind, 'begin');
    assert.match(client.messages.at(-1)?.message ?? '', /1 of 1 case\(s\) failed \(relu-to-leakyrelu\)/);
    assert.equal(client.messages.at(-1)?.type, MessageType.Error);
    await assert.rejects(client.executeCommand(ServerCommands.verify, [{ caseName: 'nope' }]), /no verify case named 'nope'/);
    assert.match(client.messages.at(-1)?.message ?? '', /no verify case named 'nope'/);
    await assert.rejects(client.executeCommand('mlParity.server.nothing'), /unknown command/);
  });

  it('multi-root: each folder reads its own configPath; the action sits on that file and runs that folder\'s case', async () => {
    const plain = copy();
    const moved = copy();
    // The second folder keeps its config elsewhere, with one case of a name the first folder also has.
    const config = JSON.parse(fs.readFileSync(path.join(moved, 'mlparity.config.json'), 'utf8')) as { $schema: string; verify: { cases: { name: string; fixtures?: string; baseline?: string; candidate: string }[] } };
    fs.rmSync(path.join(moved, 'mlparity.config.json'));
    const only = config.verify.cases.find((c) => c.name === 'relu-to-leakyrelu')!;
    config.verify.cases = [{ ...only, name: 'split-reduction', baseline: `../${only.baseline}`, candidate: `../${only.candidate}`, fixtures: `../${only.fixtures}` }];
    config.$schema = `../${config.$schema}`;
    const movedConfig = path.join(moved, 'config', 'parity.json');
    fs.mkdirSync(path.dirname(movedConfig));
    fs.writeFileSync(movedConfig, JSON.stringify(config, null, 2));
    client = await LspTestClient.start(plain, { moreFolders: [moved], folderSettings: { [moved]: { configPath: 'config/parity.json' } } });
    const [command] = await verifyActions(client, movedConfig, '"split-reduction"');
    assert.ok(command, 'the verify action is offered on the configured file');
    assert.deepEqual(command.arguments, [{ caseName: 'split-reduction', folder: uri(moved) }]);
    const report = (await client.executeCommand(command.command, command.arguments)) as VerifyReport;
    // The moved folder's case compares the leaky model (it fails); the first folder's same-named case passes.
    assert.deepEqual(report.cases.map((c) => [c.name, c.status, c.candidate?.resolved]), [['split-reduction', 'fail', path.join(moved, 'models/classifier_leaky.onnx')]]);
  });

  it('runs the pre-commit checks on the staged content and reports the blocked commit', async () => {
    const root = copy();
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'example');
    fs.writeFileSync(path.join(root, 'src/pipeline/untested.ts'), 'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n');
    git(root, 'add', 'src/pipeline/untested.ts');
    client = await LspTestClient.start(root);
    const results = (await client.executeCommand(ServerCommands.runHookChecks, [{ folder: uri(root) }])) as HookChecksResult;
    assert.equal(results.length, 1);
    assert.equal(results[0]!.passed, false);
    assert.deepEqual(results[0]!.analysis?.blocking.map((f) => [f.rule, path.basename(f.file)]), [['untested-stage', 'untested.ts']]);
    assert.match(client.messages.at(-1)?.message ?? '', /commit would be blocked: .*1 finding\(s\) \(untested-stage\)/);
    const progress = serverProgress(client, 'ML Parity: pre-commit checks');
    assert.ok(progress?.some((p) => p.kind === 'report' && /analysing the staged sources/.test(p.message ?? '')), 'progress messages from the checks');
  });
});
