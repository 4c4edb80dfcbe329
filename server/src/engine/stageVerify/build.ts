import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildFailure, Loader, Plugin } from 'esbuild';
import { EngineError } from '../errors';
import type { StageAccess } from './locate';

const STAGE_EXPORT = '__mlParityStage';
/** Marks the plugin's own call to esbuild's resolver, which the plugin then leaves alone. */
const OWN_RESOLVE = Symbol('ml-parity-resolve');

export interface BundleInput {
  /** Absolute path of the file declaring the stage. */
  file: string;
  access: StageAccess;
  /** Unsaved text over the disk, by absolute path. */
  overrides?: ReadonlyMap<string, string>;
  /** Turns a path in the build into the one to show in errors (temp tree → `HEAD:src/x.ts`). */
  displayPath?: (file: string) => string;
  /**
   * The folder this version's files are in (a temp copy of a revision), and the project's git top, whose
   * node_modules packages resolve from: a package linked there from the project (a workspace package) is
   * the project's own code, so it is bundled from this version's files, never taken from the work tree.
   */
  tree?: { dir: string; top: string };
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
      // A package import is external (required at run time from the project), unless it is the project's own
      // code: a tsconfig `paths` alias or a workspace package, as resolved in this version's tree (esbuild's own
      // resolution), else (a revision's copy has no node_modules) as the project resolves it.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === OWN_RESOLVE) return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: OWN_RESOLVE,
        });
        if (r.errors.length === 0 && !r.external && r.path && !inNodeModules(r.path)) return { path: r.path };
        const own = input.tree && projectPackageFile(args.path, args.importer || target, input.tree);
        return own ? { path: own } : { path: args.path, external: true };
      });
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

/**
 * The file of this version's tree that a package import stands for, when the package is linked into
 * node_modules from the project itself (npm, yarn and pnpm workspaces): resolved as Node would from the
 * importer's place in the project, it is a file under the project's top outside every node_modules.
 */
function projectPackageFile(spec: string, importer: string, tree: { dir: string; top: string }): string | undefined {
  if (spec.startsWith('node:')) return undefined;
  const inTree = path.relative(tree.dir, importer);
  if (inTree.startsWith('..') || path.isAbsolute(inTree)) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(require.resolve(spec, { paths: [path.dirname(path.join(tree.top, inTree))] }));
  } catch {
    return undefined; // a builtin, or missing: left to run time, where a missing package is reported
  }
  const rel = path.relative(tree.top, real);
  if (!path.isAbsolute(real) || rel.startsWith('..') || path.isAbsolute(rel) || inNodeModules(rel)) return undefined;
  return path.join(tree.dir, rel);
}

function inNodeModules(file: string): boolean {
  return file.split(path.sep).includes('node_modules');
}
