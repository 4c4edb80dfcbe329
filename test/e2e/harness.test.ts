// Tests of the e2e harness's own parts (not the editor): `npx mocha out/test/e2e/harness.test.js`.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cleanup } from './cleanup';
import { freePort } from './codeServer';
import { PollAbort, pollUntil } from './deadline';
import { describeFailures, type E2eSuiteResult, isSuiteResult } from './suite/results';
import { listZipEntries, MAX_VSIX_BYTES, REQUIRED_ENTRIES, vsixProblems } from './vsixContents';
import { remoteUri, workbenchUrl } from './workbenchUrl';
import { copyWorkspace } from './workspaceCopy';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-harness-'));
}

describe('e2e harness', () => {
  describe('workbenchUrl', () => {
    it('opens the folder and passes development and tests paths as vscode-remote URIs', () => {
      const url = new URL(
        workbenchUrl({
          baseUrl: 'http://127.0.0.1:4000',
          authority: '127.0.0.1:4000',
          folder: '/tmp/ws',
          extensionDevelopmentPath: '/repo',
          extensionTestsPath: '/repo/out/t/index.js',
        }),
      );
      assert.equal(url.searchParams.get('folder'), '/tmp/ws');
      assert.deepEqual(JSON.parse(url.searchParams.get('payload')!), [
        ['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:4000/repo'],
        ['extensionTestsPath', 'vscode-remote://127.0.0.1:4000/repo/out/t/index.js'],
      ]);
    });

    it('has no payload without an extension, and escapes odd path characters', () => {
      const url = new URL(workbenchUrl({ baseUrl: 'http://127.0.0.1:1', authority: '127.0.0.1:1', folder: '/a b' }));
      assert.equal(url.searchParams.get('payload'), null);
      assert.equal(remoteUri('h:1', '/a b/c#d'), 'vscode-remote://h:1/a%20b/c%23d');
    });
  });

  describe('suite results', () => {
    const result: E2eSuiteResult = {
      passed: 1,
      failed: 1,
      pending: 0,
      startedAt: '',
      finishedAt: '',
      tests: [
        { title: 'ok', fullTitle: 's ok', state: 'passed', durationMs: 1 },
        {
          title: 'bad',
          fullTitle: 's bad',
          state: 'failed',
          durationMs: 1,
          error: { message: 'expected 2\n\n3 !== 2\n' },
        },
      ],
    };
    it('lists each failing title with its message', () => {
      assert.deepEqual(describeFailures(result), ['✗ s bad\n    expected 2\n    3 !== 2']);
      assert.deepEqual(describeFailures({ ...result, tests: [], fatal: { message: 'no files' } }), [
        'suite could not run: no files',
      ]);
    });
    it('recognises a result document', () => {
      assert.equal(isSuiteResult(result), true);
      assert.equal(isSuiteResult({ passed: 1 }), false);
      assert.equal(isSuiteResult(null), false);
    });
  });

  describe('runSuite (real mocha in a child process)', () => {
    const runner = path.join(__dirname, 'suite', 'runner.js');
    const run = (testsRoot: string, resultsFile: string): number | null =>
      spawnSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(runner)}).runSuite({ testsRoot: ${JSON.stringify(testsRoot)}, resultsFile: ${JSON.stringify(resultsFile)} }).then(() => process.exit(0), () => process.exit(3))`,
        ],
        { encoding: 'utf8' },
      ).status;

    it('writes passes and failures, and rejects when a test failed', () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'nested'));
      fs.writeFileSync(path.join(dir, 'a.test.js'), "describe('a', () => { it('passes', () => {}); });");
      fs.writeFileSync(
        path.join(dir, 'nested', 'b.test.js'),
        "describe('b', () => { it('fails', () => { require('node:assert/strict').equal(1, 2, 'one is not two'); }); });",
      );
      fs.writeFileSync(path.join(dir, 'helper.js'), 'throw new Error("not a test file, must not load")');
      const out = path.join(dir, 'out', 'result.json');
      assert.equal(run(dir, out), 3);
      const r = JSON.parse(fs.readFileSync(out, 'utf8')) as E2eSuiteResult;
      assert.equal(r.passed, 1);
      assert.equal(r.failed, 1);
      assert.deepEqual(
        r.tests.map((t) => [t.fullTitle, t.state]),
        [
          ['a passes', 'passed'],
          ['b fails', 'failed'],
        ],
      );
      assert.match(r.tests[1].error!.message, /one is not two/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reports a fatal result when there is nothing to run', () => {
      const dir = tempDir();
      const out = path.join(dir, 'result.json');
      assert.equal(run(dir, out), 3);
      const r = JSON.parse(fs.readFileSync(out, 'utf8')) as E2eSuiteResult;
      assert.match(r.fatal!.message, /no \*\.test\.js files/);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('Cleanup', () => {
    it('runs steps newest first, survives a failing step, and runs late steps at once', async () => {
      const lines: string[] = [];
      const c = new Cleanup((l) => lines.push(l));
      const order: string[] = [];
      c.add('a', async () => void order.push('a'));
      c.add('boom', async () => {
        order.push('boom');
        throw new Error('boom');
      });
      c.add('b', async () => void order.push('b'));
      await c.runAll();
      assert.deepEqual(order, ['b', 'boom', 'a']);
      assert.ok(
        lines.some((l) => l.includes('"boom" failed: boom')),
        'the failure is reported',
      );
      assert.equal(c.closed, true);
      let late!: () => void;
      const ran = new Promise<void>((r) => (late = r));
      c.add('late', async () => late());
      await ran;
    });
  });

  describe('pollUntil', () => {
    it('returns the first defined value', async () => {
      let n = 0;
      assert.equal(await pollUntil('n to reach 3', 5000, () => (++n >= 3 ? n : undefined), 1), 3);
    });
    it('times out naming the condition and the last error', async () => {
      await assert.rejects(
        pollUntil(
          'the moon',
          30,
          () => {
            throw new Error('cloudy');
          },
          5,
        ),
        /waiting for the moon \(last error: cloudy\)/,
      );
    });
    it('stops at once on PollAbort', async () => {
      let calls = 0;
      await assert.rejects(
        pollUntil('x', 60_000, () => {
          calls++;
          throw new PollAbort('gone');
        }),
        /gone/,
      );
      assert.equal(calls, 1);
    });
  });

  describe('copyWorkspace', () => {
    it('copies without node_modules and commits everything into a fresh git repository', () => {
      const src = tempDir();
      fs.mkdirSync(path.join(src, 'src'));
      fs.writeFileSync(path.join(src, 'src', 'a.ts'), 'export const a = 1;\n');
      fs.mkdirSync(path.join(src, 'node_modules', 'x'), { recursive: true });
      const dest = path.join(tempDir(), 'ws');
      copyWorkspace(src, dest);
      assert.equal(fs.readFileSync(path.join(dest, 'src', 'a.ts'), 'utf8'), 'export const a = 1;\n');
      assert.equal(fs.existsSync(path.join(dest, 'node_modules')), false);
      assert.equal(execFileSync('git', ['status', '--porcelain'], { cwd: dest, encoding: 'utf8' }), '');
      assert.equal(execFileSync('git', ['ls-files'], { cwd: dest, encoding: 'utf8' }).trim(), 'src/a.ts');
      fs.rmSync(src, { recursive: true, force: true });
      fs.rmSync(path.dirname(dest), { recursive: true, force: true });
    });
  });

  describe('vsix contents', () => {
    it('lists the entries of a .vsix made by vsce (the same packer as npm run package)', () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'dist'));
      const manifest = {
        name: 'tiny',
        publisher: 'mlp',
        version: '0.0.1',
        engines: { vscode: '^1.100.0' },
        main: './dist/ä.js',
        activationEvents: [],
      };
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
      fs.writeFileSync(path.join(dir, 'README.md'), '# tiny\n');
      fs.writeFileSync(path.join(dir, '.vscodeignore'), '*.vsix\n');
      fs.writeFileSync(path.join(dir, 'dist', 'ä.js'), 'module.exports = {};\n');
      const vsce = path.join(__dirname, '..', '..', '..', 'node_modules', '@vscode', 'vsce', 'vsce');
      const out = path.join(dir, 'tiny.vsix');
      execFileSync(
        process.execPath,
        [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out],
        { cwd: dir, stdio: 'ignore' },
      );
      const entries = listZipEntries(fs.readFileSync(out));
      assert.deepEqual(entries.filter((e) => e.startsWith('extension/')).sort(), [
        'extension/dist/ä.js',
        'extension/package.json',
        'extension/readme.md',
      ]);
      assert.ok(entries.includes('extension.vsixmanifest'));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('rejects a buffer that is not a zip', () => {
      assert.throws(
        () => listZipEntries(Buffer.from('not a zip at all, just some text that is long enough')),
        /not a zip archive/,
      );
    });

    it('accepts the required entries and names each missing, foreign or oversized part', () => {
      const good = [
        'extension.vsixmanifest',
        ...REQUIRED_ENTRIES,
        'extension/schema/mlparity.schema.json',
        'extension/dist/node_modules/onnxruntime-common/dist/cjs/index.js',
      ];
      assert.deepEqual(vsixProblems(good, 20 * 1024 * 1024), []);
      const bad = [
        ...good.filter((e) => !e.endsWith('/server.js')),
        'extension/dist/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node',
        'extension/dist/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll',
        'extension/out/client/src/extension.js',
        'extension/client/src/extension.ts',
        'extension/test/unit/a.test.js',
      ];
      const problems = vsixProblems(bad, MAX_VSIX_BYTES + 1);
      assert.deepEqual(
        problems.map((p) => p.split(':')[0]),
        [
          'missing extension/dist/server.js',
          "another platform's onnxruntime binary",
          "another platform's onnxruntime binary",
          'tsc output (out/)',
          'sources',
          'tests',
          '60.0 MB is over the 60 MB goal',
        ],
      );
    });
  });

  it('freePort returns a port that can be bound', async () => {
    const port = await freePort();
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });
});
