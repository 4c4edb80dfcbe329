import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  CodeActionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageNotification,
  ShutdownRequest,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
  type InitializeResult,
  type ProgressToken,
  type ShowMessageParams,
  type Range,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import {
  DEFAULT_SETTINGS,
  StatusNotification,
  type MlParitySettings,
  type StatusParams,
} from '../../server/src/protocol';

const SERVER = path.resolve(__dirname, '../../server/src/lsp/main.js');

export type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

/** Client capabilities of a typical editor (VS Code-like) for the parts the server looks at. */
export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
    didChangeWatchedFiles: { dynamicRegistration: true },
  },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
    codeAction: {
      codeActionLiteralSupport: {
        codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.extract', 'source'] },
      },
      dataSupport: true,
    },
  },
  window: { workDoneProgress: true },
};

export interface StartOptions {
  trusted?: boolean;
  capabilities?: ClientCapabilities;
  settings?: Partial<MlParitySettings>;
  /** Server command line (node arguments); defaults to the compiled `server/src/lsp/main.js --stdio`. */
  serverArgs?: string[];
  /** More workspace folders after `root` (a multi-root workspace). */
  moreFolders?: string[];
  /** Settings of one folder (by its path), answered for scope URIs inside it, over `settings`. */
  folderSettings?: Record<string, Partial<MlParitySettings>>;
}

/**
 * A minimal LSP client over the real server process (stdio). It records diagnostics, progress, status and
 * log messages, answers the server's configuration/progress/registration requests, and waits by polling
 * with a deadline.
 */
export class LspTestClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly progress = new Map<ProgressToken, ProgressValue[]>();
  readonly statuses: StatusParams[] = [];
  readonly logs: string[] = [];
  /** `window/showMessage` notifications, in order. */
  readonly messages: ShowMessageParams[] = [];
  stderr = '';
  initializeResult: InitializeResult | undefined;
  /** What the client answers to `workspace/configuration`; change it with `updateSettings`. */
  settings: MlParitySettings = DEFAULT_SETTINGS;
  private versions = new Map<string, number>();

  private constructor(
    readonly conn: ProtocolConnection,
    readonly proc: ChildProcess,
    readonly root: string,
  ) {}

  static async start(root: string, opts: StartOptions = {}): Promise<LspTestClient> {
    const proc = spawn(process.execPath, opts.serverArgs ?? [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const client = new LspTestClient(conn, proc, root);
    proc.stderr.on('data', (d: Buffer) => {
      client.stderr += d.toString();
    });
    client.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.diagnostics.set(p.uri, p.diagnostics);
    });
    conn.onNotification(LogMessageNotification.type, (p) => {
      client.logs.push(p.message);
    });
    conn.onNotification(ShowMessageNotification.type, (p) => {
      client.messages.push(p);
    });
    conn.onNotification(StatusNotification, (s) => {
      client.statuses.push(s);
    });
    const folderSettings = Object.entries(opts.folderSettings ?? {}).sort(([a], [b]) => b.length - a.length);
    conn.onRequest(ConfigurationRequest.type, (p) =>
      p.items.map((item) => {
        const file = item.scopeUri?.startsWith('file:') ? fileURLToPath(item.scopeUri) : undefined;
        const own = file && folderSettings.find(([dir]) => file === dir || file.startsWith(dir + path.sep));
        return own ? { ...client.settings, ...own[1] } : client.settings;
      }),
    );
    conn.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      client.track(p.token);
    });
    conn.onRequest(RegistrationRequest.type, () => undefined);
    conn.listen();
    client.initializeResult = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [root, ...(opts.moreFolders ?? [])].map((f) => ({ uri: uri(f), name: path.basename(f) })),
      capabilities: opts.capabilities ?? FULL_CAPABILITIES,
      initializationOptions: { trusted: opts.trusted ?? true },
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Records work-done progress sent on a token. */
  track(token: ProgressToken): ProgressValue[] {
    const values: ProgressValue[] = this.progress.get(token) ?? [];
    if (!this.progress.has(token)) {
      this.progress.set(token, values);
      this.conn.onProgress(WorkDoneProgress.type, token, (v) => {
        values.push(v);
      });
    }
    return values;
  }

  diagnosticsFor(file: string): Diagnostic[] {
    return this.diagnostics.get(uri(file)) ?? [];
  }

  /** Polls `probe` until it returns a value, failing after the deadline with the server's log. */
  async waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\nserver log:\n${this.logs.join('\n')}\n${this.stderr}`);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async open(file: string, text = fs.readFileSync(file, 'utf8')): Promise<void> {
    this.versions.set(file, 1);
    const languageId = file.endsWith('.json') ? 'json' : 'typescript';
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: uri(file), languageId, version: 1, text },
    });
  }

  async change(file: string, text: string): Promise<void> {
    const version = (this.versions.get(file) ?? 1) + 1;
    this.versions.set(file, version);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uri(file), version },
      contentChanges: [{ text }],
    });
  }

  /** Changes the settings and tells the server, as an editor does when the user edits them. */
  async updateSettings(change: Partial<MlParitySettings>): Promise<void> {
    this.settings = { ...this.settings, ...change };
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  async save(file: string): Promise<void> {
    await this.conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: uri(file) } });
  }

  codeActions(file: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.conn
      .sendRequest(CodeActionRequest.type, {
        textDocument: { uri: uri(file) },
        range,
        context: { diagnostics, ...(only ? { only } : {}) },
      })
      .then((r) =>
        (r ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string')),
      );
  }

  /** `workspace/executeCommand`, as any LSP client sends it (no VS Code in between). */
  executeCommand(command: string, args?: unknown[], workDoneToken?: ProgressToken): Promise<unknown> {
    return this.conn.sendRequest(ExecuteCommandRequest.type, {
      command,
      ...(args ? { arguments: args } : {}),
      ...(workDoneToken !== undefined ? { workDoneToken } : {}),
    });
  }

  cancellation(): CancellationTokenSource {
    return new CancellationTokenSource();
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      await this.conn.sendRequest(ShutdownRequest.type).catch(() => undefined);
      await this.conn.sendNotification(ExitNotification.type).catch(() => undefined);
    }
    this.conn.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

export function uri(file: string): string {
  return pathToFileURL(file).toString();
}
