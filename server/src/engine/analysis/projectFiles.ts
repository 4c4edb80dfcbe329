import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The files the analysis consults besides the sources it parses: package.json, tsconfig.json, built
 * files and their source maps, and whether a file or folder exists. Read from the file source: the
 * given texts first, then the disk, or, for an exclusive source (the git index, a revision), only the
 * given texts, so an analysis of staged content never depends on the work tree (and the cache key,
 * which hashes exactly those texts, covers everything it read).
 */
export class ProjectFiles {
  private readonly texts = new Map<string, string | undefined>();
  private readonly dirs = new Map<string, boolean>();
  /** Folders holding a given or listed file (exclusive sources only). */
  private givenDirs: Set<string> | undefined;
  private readonly listed: ReadonlySet<string>;

  /**
   * `given`: texts that win over the disk. `exclusive`: nothing else exists but `given` and the
   * `listed` source files (whose texts the analysis holds itself).
   */
  constructor(
    readonly given: ReadonlyMap<string, string>,
    readonly exclusive: boolean,
    listed: readonly string[] = [],
  ) {
    this.listed = new Set(listed);
  }

  read(file: string): string | undefined {
    const given = this.given.get(file);
    if (given !== undefined || this.exclusive) return given;
    if (this.texts.has(file)) return this.texts.get(file);
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    this.texts.set(file, text);
    return text;
  }

  exists(file: string): boolean {
    if (this.given.has(file) || this.listed.has(file)) return true;
    if (this.exclusive) return false;
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  }

  isDir(dir: string): boolean {
    if (this.exclusive) {
      if (!this.givenDirs) {
        this.givenDirs = new Set();
        for (const f of [...this.given.keys(), ...this.listed])
          for (let d = path.dirname(f); !this.givenDirs.has(d); d = path.dirname(d)) {
            this.givenDirs.add(d);
            if (path.dirname(d) === d) break;
          }
      }
      return this.givenDirs.has(dir);
    }
    let known = this.dirs.get(dir);
    if (known === undefined) {
      try {
        known = fs.statSync(dir).isDirectory();
      } catch {
        known = false;
      }
      this.dirs.set(dir, known);
    }
    return known;
  }
}
