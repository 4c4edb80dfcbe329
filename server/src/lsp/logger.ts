import type { Connection } from 'vscode-languageserver/node';

/** The leveled log the server writes to; the client shows it in the "ML Parity" output channel. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function connectionLogger(connection: Connection): Logger {
  return {
    error: (m) => connection.console.error(m),
    warn: (m) => connection.console.warn(m),
    info: (m) => connection.console.info(m),
    debug: (m) => connection.console.log(m),
  };
}

/** Message and stack of anything thrown, for the log. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}
