import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HookLayout } from './types';

export const HUSKY_DIR = '.husky';
export const PRECOMMIT_CONFIG = '.pre-commit-config.yaml';

/** Husky owns the hooks when `.husky/pre-commit` exists, or `.husky/` exists and package.json lists husky. */
function usesHusky(top: string): boolean {
  const dir = path.join(top, HUSKY_DIR);
  if (!isDir(dir)) return false;
  if (fs.existsSync(path.join(dir, 'pre-commit'))) return true;
  return packageListsHusky(path.join(top, 'package.json'));
}

/** The layout `install` uses: husky, then the pre-commit framework, else a plain git hook. */
export function detectLayout(top: string): HookLayout {
  if (usesHusky(top)) return 'husky';
  if (fs.existsSync(path.join(top, PRECOMMIT_CONFIG))) return 'pre-commit-config';
  return 'git-hook';
}

function packageListsHusky(file: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    return ['dependencies', 'devDependencies'].some((k) => {
      const deps = pkg[k];
      return typeof deps === 'object' && deps !== null && 'husky' in deps;
    });
  } catch {
    return false; // no or unreadable package.json: not a husky project
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
