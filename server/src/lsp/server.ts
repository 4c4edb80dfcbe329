import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ExecuteCommandRequest,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type CancellationToken,
  type InitializeResult,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toJsonSafe } from '../engine/jsonSafe';
import type { VerifyReport } from '../engine/verifyTypes';
import {
  LastReportRequest,
  ListCasesRequest,
  VerifyRequest,
  type InitializationOptions,
  type VerifyCaseArgs,
} from '../protocol';
import { createRegistry, handleCodeAction, handleCodeActionResolve, type CodeActionDeps } from './codeActions';
import { handleExecuteCommand, SERVER_COMMANDS, type CommandDeps } from './commands';
import { handleVerifyStage } from './stageVerify';
import { readCapabilities, type ClientFeatures } from './capabilities';
import { toPath, toUri } from './convert';
import { DiagnosticsPublisher } from './diagnostics';
import { FileEvents } from './fileEvents';
import { connectionLogger, describeError } from './logger';
import { SettingsCache } from './settings';
import { StatusReporter } from './status';
import { foldersNamed, handleVerify, listCases, recordVerdicts } from './verify';
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
  const settings = new SettingsCache(connection);
  // Requests may arrive before `initialized` has loaded the folders; they wait for this.
  let foldersLoaded!: () => void;
  const ready = new Promise<void>((resolve) => (foldersLoaded = resolve));

  const diagnostics = new DiagnosticsPublisher({
    connection,
    documents,
    folders: () => folders,
    settings,
    log,
    onStatus: (s) => status.update(s),
  });

  const fileEvents = new FileEvents({ folders: () => folders, documents, diagnostics, settings, log });

  connection.onInitialize((params): InitializeResult => {
    features = readCapabilities(params.capabilities);
    settings.canPull = features.configurationPull;
    trusted = (params.initializationOptions as Partial<InitializationOptions> | undefined)?.trusted !== false;
    roots = (params.workspaceFolders ?? []).map((f) => toPath(f.uri)).filter((p): p is string => !!p);
    const rootFromUri = params.rootUri ? toPath(params.rootUri) : undefined;
    if (roots.length === 0 && rootFromUri) roots = [rootFromUri];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        ...(features.codeActionLiterals
          ? { codeActionProvider: { codeActionKinds: registry.kinds(), resolveProvider: features.codeActionResolve } }
          : {}),
        executeCommandProvider: { commands: SERVER_COMMANDS, workDoneProgress: true },
      },
      serverInfo: { name: 'ml-parity' },
    };
  });

  connection.onInitialized(async () => {
    // Each folder reads its own `mlParity.configPath` (a resource setting).
    const configPaths = await Promise.all(roots.map(async (root) => (await settings.get(toUri(root))).configPath));
    folders = roots.flatMap((root, i) => {
      try {
        return [new WorkspaceFolderState(root, configPaths[i])];
      } catch (e) {
        log.error(`cannot analyse ${root}: ${describeError(e)}`);
        return [];
      }
    });
    foldersLoaded();
    if (features?.watchedFilesDynamic) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/mlparity.config.json' },
            { globPattern: '**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}' },
            // What is build output, and which source a test's import of it stands for (see isProjectFile).
            { globPattern: '**/{package.json,tsconfig*.json,*.map}' },
          ],
        })
        .catch((e: unknown) => log.warn(`file watching unavailable: ${describeError(e)}`));
    }
    if (features?.configurationChangeDynamic) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'mlParity' })
        .catch((e: unknown) => log.warn(`settings change notifications unavailable: ${describeError(e)}`));
    }
    const progress = features?.workDoneProgress
      ? await connection.window.createWorkDoneProgress().catch(() => undefined)
      : undefined;
    await diagnostics.analyzeWorkspace(progress);
  });

  documents.onDidChangeContent((e) => diagnostics.scheduleChange(e.document));
  documents.onDidSave((e) => void diagnostics.analyzeNow(e.document.uri));
  documents.onDidClose((e) => {
    const file = toPath(e.document.uri);
    if (file) void fileEvents.closed(file);
  });

  connection.onDidChangeConfiguration(async () => {
    settings.clear();
    // Only a new config path needs a new analysis; severities just need republishing.
    let moved = false;
    for (const folder of folders) {
      const { configPath } = await settings.get(toUri(folder.root));
      if (configPath !== folder.configPath) {
        folder.reload(configPath);
        moved = true;
      }
    }
    await (moved ? diagnostics.analyzeWorkspace() : diagnostics.republish());
  });

  connection.onDidChangeWatchedFiles(({ changes }) => fileEvents.watched(changes));

  const codeActionDeps = (): CodeActionDeps => ({
    registry,
    documents,
    folders: () => folders,
    capabilities: { createFiles: features?.createFiles ?? false, resolveEdits: features?.codeActionResolve ?? false },
    trusted: () => trusted,
  });
  connection.onCodeAction(async (params) => {
    await ready;
    return handleCodeAction(codeActionDeps(), params);
  });
  connection.onCodeActionResolve(async (action) => {
    await ready;
    return handleCodeActionResolve(
      codeActionDeps(),
      action,
      (message) =>
        void connection
          .sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message })
          .catch(() => undefined),
    );
  });

  // Shutdown stops running verifications at once, so no inference worker outlives the server.
  const shuttingDown = new AbortController();
  // The one verify path of the server: the request and the command both run it, so both update the status
  // bar and the last report.
  const verify = async (
    args: VerifyCaseArgs,
    token: CancellationToken,
    progress: WorkDoneProgressReporter,
  ): Promise<VerifyReport | ResponseError<void>> => {
    status.update({ state: 'verifying' });
    const report = await handleVerify(
      { folders: () => folders, trusted: () => trusted, stopped: shuttingDown.signal },
      args,
      token,
      progress,
    );
    if (!(report instanceof ResponseError)) {
      lastReport = report;
      recordVerdicts(foldersNamed(folders, args.folder), report);
    }
    if (lastReport) status.verified(lastReport);
    else status.update({ state: 'idle' });
    return report;
  };

  connection.onRequest(VerifyRequest, async (params, token) => {
    await ready;
    const { caseName, folder, locate } = params;
    const report = await verify(
      { caseName, folder, ...(locate ? { locate } : {}) },
      token,
      connection.window.attachWorkDoneProgress(params.workDoneToken),
    );
    return report instanceof ResponseError ? report : toJsonSafe(report);
  });

  // Not onExecuteCommand: it strips the client's workDoneToken before the handler could tell whether one came.
  connection.onRequest(ExecuteCommandRequest.type, async (params, token) => {
    await ready;
    const attached = connection.window.attachWorkDoneProgress(params.workDoneToken);
    // Clients such as Neovim send no token of their own; make one when the client can show it.
    const progress =
      params.workDoneToken === undefined && features?.workDoneProgress
        ? await connection.window.createWorkDoneProgress().catch(() => attached)
        : attached;
    const verifyStage: CommandDeps['verifyStage'] = (args, t, p) =>
      handleVerifyStage(
        { folders: () => folders, trusted: () => trusted, documents, log, republish: () => diagnostics.republish() },
        args,
        t,
        p,
      );
    return handleExecuteCommand(
      { connection, folders: () => folders, trusted: () => trusted, log, verify, verifyStage },
      params,
      token,
      progress,
    );
  });
  connection.onRequest(LastReportRequest, () => (lastReport ? toJsonSafe(lastReport) : null));
  connection.onRequest(ListCasesRequest, async () => {
    await ready;
    return trusted ? listCases(folders) : [];
  });

  connection.onShutdown(() => {
    shuttingDown.abort();
    diagnostics.dispose();
  });
  documents.listen(connection);
  connection.listen();
}
