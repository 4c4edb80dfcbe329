import * as fs from 'node:fs';
import * as vscode from 'vscode';

/**
 * Picks the bundle in a packaged extension and the tsc output when run from the repo (development or
 * tests), so a stale `dist/` left by an earlier `npm run package` never shadows the code under test.
 */
export function entryPoint(context: vscode.ExtensionContext, bundled: string, compiled: string): string {
  const dev = context.asAbsolutePath(compiled);
  const dist = context.asAbsolutePath(bundled);
  if (context.extensionMode !== vscode.ExtensionMode.Production && fs.existsSync(dev)) return dev;
  return fs.existsSync(dist) ? dist : dev;
}
