import { format } from 'node:util';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { startServer } from './server';
import { guardReader, transportFromArgs } from './transport';

/**
 * Starts the language server on the transport named on the command line (`--stdio`, `--node-ipc`,
 * `--socket=N`, `--pipe=NAME`). Used by the client, which spawns this file with node, and by `ml-parity lsp --stdio`.
 */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  const transport = transportFromArgs(argv);
  if (!transport) {
    process.stderr.write(
      'ml-parity language server: name a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME\n',
    );
    process.exit(2);
  }
  const reader = guardReader(transport.reader, transport.writer, {
    // After a framing error the next message boundary is unknown: exiting lets the client restart a clean server.
    broken: (reason) => {
      process.stderr.write(`ml-parity language server: ${reason}; exiting so the client can restart it\n`);
      process.exit(1);
    },
    closed: (shutdown) => process.exit(shutdown ? 0 : 1),
  });
  const connection = createConnection(ProposedFeatures.all, reader, transport.writer);
  if (transport.stdio) routeConsole(connection);
  // A bug in a handler must not take the editor's diagnostics down with it: log and keep serving.
  process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${String(e)}`));
  startServer(connection);
}

// Over stdio, stdout is the protocol: a stray console.log from a library would corrupt it.
function routeConsole(connection: Connection): void {
  console.log = (...a: unknown[]) => connection.console.log(format(...a));
  console.info = (...a: unknown[]) => connection.console.info(format(...a));
  console.debug = (...a: unknown[]) => connection.console.log(format(...a));
  console.warn = (...a: unknown[]) => connection.console.warn(format(...a));
  console.error = (...a: unknown[]) => connection.console.error(format(...a));
}

if (require.main === module) main();
