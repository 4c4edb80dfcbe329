import { strict as assert } from 'node:assert';
import {
  appendBlock,
  gitHookScript,
  hasBlock,
  hookCommandLine,
  huskyBody,
  insertPrecommitBlock,
  isOurGitHook,
  precommitBody,
  removeBlock,
  shQuote,
} from '../../server/src/engine/hooks/hookText';

const spec = { node: '/opt/my node/bin/node', cli: "/home/o'neil/ml-parity/bin/ml-parity", rootRel: '' };

describe('hook text: scripts and marked blocks', () => {
  it('quotes paths for sh, so spaces and quotes survive', () => {
    assert.equal(shQuote("a b'c"), `'a b'\\''c'`);
    assert.equal(hookCommandLine(spec), `'/opt/my node/bin/node' '/home/o'\\''neil/ml-parity/bin/ml-parity' hook run`);
    assert.equal(
      hookCommandLine({ ...spec, rootRel: 'ws', failOn: 'error' }).endsWith(`hook run --root 'ws' --fail-on error`),
      true,
    );
  });

  it('the git hook is marked, chains the previous hook first and execs the CLI', () => {
    const s = gitHookScript(spec);
    assert.ok(s.startsWith('#!/bin/sh\n'));
    assert.ok(isOurGitHook(s));
    assert.ok(s.indexOf('"$chained" "$@" || exit $?') < s.indexOf(`exec ${hookCommandLine(spec)}`));
    assert.ok(!isOurGitHook('#!/bin/sh\nnpm test\n'));
  });

  const originals = [
    '',
    'npm test\n',
    'npm test',
    '#!/usr/bin/env sh\r\n. "$(dirname -- "$0")/_/husky.sh"\r\n\r\nnpx lint-staged\r\n',
  ];
  for (const text of originals) {
    it(`append then remove gives back the exact bytes of ${JSON.stringify(text)}`, () => {
      const added = appendBlock(text, huskyBody(spec));
      assert.ok(hasBlock(added));
      assert.ok(added.startsWith(text));
      assert.equal(removeBlock(added), text);
      // refresh (remove + append) is idempotent: one block
      const again = appendBlock(removeBlock(added), huskyBody(spec));
      assert.equal(again, added);
    });
  }

  it('a created file is deleted on removal (undefined)', () => {
    const created = appendBlock(undefined, huskyBody(spec));
    assert.ok(created.startsWith('#!/bin/sh\n'));
    assert.equal(removeBlock(created), undefined);
    assert.equal(removeBlock('no block here\n'), 'no block here\n');
  });

  const yamls: [string, string][] = [
    ['compact items', 'repos:\n- repo: https://github.com/psf/black\n  rev: 24.1.0\n  hooks:\n  - id: black\n'],
    [
      'indented items and a comment',
      'default_stages: [commit]\nrepos:  # tools\n  # formatters\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n',
    ],
    ['repos as the last line without newline', 'fail_fast: true\nrepos:'],
    ['no repos key', 'fail_fast: true'],
    ['empty file', ''],
  ];
  for (const [what, yaml] of yamls) {
    it(`pre-commit config (${what}): entry inserted under repos: and removed exactly`, () => {
      const added = insertPrecommitBlock(yaml, precommitBody(spec));
      assert.ok(added !== undefined);
      assert.match(added, /- id: ml-parity\n/);
      assert.match(added, /language: system\n/);
      assert.match(added, /pass_filenames: false\n/);
      assert.match(added, /always_run: true\n/);
      const reposLine = added.split('\n').findIndex((l) => /^repos:/.test(l));
      const entryLine = added.split('\n').findIndex((l) => l.includes('- repo: local'));
      assert.ok(reposLine >= 0 && entryLine > reposLine, added);
      const itemIndent = /\n( *)- repo: https/.exec(yaml)?.[1];
      if (itemIndent !== undefined) assert.ok(added.includes(`\n${itemIndent}- repo: local\n`), added);
      assert.equal(removeBlock(added), yaml);
    });
  }

  it('refuses an inline repos list instead of guessing', () => {
    assert.equal(insertPrecommitBlock('repos: []\n', precommitBody(spec)), undefined);
  });
});
