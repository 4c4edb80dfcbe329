import * as fs from 'node:fs';
import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol';
import { writeWorkspace } from '../support/tmp';
import { LspTestClient, uri } from './lspClient';

const estimator = (cls: string): string =>
  `class ${cls} {\n  fit(rows) { this.n = rows.length; return this; }\n  predict(rows) { return rows.map(() => this.n); }\n}\nmodule.exports = { Model: ${cls} };\n`;

describe('language server: package.json decides which source a test of the build output reaches', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspTestClient;
  afterEach(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a changed package.json main on disk moves the untested-stage diagnostic, as a fresh analysis would', async () => {
    root = writeWorkspace({
      'package.json': JSON.stringify({ name: 'two-models', main: 'lib/a.js' }),
      'src/a.js': estimator('A'),
      'src/b.js': estimator('B'),
      // Reaches whichever source package.json's main was built from (lib/ is not built).
      'test/model.test.js': "const { Model } = require('..');\nit('fits', () => new Model().fit([[1]]));\n",
    });
    const [a, b] = [path.join(root, 'src/a.js'), path.join(root, 'src/b.js')];
    const untested = (file: string): boolean => client.diagnosticsFor(file).some((d) => d.code === 'untested-stage');
    client = await LspTestClient.start(root);
    await client.waitFor('B untested, A tested', () => untested(b) && !untested(a));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'two-models', main: 'lib/b.js' }));
    await client.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: uri(path.join(root, 'package.json')), type: FileChangeType.Changed }],
    });
    await client.waitFor('A untested, B tested', () => untested(a) && !untested(b));
  });
});
