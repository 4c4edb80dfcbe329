import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildFailure, Loader, Plugin } from 'esbuild';
import { EngineError } from '../errors';
import type { StageAccess } from './locate';

const STAGE_EXPORT = '__mlParityStage';

export interface BundleInput {
  /** Absolute path of the file declaring the stage. */
  file: string;
  access: StageAccess;
  /** Unsaved text over the disk, by absolute path. */
  overrides?: ReadonlyMap<string, string>;
  /** Turns a path in the build into the one to show in errors (temp tree → `HEAD:src/x.ts`). */
  displayPath?: (file: string) => string;
}

const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

function isEsm(file: string, text: string): boolean {
  if (/\.m[jt]s$/.test(file)) return true;
  if (/\.c[jt]s$/.test(file)) return false;
  return /^\s*(import\s*[\w*{"']|export\s*[\w*{=]|export\s+default\b)/m.test(text);
}

/**
 * One version of a stage as a CommonJS bundle (esbuild): the stage's file with everything it imports
 * from the project, packages left to `require` at run time. A stage that is not exported is reached by
 * an export appended to an in-memory copy of its file. A build error is an EngineError at its location.
 */
export async function bundleStage(input: BundleInput): Promise<string> {
  const esbuild = await import('esbuild');
  const target = path.resolve(input.file);
  const entry =
    input.access.kind === 'local'
      ? `module.exports = require(${JSON.stringify(target)}).${STAGE_EXPORT};`
      : `const m = require(${JSON.stringify(target)});\nmodule.exports = ${
          input.access.name === 'default'
            ? `m && m.__esModule && 'default' in m ? m.default : m`
            : `m[${JSON.stringify(input.access.name)}]`
        };`;
  const plugin: Plugin = {
    name: 'ml-parity-stage',
    setup(build) {
      build.onLoad({ filter: /.*/ }, (args) => {
        const over = input.overrides?.get(args.path);
        if (args.path !== target && over === undefined) return undefined;
        const text = over ?? fs.readFileSync(args.path, 'utf8');
        const loader = LOADERS[path.extname(args.path)] ?? 'js';
        if (args.path !== target || input.access.kind !== 'local') return { contents: text, loader };
        const name = input.access.name;
        const tail = isEsm(args.path, text)
          ? `\nexport { ${name} as ${STAGE_EXPORT} };\n`
          : `\n;module.exports.${STAGE_EXPORT} = ${name};\n`;
        return { contents: text + tail, loader };
      });
    },
  };
  try {
    const r = await esbuild.build({
      stdin: {
        contents: entry,
        resolveDir: path.dirname(target),
        sourcefile: 'ml-parity-stage-entry.js',
        loader: 'js',
      },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      keepNames: true,
      logLevel: 'silent',
      plugins: [plugin],
    });
    return r.outputFiles[0].text;
  } catch (e) {
    const failure = e as Partial<BuildFailure>;
    const first = failure.errors?.[0];
    if (!first)
      throw new EngineError(
        'stage-build-failed',
        `could not build the stage: ${e instanceof Error ? e.message : String(e)}`,
        { file: input.file },
      );
    const loc = first.location;
    const file = loc?.file ? path.resolve(path.dirname(target), loc.file) : input.file;
    const shown = input.displayPath
      ? input.displayPath(loc?.file && fs.existsSync(loc.file) ? path.resolve(loc.file) : file)
      : file;
    throw new EngineError('stage-build-failed', `could not build the stage: ${first.text}`, {
      file: shown,
      line: loc?.line,
      column: loc ? loc.column + 1 : undefined,
    });
  }
}
