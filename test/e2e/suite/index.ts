// Entry point VS Code loads as `extensionTestsPath`: runs every compiled *.test.js beside this file.
import * as vscode from 'vscode';
import { runSuite } from './runner';

/** Called by the extension host once the development extension is loaded. */
export async function run(): Promise<void> {
  await runSuite({ testsRoot: __dirname, hostVersion: vscode.version });
}
