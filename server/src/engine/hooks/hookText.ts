import type { HookCommandSpec } from './types';

/** Marks every file or block ML Parity writes, so status/uninstall find exactly what was added. */
const HOOK_MARK = 'ml-parity-hook v1';
const BLOCK_START = '# >>> ml-parity >>>';
const BLOCK_END = '# <<< ml-parity <<<';
/** Suffix of the user's previous git hook, moved aside and run first by ours. */
export const CHAINED_SUFFIX = '.ml-parity-chained';
/** First line of a `.husky/pre-commit` that ML Parity created (husky 4–8 run it directly). */
const CREATED_PREFIX = '#!/bin/sh\n';

/** POSIX single-quoting: safe for any path, including spaces, `$` and quotes. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line the hook runs, with absolute node and CLI paths. An editor's Electron binary runs as plain
 * node only with ELECTRON_RUN_AS_NODE=1 (else it opens a window); `env` sets it in sh and, for the pre-commit
 * framework, in an `entry` that is executed without a shell.
 */
export function hookCommandLine(spec: HookCommandSpec): string {
  const args = [shQuote(spec.node), shQuote(spec.cli), 'hook', 'run'];
  if (spec.runAsNode) args.unshift('env', 'ELECTRON_RUN_AS_NODE=1');
  if (spec.rootRel) args.push('--root', shQuote(spec.rootRel));
  if (spec.failOn) args.push('--fail-on', spec.failOn);
  if (spec.all) args.push('--all');
  return args.join(' ');
}

/**
 * The git-hook layout: a POSIX sh script that first runs the chained previous hook (same arguments and
 * stdin; its failure blocks the commit with its exit code), then ML Parity.
 */
export function gitHookScript(spec: HookCommandSpec): string {
  return [
    '#!/bin/sh',
    `# ML Parity pre-commit check (${HOOK_MARK}), written by \`ml-parity hook install\`.`,
    '# `ml-parity hook uninstall` removes it and restores any hook it chained.',
    '# Bypass once with: git commit --no-verify',
    `chained="$(dirname -- "$0")/pre-commit${CHAINED_SUFFIX}"`,
    // git skips hooks that are not executable; keep that behaviour for the chained one.
    'if [ -x "$chained" ]; then',
    '  "$chained" "$@" || exit $?',
    'fi',
    `exec ${hookCommandLine(spec)}`,
    '',
  ].join('\n');
}

export function isOurGitHook(text: string): boolean {
  return text.includes(HOOK_MARK);
}

/** Lines of a marked block; `flags` record what removal must undo besides the block itself. */
function block(body: string[], flags: string[], indent = ''): string {
  const lines = [
    `${BLOCK_START} added by ML Parity; \`ml-parity hook uninstall\` removes this block`,
    ...flags.map((f) => `# ml-parity: ${f}`),
    ...body,
    BLOCK_END,
  ];
  return lines.map((l) => (l ? indent + l : l)).join('\n') + '\n';
}

/** The lines husky's pre-commit runs: fail the hook with our exit code. */
export function huskyBody(spec: HookCommandSpec): string[] {
  return [`${hookCommandLine(spec)} || exit $?`];
}

/** A `repo: local` hook for the pre-commit framework; `entry` is shlex-split, so shell quoting carries over. */
export function precommitBody(spec: HookCommandSpec): string[] {
  return [
    '- repo: local',
    '  hooks:',
    '    - id: ml-parity',
    '      name: ML Parity',
    `      entry: ${JSON.stringify(hookCommandLine(spec))}`,
    '      language: system',
    '      pass_filenames: false',
    '      always_run: true',
  ];
}

/** Appends a marked block at the end of `text` (undefined: the file does not exist yet and is created). */
export function appendBlock(text: string | undefined, body: string[]): string {
  if (text === undefined) return CREATED_PREFIX + block(body, ['created-file']);
  const addNewline = text.length > 0 && !text.endsWith('\n');
  return text + (addNewline ? '\n' : '') + block(body, addNewline ? ['added-newline'] : []);
}

const REPOS_LINE = /^repos:[ \t]*(#.*)?$/;

/**
 * Inserts a marked block as the first item of the top-level `repos:` sequence, indented like the
 * existing items; without a `repos:` key, appends one (inside the block, so removal takes it too).
 * Returns undefined when `repos:` has an inline (flow) value we cannot extend safely.
 */
export function insertPrecommitBlock(yaml: string, body: string[]): string | undefined {
  const lines = yaml.split('\n');
  const at = lines.findIndex((l) => REPOS_LINE.test(l.replace(/\r$/, '')));
  if (at < 0) {
    if (lines.some((l) => /^repos:/.test(l))) return undefined;
    const addNewline = yaml.length > 0 && !yaml.endsWith('\n');
    return yaml + (addNewline ? '\n' : '') + block(['repos:', ...body], addNewline ? ['added-newline'] : []);
  }
  const next = lines.slice(at + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const indent = next && /^(\s*)- /.test(next) ? next.slice(0, next.length - next.trimStart().length) : '';
  const offset = lines.slice(0, at + 1).join('\n').length;
  const head = yaml.slice(0, offset);
  const tail = yaml.slice(offset);
  if (tail === '') return head + '\n' + block(body, ['added-newline'], indent);
  // tail starts with the '\n' ending the repos: line
  return head + '\n' + block(body, [], indent) + tail.slice(1);
}

/**
 * Removes the marked block exactly: the block's lines, a newline it had to add before itself, and a
 * file it created (undefined = delete the file). Returns the text unchanged when there is no block.
 */
export function removeBlock(text: string): string | undefined {
  const range = findBlock(text);
  if (!range) return text;
  let start = range.start;
  if (range.flags.includes('added-newline') && start > 0 && text[start - 1] === '\n') start--;
  const out = text.slice(0, start) + text.slice(range.end);
  if (range.flags.includes('created-file') && (out === '' || out === CREATED_PREFIX)) return undefined;
  return out;
}

export function hasBlock(text: string): boolean {
  return findBlock(text) !== undefined;
}

/** Character span of the marked block (start of its first line to after its last newline) and its flags. */
function findBlock(text: string): { start: number; end: number; flags: string[] } | undefined {
  const startAt = lineStartOf(text, text.indexOf(BLOCK_START));
  if (startAt < 0) return undefined;
  const endMark = text.indexOf(BLOCK_END, startAt);
  if (endMark < 0) return undefined;
  const nl = text.indexOf('\n', endMark);
  const end = nl < 0 ? text.length : nl + 1;
  const flags = [...text.slice(startAt, end).matchAll(/^\s*# ml-parity: (\S+)/gm)].map((m) => m[1]);
  return { start: startAt, end, flags };
}

function lineStartOf(text: string, index: number): number {
  if (index < 0) return -1;
  return text.lastIndexOf('\n', index - 1) + 1;
}
