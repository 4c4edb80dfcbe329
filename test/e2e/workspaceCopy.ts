// Each pass gets its own copy of the example workspace (tests edit files), made a git repository so that
// hook installation and staged checks have something real to work on.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Never copy build output or a git dir that may sit in the example folder.
const SKIP = new Set(['node_modules', '.git', 'out']);

/**
 * Copies `src` to `dest`, lets `prepare` edit the copy, runs `git init`, and commits everything so the tree starts
 * clean.
 */
export function copyWorkspace(src: string, dest: string, prepare?: (dest: string) => void): string {
  if (!fs.existsSync(src)) throw new Error(`example workspace not found: ${src}`);
  fs.cpSync(src, dest, { recursive: true, filter: (p) => !SKIP.has(path.basename(p)) || p === src });
  prepare?.(dest);
  const git = (...args: string[]): void => {
    execFileSync(
      'git',
      [
        '-c',
        'user.name=ML Parity e2e',
        '-c',
        'user.email=e2e@ml-parity.invalid',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      {
        cwd: dest,
        stdio: 'ignore',
      },
    );
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '--allow-empty', '-m', 'example workspace');
  return dest;
}
