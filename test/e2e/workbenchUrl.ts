// The code-server workbench URL: opens a folder and, through the `payload` parameter, loads a development
// extension and optionally its test module in the remote (Node) extension host.

/** What to load into the workbench. */
export interface WorkbenchTarget {
  baseUrl: string;
  /** host:port of the server, the authority of vscode-remote:// URIs. */
  authority: string;
  /** Absolute folder to open. */
  folder: string;
  /** Absolute path of the extension under development. */
  extensionDevelopmentPath?: string;
  /** Absolute path of a module exporting `run(): Promise<void>`. */
  extensionTestsPath?: string;
}

/** vscode-remote:// URI for an absolute path on the server. */
export function remoteUri(authority: string, absPath: string): string {
  const p = absPath.split('/').map(encodeURIComponent).join('/');
  return `vscode-remote://${authority}${p}`;
}

/** Builds the workbench URL for a target. Pure. */
export function workbenchUrl(t: WorkbenchTarget): string {
  const url = new URL('/', t.baseUrl);
  url.searchParams.set('folder', t.folder);
  const payload: [string, string][] = [];
  if (t.extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', remoteUri(t.authority, t.extensionDevelopmentPath)]);
  if (t.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(t.authority, t.extensionTestsPath)]);
  if (payload.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}
