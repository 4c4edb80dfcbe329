// Helpers for the in-editor suite. Only the `vscode` API and Node: the same files run under code-server
// (npm run test:e2e) and under @vscode/test-electron (npm run test:electron).
import * as vscode from 'vscode';
import type { VerifyReport } from '../../../server/src/engine/verifyTypes';
import { pollUntil } from '../deadline';

/** `${publisher}.${name}` from the root package.json. */
export const EXTENSION_ID = 'ml-parity.ml-parity';

/** What the extension's `activate` returns (contract shared with client/src/extension.ts). */
export interface MlParityApi {
  ready: Promise<void>;
  lastReport(): VerifyReport | undefined;
}

/** Activates the extension and waits for its language server. */
export async function activateExtension(): Promise<MlParityApi> {
  const ext = vscode.extensions.getExtension<MlParityApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  await api.ready;
  return api;
}

/** The opened example workspace (a per-run copy made by the driver). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder open');
  return folder.uri;
}

/** URI of a workspace-relative path. */
export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...rel.split('/'));
}

/** A diagnostic's rule code as a string, whatever form (`string`, number, `{ value }`) it came in. */
function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

/** Diagnostics of one rule in files whose path ends with `fileSuffix` (all files when omitted). */
export function diagnosticsOf(rule: string, fileSuffix?: string): [vscode.Uri, vscode.Diagnostic][] {
  const out: [vscode.Uri, vscode.Diagnostic][] = [];
  for (const [uri, ds] of vscode.languages.getDiagnostics()) {
    if (fileSuffix && !uri.path.endsWith(fileSuffix)) continue;
    for (const d of ds) if (codeOf(d) === rule) out.push([uri, d]);
  }
  return out;
}

/** Polls until at least one diagnostic of `rule` exists in `fileSuffix`; returns them. */
export function waitForDiagnostics(
  rule: string,
  fileSuffix: string,
  timeoutMs = 30_000,
): Promise<[vscode.Uri, vscode.Diagnostic][]> {
  return pollUntil(`${rule} diagnostics in ${fileSuffix}`, timeoutMs, () => {
    const found = diagnosticsOf(rule, fileSuffix);
    return found.length ? found : undefined;
  });
}

/**
 * Polls for the clone finding between two files. The server reports a clone once, on one of its copies,
 * with the other copies as related information; accept it on either side.
 */
export function waitForCloneBetween(
  fileA: string,
  fileB: string,
  timeoutMs = 30_000,
): Promise<[vscode.Uri, vscode.Diagnostic]> {
  return pollUntil(`a cross-stage-duplicate between ${fileA} and ${fileB}`, timeoutMs, () => {
    for (const [here, there] of [
      [fileA, fileB],
      [fileB, fileA],
    ] as const) {
      const hit = diagnosticsOf('cross-stage-duplicate', here).find(([, d]) =>
        (d.relatedInformation ?? []).some((r) => r.location.uri.path.endsWith(there)),
      );
      if (hit) return hit;
    }
    return undefined;
  });
}

/**
 * Code actions VS Code offers at a diagnostic (CodeActions only, not bare Commands), with their edits resolved. The editor
 * cancels a request when the document or its diagnostics change underneath it, so retry until one completes.
 */
export async function codeActionsAt(
  uri: vscode.Uri,
  d: vscode.Diagnostic,
  timeoutMs = 60_000,
): Promise<vscode.CodeAction[]> {
  await vscode.workspace.openTextDocument(uri);
  const all = await pollUntil(
    `ML Parity code actions at ${uri.path}:${d.range.start.line + 1}`,
    timeoutMs,
    async () => {
      // Resolve up to 50 actions, as the editor does for the one a user picks: costly edits come on resolve.
      const got =
        (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[] | undefined>(
          'vscode.executeCodeActionProvider',
          uri,
          d.range,
          undefined,
          50,
        )) ?? [];
      // Other extensions (TypeScript's refactors and snippets) answer too, also when ours was cancelled by an
      // edit: wait for a list that holds ours (every ML Parity action offers to ignore the finding).
      return got.some((a) => /^Ignore this finding \(/.test(a.title)) ? got : undefined;
    },
  );
  return all.filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
}

/** Text of a file as the editor sees it (open document if any, else disk). */
export async function textOf(uri: vscode.Uri): Promise<string> {
  return (await vscode.workspace.openTextDocument(uri)).getText();
}

export { pollUntil };
