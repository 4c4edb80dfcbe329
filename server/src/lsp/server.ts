import * as fs from 'node:fs';
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { VerifyReport } from '../engine/verifyTypes';
import { LastReportRequest, ListCasesRequest, VerifyRequest, type InitializationOptions } from '../protocol';
import { createRegistry, handleCodeAction } from './codeActions';
import { readCapabilities, type ClientFeatures } from './capabilities';
import { toPath, toUri } from './convert';
import { DiagnosticsPublisher } from './diagnostics';
import { connectionLogger, describeError } from './logger';
import { SettingsCache } from './settings';
import { StatusReporter } from './status';
import { handleVerify, listCases } from './verify';
import { WorkspaceFolderState } from './workspace';

/**
 * Binds every handler to a connection. Transport-agnostic: `main()` passes a stdio/ipc connection, tests
 * may pass any other. Holds no module-level state, so several servers can live in one process.
 */
export function startServer(connection: Connection): void {
  const log = connectionLogger(connection);
  const documents = new TextDocuments(TextDocument);
  const registry = createRegistry(log);
  const status = new StatusReporter(connection);
  let features: ClientFeatures | undefined;
  let roots: string[] = [];
  let trusted = true;
  let folders: WorkspaceFolderState[] = [];
  let lastReport: VerifyReport | undefined;
  let settings = new SettingsCache(connection, false);

  const diagnostics = new DiagnosticsPublisher({
    connection,
    documents,
    folders: () => folders,
    get settings() {
      return settings;
    },
    log,
    onStatus: (s) => status.update(s),
  });

  connection.onInitialize((params): InitializeResult => {
    features = readCapabilities(params.capabilities);
    settings = new SettingsCache(connection, features.configurationPull);
    trusted = (params.initializationOptions as Partial<InitializationOptions> | undefined)?.trusted !== false;
    roots = (params.workspaceFolders ?? [])
      .map((f) => toPath(f.uri))
      .filter((p): p is string => !!p);
    const rootFromUri = params.rootUri ? toPath(params.rootUri) : undefined;
    if (roots.length === 0 && rootFromUri) roots = [rootFromUri];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        ...(features.codeActionLiterals
          ? { codeActionProvider: { codeActionKinds: registry.kinds(), resolveProvider: false } }
          : {}),
      },
      serverInfo: { name: 'ml-parity' },
    };
  });

  connection.onInitialized(async () => {
    const configPath = roots[0] ? (await settings.get(toUri(roots[0]))).configPath : '';
    folders = roots.flatMap((root) => {
      try {
        return [new WorkspaceFolderState(root, configPath)];
      } catch (e) {
        log.error(`cannot analyse ${root}: ${describeError(e)}`);
        return [];
      }
    });
    if (features?.watchedFilesDynamic) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/mlparity.config.json' }, { globPattern: '**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}' }],
        })
        .catch((e: unknown) => log.warn(`file watching unavailable: ${describeError(e)}`));
    }
    const progress = features?.workDoneProgress
      ? await connection.window.createWorkDoneProgress().catch(() => undefined)
      : undefined;
    await diagnostics.analyzeWorkspace(progress);
  });

  documents.onDidChangeContent((e) => diagnostics.scheduleChange(e.document));
  documents.onDidSave((e) => void diagnostics.analyzeNow(e.document.uri));
  documents.onDidClose((e) => {
    // Back to the on-disk text: the unsaved edits are gone with the editor.
    const file = toPath(e.document.uri);
    if (file && fs.existsSync(file)) void reanalyseFromDisk(file);
    else void diagnostics.removeFile(e.document.uri);
  });

  async function reanalyseFromDisk(file: string): Promise<void> {
    const folder = folders.find((f) => f.contains(file));
    if (!folder) return;
    try {
      folder.update(file, fs.readFileSync(file, 'utf8'));
      await diagnostics.republish();
    } catch (e) {
      log.error(`re-reading ${file} failed: ${describeError(e)}`);
    }
  }

  connection.onDidChangeConfiguration(() => {
    settings.clear();
    void diagnostics.republish();
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    for (const change of changes) {
      const file = toPath(change.uri);
      if (!file || documents.get(change.uri)) continue;
      const folder = folders.find((f) => f.contains(file) || f.config.file === file);
      if (!folder) continue;
      if (file.endsWith('mlparity.config.json')) {
        folder.reload((await settings.get(change.uri)).configPath);
        await diagnostics.analyzeWorkspace();
      } else if (change.type === FileChangeType.Deleted) {
        await diagnostics.removeFile(change.uri);
      } else {
        await reanalyseFromDisk(file);
      }
    }
  });

  connection.onCodeAction((params) =>
    handleCodeAction(
      {
        registry,
        documents,
        folders: () => folders,
        capabilities: { createFiles: features?.createFiles ?? false },
        trusted: () => trusted,
      },
      params,
    ),
  );

  connection.onRequest(VerifyRequest, async (params, token) => {
    const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
    status.update({ state: 'verifying' });
    try {
      return await handleVerify(
        {
          folders: () => folders,
          trusted: () => trusted,
          onReport: (r) => {
            lastReport = r;
          },
        },
        params,
        token,
        progress,
      );
    } finally {
      if (lastReport) status.verified(lastReport);
      else status.update({ state: 'idle' });
    }
  });
  connection.onRequest(LastReportRequest, () => lastReport ?? null);
  connection.onRequest(ListCasesRequest, () => (trusted ? listCases(folders) : []));

  connection.onShutdown(() => diagnostics.dispose());
  documents.listen(connection);
  connection.listen();
}
