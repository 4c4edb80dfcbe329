import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { resolveEntry, type BuildOutput } from './buildOutput';
import { isInside, relPath } from './paths';

/** An import of build output: the source it was built from, or why none could be told. */
export type BuiltImport = { built: string; source: string; how: string } | { built: string; why: string };

const SOURCE_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const BUILT_EXT = /(\.d)?\.[mc]?[jt]sx?$/;
const MINIFIED = /\.min\.[mc]?js$/;

/**
 * Maps imports of build output (left out of the analysis, see buildOutput.ts) to the sources they
 * were built from, so a test that imports `../dist/x.js` or its package's `main` reaches what the
 * source exports. In order: the built file's source map (`sourceMappingURL` → `sources`; not for an
 * exclusive file source, whose .map files are not part of it), tsconfig's `rootDir` ↔ `outDir`, the same
 * path under `src/` (or beside the build folder, or under a folder above it, as tsc lays out a
 * project whose sources reach outside it), and for a package entry point its `source` field or
 * `src/index`. Only analysed files that are not tests count as sources.
 */
export class BuiltSources {
  private readonly memo = new Map<string, BuiltImport>();

  constructor(
    private readonly root: string,
    private readonly build: BuildOutput,
    /** Analysed, not a test: a file an import may be mapped to. */
    private readonly isSource: (file: string) => boolean,
    /** Left out as build output by its text (a sourceMappingURL comment, minified). */
    private readonly leftOutByText: (file: string) => boolean,
  ) {}

  /**
   * What an import that resolved to no analysed file stands for: `located` is where module resolution
   * found it (if anywhere). Undefined when it is not build output of this project (a package, a
   * missing file outside the build folders).
   */
  of(spec: string, from: string, located: string | undefined): BuiltImport | undefined {
    const target = located ?? this.guess(spec, from);
    if (target === undefined || !isInside(this.root, target) || target.split(path.sep).includes('node_modules'))
      return undefined;
    if (this.build.where(target) === undefined && !this.leftOutByText(target) && !MINIFIED.test(target))
      return this.unanalysedScript(target);
    let out = this.memo.get(target);
    if (!out) this.memo.set(target, (out = this.map(target)));
    return out;
  }

  /**
   * A declaration file (`index.d.ts`) whose script is there but not analysed (outside the include globs):
   * what the import reaches cannot be known, so it is never taken as reaching nothing.
   */
  private unanalysedScript(target: string): BuiltImport | undefined {
    const m = /\.d\.([mc]?)ts$/.exec(target);
    if (!m) return undefined;
    const base = target.slice(0, m.index);
    const script = (m[1] ? [`.${m[1]}js`] : ['.js', '.jsx'])
      .map((e) => base + e)
      .find((f) => this.build.project.exists(f) && !this.isSource(f) && !this.leftOut(f));
    if (script === undefined) return undefined;
    return {
      built: target,
      why: `its source ${relPath(this.root, script)} is not among the analysed files (add it with "analysis.include")`,
    };
  }

  /** Forgets every mapping: the set of analysed files changed. */
  reset(): void {
    this.memo.clear();
  }

  /**
   * Where a relative import (or one of the importing package's own name) points when module resolution
   * found no file: usually build output that has not been built. A folder with a package.json stands
   * for its entry point.
   */
  private guess(spec: string, from: string): string | undefined {
    let abs: string | undefined;
    if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../'))
      abs = path.resolve(path.dirname(from), spec);
    else {
      const pkg = this.build.packageOf(path.dirname(from));
      const name = pkg ? this.build.packageJson(pkg)?.name : undefined;
      if (pkg && typeof name === 'string' && (spec === name || spec.startsWith(name + '/')))
        abs = path.join(pkg, spec.slice(name.length));
    }
    if (abs === undefined) return undefined;
    const json = this.build.packageJson(abs);
    const entry = json ? entryOf(json) : undefined;
    return entry !== undefined ? resolveEntry(abs, entry) : abs;
  }

  private map(built: string): BuiltImport {
    const tried: string[] = [];
    const viaMap = this.fromSourceMap(built);
    if (viaMap && 'source' in viaMap) return viaMap;
    if (viaMap) tried.push(viaMap.why);
    const stem = built.replace(BUILT_EXT, '');
    const where = this.build.where(built);
    const roots: { dir: string; rest: string; how: string }[] = [];
    if (where?.folder) {
      const rest = path.relative(where.folder, stem);
      const base = path.dirname(where.folder);
      const rootDir = where.outDir ? this.build.rootDir : this.rootDirFor(where.folder, base);
      if (rootDir) roots.push({ dir: rootDir, rest, how: "tsconfig.json's rootDir for its outDir" });
      roots.push({ dir: path.join(base, 'src'), rest, how: 'the same path under src/' });
      roots.push({ dir: base, rest, how: 'the same path beside the build folder' });
      // tsc puts the output under the common folder of all its inputs: `dist/pkg/src/x.js` from `../pkg/src/x.ts`.
      if (rest.split(path.sep).length >= 2)
        for (let d = path.dirname(base); isInside(this.root, d) || d === this.root; d = path.dirname(d)) {
          roots.push({ dir: d, rest, how: 'the same path under a folder above the build folder' });
          if (d === this.root) break;
        }
    } else {
      const pkg = this.build.packageOf(path.dirname(built));
      if (pkg) {
        const json = this.build.packageJson(pkg);
        const source = json?.source;
        if (typeof source === 'string')
          roots.push({ dir: pkg, rest: source.replace(BUILT_EXT, ''), how: "package.json's source field" });
        roots.push({ dir: path.join(pkg, 'src'), rest: path.relative(pkg, stem), how: 'the same path under src/' });
        roots.push({ dir: path.join(pkg, 'src'), rest: 'index', how: "the package's src/index" });
      }
    }
    let unanalysed: string | undefined;
    for (const { dir, rest, how } of roots) {
      for (const candidate of [path.join(dir, rest), path.join(dir, rest, 'index')])
        for (const ext of SOURCE_EXTS) {
          const file = candidate + ext;
          if (file === built) continue;
          if (this.isSource(file)) return { built, source: file, how };
          if (unanalysed === undefined && this.build.project.exists(file) && !this.leftOut(file)) unanalysed = file;
        }
    }
    const first = roots[0];
    // The source is there but outside the analysed files (simple-statistics: the root index.js its tests import).
    if (unanalysed !== undefined)
      tried.push(
        `its source ${relPath(this.root, unanalysed)} is not among the analysed files (add it with "analysis.include")`,
      );
    else if (first) tried.push(`no source at ${relPath(this.root, path.join(first.dir, first.rest))}.*`);
    else tried.push('it is in no build folder and no package names it');
    return { built, why: tried.join('; ') };
  }

  /** Left out as build output (by its path or its text): not a source that analysis.include could add. */
  private leftOut(file: string): boolean {
    return this.build.where(file) !== undefined || this.leftOutByText(file);
  }

  /** The source the built file's source map names, when exactly one (or one entry) of them is analysed. */
  private fromSourceMap(built: string): BuiltImport | undefined {
    const project = this.build.project;
    if (project.exclusive) return undefined;
    const text = project.read(built);
    const url = text && /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text.slice(-2000))?.[1];
    if (!url) return undefined;
    let json: string | undefined;
    let mapFile = built;
    const inline = /^data:application\/json[^,]*?(;base64)?,(.*)$/.exec(url);
    if (inline) json = inline[1] ? Buffer.from(inline[2], 'base64').toString('utf8') : decodeURIComponent(inline[2]);
    else {
      mapFile = path.resolve(path.dirname(built), decodeURIComponent(url));
      json = project.read(mapFile);
    }
    const rel = relPath(this.root, mapFile);
    if (json === undefined) return { built, why: `its source map ${rel} could not be read` };
    const map = parseJsonc(json) as { sources?: unknown; sourceRoot?: unknown } | undefined;
    if (!map || !Array.isArray(map.sources)) return { built, why: `its source map ${rel} lists no sources` };
    const sourceRoot = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    const pkg = this.build.packageOf(path.dirname(built)) ?? this.root;
    const sources = new Set<string>();
    for (const s of map.sources) {
      if (typeof s !== 'string') continue;
      // Bundlers name sources by URL: webpack://name/./src/x.ts is relative to the package.
      const bundled = /^webpack:\/\/[^/]*\/(.*)$/.exec(s);
      const file = bundled
        ? path.resolve(pkg, bundled[1])
        : path.resolve(path.dirname(mapFile), sourceRoot.replace(/^file:\/\//, ''), s.replace(/^file:\/\//, ''));
      if (this.isSource(file)) sources.add(file);
    }
    const list = [...sources];
    if (list.length === 1) return { built, source: list[0], how: 'its source map' };
    if (list.length === 0) return { built, why: `no source its source map ${rel} lists is analysed` };
    // A bundle: it exports what its entry exports, the shallowest index file.
    const depth = (f: string): number => relPath(this.root, f).split('/').length;
    const indexes = list.filter((f) => /^index\.[^/]+$/.test(path.basename(f)));
    const top = Math.min(...indexes.map(depth));
    const entries = indexes.filter((f) => depth(f) === top);
    if (entries.length === 1) return { built, source: entries[0], how: "its source map's entry" };
    return { built, why: `its source map ${rel} lists ${list.length} sources, none clearly the entry` };
  }

  /** The rootDir of the tsconfig.json in `dir` when its outDir is `folder`. */
  private rootDirFor(folder: string, dir: string): string | undefined {
    const text = this.build.project.read(path.join(dir, 'tsconfig.json'));
    const options = text ? (parseJsonc(text) as { compilerOptions?: Record<string, unknown> } | undefined) : undefined;
    const { outDir, rootDir } = options?.compilerOptions ?? {};
    if (typeof outDir !== 'string' || typeof rootDir !== 'string') return undefined;
    return path.resolve(dir, outDir) === folder ? path.resolve(dir, rootDir) : undefined;
  }
}

/** The entry point a package.json names for `require`/`import` of the package itself. */
function entryOf(json: Record<string, unknown>): string | undefined {
  const pick = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(pick).find((x) => x !== undefined);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // `exports: { ".": … }` or conditions; types name declarations, not code.
      if ('.' in o) return pick(o['.']);
      for (const k of ['require', 'node', 'import', 'default']) if (k in o) return pick(o[k]);
    }
    return undefined;
  };
  return pick(json.exports) ?? pick(json.main) ?? pick(json.module);
}
