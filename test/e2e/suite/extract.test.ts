import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  codeActionsAt,
  diagnosticsOf,
  pollUntil,
  textOf,
  waitForCloneBetween,
  wsUri,
} from './helpers';

describe('extract duplicated code', () => {
  it('replaces both copies with calls to one shared function and the finding goes away', async () => {
    await activateExtension();
    const [uri, dup] = await waitForCloneBetween('src/pipeline/preprocess.ts', 'src/pipeline/featurize.ts');
    const pre = wsUri('src/pipeline/preprocess.ts');
    const feat = wsUri('src/pipeline/featurize.ts');
    const before = { pre: await textOf(pre), feat: await textOf(feat) };

    const action = (await codeActionsAt(uri, dup)).find((a) => /extract/i.test(a.title) && !a.disabled && a.edit);
    assert.ok(action?.edit, 'an extract action with an edit');
    const inserted = action.edit
      .entries()
      .flatMap(([, edits]) => edits.map((e) => e.newText))
      .join('\n');
    const name = /function\s+([A-Za-z_$][\w$]*)/.exec(inserted)?.[1];
    assert.ok(name, `a function declared by the edit: ${inserted.slice(0, 200)}`);
    assert.equal(await vscode.workspace.applyEdit(action.edit), true, 'edit applied');
    assert.ok(await vscode.workspace.saveAll(false), 'files saved');

    const after = { pre: await textOf(pre), feat: await textOf(feat) };
    assert.notEqual(after.pre, before.pre, 'preprocess.ts changed');
    assert.notEqual(after.feat, before.feat, 'featurize.ts changed');
    const call = new RegExp(`\\b${name}\\(`);
    assert.match(after.pre, call, 'preprocess.ts calls the shared function');
    assert.match(after.feat, call, 'featurize.ts calls the shared function');
    // The z-score loops were the duplicated part: they now live once, in the shared function.
    const declared = new RegExp(`function\\s+${name}\\b`);
    const touched = action.edit.entries().map(([u]) => u);
    const declaring: string[] = [];
    for (const u of touched) if (declared.test(await textOf(u))) declaring.push(vscode.workspace.asRelativePath(u));
    assert.equal(
      declaring.length,
      1,
      `exactly one edited file declares ${name}: ${declaring.join(', ')} (edited: ${touched.map((u) => vscode.workspace.asRelativePath(u)).join(', ')})`,
    );
    assert.ok(before.pre.split('\n').length > after.pre.split('\n').length, 'preprocess.ts got shorter');

    await pollUntil('the cross-stage-duplicate finding to disappear', 30_000, () =>
      diagnosticsOf('cross-stage-duplicate', 'src/pipeline/preprocess.ts').length === 0 &&
      diagnosticsOf('cross-stage-duplicate', 'src/pipeline/featurize.ts').length === 0
        ? true
        : undefined,
    );
  });
});
