import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol';
import { LspTestClient, uri } from './lspClient';
import { copyExample } from './workspace';

describe('language server: nested workspace folders', function () {
  this.timeout(60_000);
  let outer: string;
  let client: LspTestClient;
  afterEach(async () => {
    await client?.stop();
    fs.rmSync(outer, { recursive: true, force: true });
  });

  it('a file changed on disk goes to the deepest folder holding it, as edits and code actions do', async () => {
    // The outer folder (listed first) holds the example as a nested folder with its own config.
    outer = copyExample();
    const inner = path.join(outer, 'nested');
    fs.cpSync(path.join(outer, 'src'), path.join(inner, 'src'), { recursive: true });
    fs.cpSync(path.join(outer, 'test'), path.join(inner, 'test'), { recursive: true });
    fs.copyFileSync(path.join(outer, 'mlparity.config.json'), path.join(inner, 'mlparity.config.json'));
    // The outer config looks only at its own src/, so only the inner folder can report the new file.
    client = await LspTestClient.start(outer, { moreFolders: [inner] });
    await client.waitFor('both folders analysed', () => client.statuses.filter((s) => s.state === 'idle').length >= 2);
    const added = path.join(inner, 'src/pipeline/shift.ts');
    fs.writeFileSync(added, 'export function shift(xs: number[]): number[] {\n  return xs.map((x) => x + 1);\n}\n');
    await client.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: uri(added), type: FileChangeType.Created }],
    });
    const found = await client.waitFor('untested-stage on the new file', () =>
      client.diagnosticsFor(added).find((d) => d.code === 'untested-stage'),
    );
    assert.match(JSON.stringify(found.message), /shift/);
  });
});
