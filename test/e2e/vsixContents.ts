// What a packaged .vsix must (and must not) hold. Reads the zip's central directory directly: vsce's own zip
// readers are transitive dependencies without types, and a listing needs nothing more than this.

/** The packaging goal; a larger .vsix fails the vsix phase. */
export const MAX_VSIX_BYTES = 60 * 1024 * 1024;

/** Entries that prove the bundled server and the Linux x64 native runtime are inside. */
export const REQUIRED_ENTRIES = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/server.js',
  'extension/dist/serverMain.js',
  'extension/dist/cli.js',
  'extension/dist/cliMain.js',
  'extension/dist/inferenceWorker.js',
  'extension/dist/stageWorker.js',
  'extension/media/report.js',
  'extension/dist/node_modules/esbuild/lib/main.js',
  'extension/dist/node_modules/@esbuild/linux-x64/bin/esbuild',
  'extension/dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
];

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

/** File names in a zip archive, in central-directory order. Throws on a buffer that is not a (non-zip64) zip. */
export function listZipEntries(zip: Buffer): string[] {
  // The end-of-central-directory record is 22 bytes plus a comment of at most 64 KiB, at the very end.
  const floor = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zip.length - 22; i >= floor; i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_SIGNATURE)
      throw new Error(`corrupt zip central directory at entry ${n}`);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

// Anything that only runs on another platform, or belongs to the sources and build tree rather than the product.
const FORBIDDEN: [RegExp, string][] = [
  [/\/bin\/napi-v\d+\/(?!linux\/x64\/)[^/]+\/[^/]+\//, "another platform's onnxruntime binary"],
  [/\.(dll|dylib|exe|pdb)$/i, "another platform's native file"],
  [/^extension\/out\//, 'tsc output (out/)'],
  [/^extension\/(test|tests)\//, 'tests'],
  [/^extension\/(server|client|scripts|bench|examples)\//, 'sources'],
  [/(?<!\.d)\.ts$/, 'a TypeScript source'],
  [/\.map$/, 'a source map'],
  [/^extension\/node_modules\//, 'top-level node_modules (runtime belongs in dist/node_modules)'],
];

/** Problems with a .vsix listing and size: missing required entries, forbidden ones, oversize. Empty when fine. Pure. */
export function vsixProblems(entries: readonly string[], sizeBytes: number): string[] {
  const have = new Set(entries);
  const problems = REQUIRED_ENTRIES.filter((e) => !have.has(e)).map((e) => `missing ${e}`);
  for (const e of entries) {
    const hit = FORBIDDEN.find(([re]) => re.test(e));
    if (hit) problems.push(`${hit[1]}: ${e}`);
  }
  if (sizeBytes > MAX_VSIX_BYTES)
    problems.push(`${(sizeBytes / 1024 / 1024).toFixed(1)} MB is over the ${MAX_VSIX_BYTES / 1024 / 1024} MB goal`);
  return problems;
}
