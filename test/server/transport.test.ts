import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const SERVER = path.resolve(__dirname, '../../server/src/lsp/main.js');

/** The real server over stdio, spoken to in raw bytes so the framing itself can be wrong. */
class RawServer {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  exit: number | null | undefined;

  constructor() {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on('exit', (code) => (this.exit = code));
  }

  /** Writes one message; `lengthDelta` makes its Content-Length wrong by that many bytes. */
  send(message: object, lengthDelta = 0): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    this.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body) + lengthDelta}\r\n\r\n${body}`);
  }

  /** Parsed responses received so far. */
  responses(): { id?: number; result?: unknown; error?: { code: number; message: string } }[] {
    return this.stdout
      .split(/Content-Length: \d+\r\n\r\n/)
      .filter((s) => s.trim())
      .map((s) => JSON.parse(s) as { id?: number });
  }

  async waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}; stdout: ${this.stdout}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    if (this.exit === undefined) this.proc.kill();
  }
}

const INITIALIZE = { method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } };

describe('language server: transport and lifecycle', function () {
  this.timeout(30_000);
  let server: RawServer;
  afterEach(() => server.stop());

  it('answers a request before initialize with -32002 and drops notifications, then initializes normally', async () => {
    server = new RawServer();
    server.send({
      id: 1,
      method: 'textDocument/codeAction',
      params: {
        textDocument: { uri: 'file:///x.ts' },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [] },
      },
    });
    server.send({
      method: 'textDocument/didOpen',
      params: { textDocument: { uri: 'file:///x.ts', languageId: 'typescript', version: 1, text: '' } },
    });
    server.send({ id: 2, method: 'shutdown' });
    const early = await server.waitFor('two error responses', () =>
      server.responses().length >= 2 ? server.responses() : undefined,
    );
    assert.deepEqual(
      early.map((r) => [r.id, r.error?.code]),
      [
        [1, -32002],
        [2, -32002],
      ],
    );
    server.send({ id: 3, ...INITIALIZE });
    const init = await server.waitFor('the initialize result', () => server.responses().find((r) => r.id === 3));
    assert.ok(init.result, JSON.stringify(init));
    server.send({ id: 4, method: 'shutdown' });
    await server.waitFor('the shutdown result', () => server.responses().find((r) => r.id === 4));
    server.send({ method: 'exit' });
    assert.equal(await server.waitFor('exit', () => server.exit), 0);
  });

  const broken: [string, (s: RawServer) => void][] = [
    [
      'too long, with a message after it',
      (s) => (s.send({ id: 1, ...INITIALIZE }, 25), s.send({ id: 2, method: 'shutdown' })),
    ],
    ['too short', (s) => s.send({ id: 1, ...INITIALIZE }, -7)],
    ['too long, and nothing follows', (s) => s.send({ id: 1, ...INITIALIZE }, 25)],
  ];
  for (const [what, write] of broken) {
    it(`a Content-Length ${what} is logged and the server exits (the client restarts it)`, async () => {
      server = new RawServer();
      write(server);
      const code = await server.waitFor('the server to exit', () => server.exit, 10_000);
      assert.equal(code, 1);
      assert.match(server.stderr, /Content-Length/);
      assert.match(server.stderr, /exiting so the client can restart it/);
    });
  }
});
