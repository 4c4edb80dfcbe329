import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ServerCommands, StatusNotification, type InitializationOptions, type StatusParams } from '../../server/src/protocol';
import type { Logger } from './logger';
import { entryPoint } from './paths';
import { readSettings } from './settings';

/** The server entry: the esbuild bundle when packaged, the tsc output in development. */
function serverModule(context: vscode.ExtensionContext): string {
  return entryPoint(context, 'dist/server.js', 'out/server/src/lsp/main.js');
}

/**
 * Owns the LanguageClient. Starts and restarts are serialized through one promise chain, and a client that
 * failed to start is thrown away and rebuilt rather than retried.
 */
export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly statusListeners: ((s: StatusParams) => void)[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Logger,
  ) {}

  /** The running client, if any. */
  get current(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  onStatus(listener: (s: StatusParams) => void): void {
    this.statusListeners.push(listener);
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  dispose(): void {
    void this.stop();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    // Keep the chain alive after a failure; the caller still sees the rejection.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    const module = serverModule(this.context);
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const initializationOptions: InitializationOptions = { trusted: vscode.workspace.isTrusted };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'typescript' },
        { scheme: 'file', language: 'typescriptreact' },
        { scheme: 'file', language: 'javascript' },
        { scheme: 'file', language: 'javascriptreact' },
        { scheme: 'file', pattern: '**/mlparity.config.json' },
      ],
      outputChannel: this.log,
      initializationOptions,
      middleware: {
        // Code actions name the server's verify command (any LSP client can run it); here the Verify Refactor
        // command runs instead, with its case picker, notifications and report view.
        // Likewise "Verify against HEAD" on a stage runs with a cancellable notification and the report view.
        executeCommand: (command, args: unknown[], next) =>
          command === ServerCommands.verify
            ? vscode.commands.executeCommand('mlParity.verifyRefactor', args[0])
            : command === ServerCommands.verifyStage
              ? vscode.commands.executeCommand('mlParity.verifyStage', args[0])
              : next(command, args),
        workspace: {
          // Settings flow one way: the client builds the typed object the server asks for.
          configuration: (params) =>
            params.items.map((item) => readSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)),
        },
      },
    };
    const client = new LanguageClient('mlParity', 'ML Parity', serverOptions, clientOptions);
    try {
      await client.start();
    } catch (e) {
      this.log.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
      await client.dispose().catch(() => undefined);
      this.client = undefined;
      throw e;
    }
    client.onNotification(StatusNotification, (s) => this.statusListeners.forEach((l) => l(s)));
    this.client = client;
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.dispose(2000).catch((e: unknown) => this.log.warn(`stopping the server: ${String(e)}`));
  }
}
