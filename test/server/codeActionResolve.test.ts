import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionResolveRequest,
  MessageType,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
} from 'vscode-languageserver-protocol';
import type { DiagnosticData } from '../../server/src/protocol';
import { FULL_CAPABILITIES, LspTestClient } from './lspClient';
import { applyWorkspaceEdit, copyExample, typeCheck } from './workspace';

/** A client like VS Code: it fills in `edit` through `codeAction/resolve`. */
const RESOLVING: ClientCapabilities = {
  ...FULL_CAPABILITIES,
  textDocument: {
    ...FULL_CAPABILITIES.textDocument,
    codeAction: {
      ...FULL_CAPABILITIES.textDocument!.codeAction,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
};

describe('language server: lazy code-action edits (codeAction/resolve)', function () {
  this.timeout(120_000);
  let root: string;
  let client: LspTestClient;
  const file = (rel: string): string => path.join(root, rel);

  beforeEach(async () => {
    root = copyExample();
    client = await LspTestClient.start(root, { capabilities: RESOLVING });
  });
  afterEach(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function actionsFor(rel: string, rule: string): Promise<{ actions: CodeAction[] }> {
    await client.open(file(rel));
    const d = await client.waitFor(`${rule} in ${rel}`, () =>
      client.diagnosticsFor(file(rel)).find((x) => x.code === rule),
    );
    return { actions: await client.codeActions(file(rel), d.range, [d]) };
  }

  it('advertises resolve; the lightbulb gets extract without an edit, resolve builds one that type-checks', async () => {
    const provider = client.initializeResult?.capabilities.codeActionProvider;
    assert.ok(provider && typeof provider === 'object' && provider.resolveProvider === true, JSON.stringify(provider));
    const { actions } = await actionsFor('src/pipeline/preprocess.ts', 'cross-stage-duplicate');
    const extract = actions.find((a) => a.kind === 'refactor.extract');
    assert.ok(extract, `extract offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(extract.edit, undefined, 'no edit in the lightbulb request');
    assert.ok(extract.data, 'data for resolve');
    const ignore = actions.find((a) => /^Ignore this finding/.test(a.title));
    assert.ok(ignore?.edit, 'cheap edits stay in the request');
    const resolved = await client.conn.sendRequest(CodeActionResolveRequest.type, extract);
    assert.ok(resolved.edit, 'resolve fills in the edit');
    applyWorkspaceEdit(resolved.edit);
    assert.deepEqual(typeCheck(root), []);
    assert.match(fs.readFileSync(file('src/pipeline/preprocess.ts'), 'utf8'), /import \{ \w+ \} from/);
  });

  it('generate-test resolves to a created test file; an action that cannot be built says why', async () => {
    const { actions } = await actionsFor('src/pipeline/postprocess.ts', 'untested-stage');
    const generate = actions.find((a) => /^Generate a test/.test(a.title));
    assert.ok(generate && !generate.edit, `a lazy generate-test action: ${actions.map((a) => a.title).join(' | ')}`);
    const resolved = await client.conn.sendRequest(CodeActionResolveRequest.type, generate);
    assert.ok(
      resolved.edit?.documentChanges?.some((c) => 'kind' in c && c.kind === 'create'),
      'creates the test file',
    );
    // The stage no longer exists under that name: nothing to import, and the user is told so.
    const data = generate.data as { diagnostic: Diagnostic };
    const echoed = data.diagnostic.data as DiagnosticData;
    assert.equal(echoed.rule, 'untested-stage');
    const gone = { ...data.diagnostic, data: { ...echoed, data: { ...echoed.data, stage: 'noSuchStage' } } };
    const stale = await client.conn.sendRequest(CodeActionResolveRequest.type, {
      ...generate,
      data: { ...data, diagnostic: gone },
    });
    assert.equal(stale.edit, undefined);
    const warning = await client.waitFor('a warning message', () =>
      client.messages.find((m) => m.type === MessageType.Warning),
    );
    assert.match(
      warning.message,
      /cannot apply "Generate a test for stage '\w+'.*'noSuchStage' is not an exported function or class/,
    );
  });
});
