import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

/**
 * Starts the language server on the transport named on the command line (`--stdio`, `--node-ipc`,
 * `--socket=N`). Used by the client, which spawns this file with node, and by `ml-parity lsp --stdio`.
 */
export function main(): void {
  const connection = createConnection(ProposedFeatures.all);
  // A bug in a handler must not take the editor's diagnostics down with it: log and keep serving.
  process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${String(e)}`));
  startServer(connection);
}

if (require.main === module) main();
