import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeActionsAt, EXTENSION_ID, waitForCloneBetween, waitForDiagnostics } from './helpers';

describe('ML Parity extension in a real editor', () => {
  it('activates and its language server becomes ready', async () => {
    const api = await activateExtension();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(typeof api.lastReport, 'function');
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'mlParity.verifyRefactor',
      'mlParity.showReport',
      'mlParity.installHook',
      'mlParity.restartServer',
    ]) {
      assert.ok(commands.includes(id), `command ${id} registered`);
    }
  });

  it('reports the normalization block duplicated between preprocess.ts and featurize.ts', async () => {
    await activateExtension();
    const [, d] = await waitForCloneBetween('src/pipeline/preprocess.ts', 'src/pipeline/featurize.ts');
    assert.ok(
      d.range.end.line - d.range.start.line >= 5,
      `clone spans several lines (${d.range.start.line}-${d.range.end.line})`,
    );
    const copy = d.relatedInformation![0].location.range;
    assert.ok(copy.end.line - copy.start.line >= 5, 'the related copy spans several lines too');
  });

  it('reports featurize and postprocess as untested stages, and only those', async () => {
    await activateExtension();
    const feat = await waitForDiagnostics('untested-stage', 'src/pipeline/featurize.ts');
    const post = await waitForDiagnostics('untested-stage', 'src/pipeline/postprocess.ts');
    assert.match(feat[0][1].message, /featurize/);
    assert.match(post[0][1].message, /postprocess/);
    for (const tested of ['load.ts', 'preprocess.ts', 'predict.ts']) {
      const found = vscode.languages.getDiagnostics(vscode.Uri.joinPath(feat[0][0], '..', tested));
      assert.ok(
        !found.some((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'untested-stage'),
        `${tested} is tested`,
      );
    }
  });

  it('offers code actions at both kinds of finding', async () => {
    await activateExtension();
    const [dupUri, dup] = await waitForCloneBetween('src/pipeline/preprocess.ts', 'src/pipeline/featurize.ts');
    const dupActions = await codeActionsAt(dupUri, dup);
    assert.ok(
      dupActions.some((a) => /extract/i.test(a.title) && !a.disabled),
      `extract offered; got: ${dupActions.map((a) => a.title).join(' | ')}`,
    );
    const [[stageUri, stage]] = await waitForDiagnostics('untested-stage', 'src/pipeline/featurize.ts');
    const stageActions = await codeActionsAt(stageUri, stage);
    assert.ok(
      stageActions.some((a) => /test/i.test(a.title)),
      `test generation offered; got: ${stageActions.map((a) => a.title).join(' | ')}`,
    );
  });
});
