/**
 * Bundles the report webview's script (media/src/report.ts and the engine's number formatting it shares with the
 * CLI) into media/report.js, the file the extension loads. Run by `npm run build` (and so by `npm ci`), the
 * packaging script, the end-to-end driver and the webview test, so none of them runs a stale copy.
 */
import * as path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..', '..');
export const WEBVIEW_ENTRY = path.join(root, 'media', 'src', 'report.ts');
export const WEBVIEW_BUNDLE = path.join(root, 'media', 'report.js');

/** Builds media/report.js; a node import reaching the bundle fails the build (the webview has no node). */
export async function buildWebview(): Promise<string> {
  await build({
    entryPoints: [WEBVIEW_ENTRY],
    outfile: WEBVIEW_BUNDLE,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: false,
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: '// Built from media/src by scripts/buildWebview.ts: edit the sources, not this file.' },
  });
  return WEBVIEW_BUNDLE;
}

if (require.main === module) {
  buildWebview().then(
    (file) => console.log(`webview: ${path.relative(root, file)}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
