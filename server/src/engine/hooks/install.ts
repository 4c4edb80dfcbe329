import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import { gitText, hooksDir, workTreeTop } from '../git';
import {
  appendBlock,
  CHAINED_SUFFIX,
  gitHookScript,
  hasBlock,
  huskyBody,
  insertPrecommitBlock,
  isOurGitHook,
  precommitBody,
  removeBlock,
} from './hookText';
import { detectLayout, HUSKY_DIR, PRECOMMIT_CONFIG } from './layout';
import type {
  HookCommandSpec,
  HookStatus,
  InstallOptions,
  InstallResult,
  Installation,
  UninstallResult,
} from './types';

/**
 * Installs the pre-commit check in the layout the repository uses. Never overwrites: an existing git
 * hook is moved aside and chained, husky and pre-commit configs get a marked block. Installing again
 * refreshes the paths in place and leaves one hook.
 */
export function installHook(opts: InstallOptions): InstallResult {
  const top = workTreeTop(opts.root);
  for (const [what, p] of [
    ['node', opts.node],
    ['cli', opts.cli],
  ] as const) {
    if (!path.isAbsolute(p) || !fs.existsSync(p))
      throw new EngineError('usage', `the hook needs an absolute, existing ${what} path; got "${p}"`, { file: p });
  }
  const spec: HookCommandSpec = {
    node: opts.node,
    runAsNode: opts.runAsNode,
    cli: opts.cli,
    rootRel: relativeRoot(top, opts.root),
    failOn: opts.failOn,
    all: opts.all,
  };
  switch (detectLayout(top)) {
    case 'husky':
      return installHusky(top, spec);
    case 'pre-commit-config':
      return installPrecommit(top, spec);
    default:
      return installGitHook(top, spec);
  }
}

/** Removes every ML Parity installation in the repository and puts back what it displaced, byte for byte. */
export function uninstallHook(root: string): UninstallResult {
  const top = workTreeTop(root);
  const result: UninstallResult = { removed: [], restored: [], notes: [] };
  const file = path.join(hooksDir(top), 'pre-commit');
  const chained = file + CHAINED_SUFFIX;
  const ours = readText(file);
  if (ours !== undefined && isOurGitHook(ours)) {
    fs.unlinkSync(file);
    result.removed.push({ layout: 'git-hook', file });
  }
  if (fs.existsSync(chained) || isSymlink(chained)) {
    if (fs.existsSync(file) || isSymlink(file)) {
      result.notes.push(
        `${chained} was left in place: ${file} is not ML Parity's hook, so restoring would overwrite it`,
      );
    } else {
      fs.renameSync(chained, file); // rename keeps the bytes and the mode
      result.restored.push(file);
    }
  }
  for (const [layout, f] of [
    ['husky', path.join(top, HUSKY_DIR, 'pre-commit')],
    ['pre-commit-config', path.join(top, PRECOMMIT_CONFIG)],
  ] as const) {
    const text = readText(f);
    if (text === undefined || !hasBlock(text)) continue;
    const rest = removeBlock(text);
    if (rest === undefined) fs.unlinkSync(f);
    else fs.writeFileSync(f, rest); // writing an existing file keeps its mode
    result.removed.push({ layout, file: f });
  }
  return result;
}

/** Which layout install would use and where ML Parity is installed now. */
export function hookStatus(root: string): HookStatus {
  const top = workTreeTop(root);
  const dir = hooksDir(top);
  const installed: Installation[] = [];
  const file = path.join(dir, 'pre-commit');
  const text = readText(file);
  if (text !== undefined && isOurGitHook(text)) {
    const chained = file + CHAINED_SUFFIX;
    installed.push({ layout: 'git-hook', file, ...(fs.existsSync(chained) ? { chained } : {}) });
  }
  for (const [layout, f] of [
    ['husky', path.join(top, HUSKY_DIR, 'pre-commit')],
    ['pre-commit-config', path.join(top, PRECOMMIT_CONFIG)],
  ] as const) {
    const t = readText(f);
    if (t !== undefined && hasBlock(t)) installed.push({ layout, file: f });
  }
  return { top, layout: detectLayout(top), hooksDir: dir, installed };
}

function installGitHook(top: string, spec: HookCommandSpec): InstallResult {
  const dir = hooksDir(top);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'pre-commit');
  const chained = file + CHAINED_SUFFIX;
  const existing = readText(file);
  const present = existing !== undefined || isSymlink(file);
  const fresh = !(existing !== undefined && isOurGitHook(existing));
  if (present && fresh) {
    if (fs.existsSync(chained) || isSymlink(chained)) {
      throw new EngineError(
        'usage',
        `cannot chain the existing hook: ${chained} already exists; move one of them away and install again`,
        { file: chained },
      );
    }
    fs.renameSync(file, chained);
  }
  fs.writeFileSync(file, gitHookScript(spec));
  fs.chmodSync(file, 0o755);
  const hasChained = fs.existsSync(chained);
  return { layout: 'git-hook', file, ...(hasChained ? { chained } : {}), fresh, notes: [] };
}

function installHusky(top: string, spec: HookCommandSpec): InstallResult {
  const file = path.join(top, HUSKY_DIR, 'pre-commit');
  const before = readText(file);
  const fresh = before === undefined || !hasBlock(before);
  const base = before === undefined ? undefined : removeBlock(before);
  fs.writeFileSync(file, appendBlock(base, huskyBody(spec)));
  if (base === undefined) fs.chmodSync(file, 0o755);
  const notes: string[] = [];
  const hooksPath = gitText(top, ['config', '--get', 'core.hooksPath'])?.trim() ?? '';
  if (!hooksPath.replace(/\\/g, '/').startsWith(HUSKY_DIR)) {
    notes.push(
      'husky is not active in this clone (core.hooksPath does not point into .husky); run `npx husky` or `npm install` so git runs .husky/pre-commit',
    );
  }
  return { layout: 'husky', file, fresh, notes };
}

function installPrecommit(top: string, spec: HookCommandSpec): InstallResult {
  const file = path.join(top, PRECOMMIT_CONFIG);
  const before = readText(file) ?? '';
  const base = removeBlock(before) ?? '';
  const next = insertPrecommitBlock(base, precommitBody(spec));
  if (next === undefined) {
    throw new EngineError(
      'usage',
      `${PRECOMMIT_CONFIG} lists repos inline; add this entry under repos: by hand:\n${precommitBody(spec).join('\n')}`,
      { file },
    );
  }
  fs.writeFileSync(file, next);
  const notes: string[] = [];
  const gitHook = readText(path.join(hooksDir(top), 'pre-commit'));
  if (gitHook === undefined || !/pre-commit/i.test(gitHook))
    notes.push('run `pre-commit install` once so git runs the pre-commit framework');
  return { layout: 'pre-commit-config', file, fresh: !hasBlock(before), notes };
}

/** Workspace folder relative to the work-tree top, '' when they coincide (paths compared after realpath). */
function relativeRoot(top: string, root: string): string {
  const real = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return path.relative(real(top), real(root)).split(path.sep).join('/');
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
