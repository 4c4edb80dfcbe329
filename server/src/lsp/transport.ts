import {
  createServerPipeTransport,
  createServerSocketTransport,
  ErrorCodes,
  ExitNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  Message,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
  type ResponseMessage,
} from 'vscode-languageserver/node';

/** How long the body of a message may stall after its header before the stream counts as broken. */
const PARTIAL_MESSAGE_TIMEOUT_MS = 3000;

/** The transport the client named on the command line (`--stdio`, `--node-ipc`, `--socket=N`, `--pipe=NAME`). */
export interface Transport {
  reader: MessageReader;
  writer: MessageWriter;
  /** stdout carries the protocol, so nothing else may print there. */
  stdio: boolean;
}

/** `--name=value` or `--name value`. */
function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  const arg = argv[i];
  if (arg === undefined) return undefined;
  return arg === name ? argv[i + 1] : arg.slice(name.length + 1);
}

export function transportFromArgs(argv: readonly string[]): Transport | undefined {
  if (argv.includes('--node-ipc'))
    return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process), stdio: false };
  if (argv.includes('--stdio')) {
    const reader = new StreamMessageReader(process.stdin);
    reader.partialMessageTimeout = PARTIAL_MESSAGE_TIMEOUT_MS;
    return { reader, writer: new StreamMessageWriter(process.stdout), stdio: true };
  }
  const port = Number(argValue(argv, '--socket'));
  if (Number.isInteger(port) && port > 0) {
    const [reader, writer] = createServerSocketTransport(port);
    return { reader, writer, stdio: false };
  }
  const pipe = argValue(argv, '--pipe');
  if (pipe) {
    const [reader, writer] = createServerPipeTransport(pipe);
    return { reader, writer, stdio: false };
  }
  return undefined;
}

/** What {@link guardReader} reports about the stream. */
export interface StreamEvents {
  /** The stream cannot be read on (a wrong Content-Length, a broken header or body): log and exit. */
  broken: (reason: string) => void;
  /** The client closed the stream; `shutdown` tells whether it asked for a shutdown first. */
  closed: (shutdown: boolean) => void;
}

/**
 * Wraps the reader so the server keeps the protocol's promises the library leaves open:
 * - before `initialize`, a request is answered with ServerNotInitialized (-32002) and a notification other
 *   than `exit` is dropped;
 * - a stream that cannot be parsed (a Content-Length too short or too long, a missing header) is reported
 *   instead of wedging the server silently: after such an error the next message boundary is unknown.
 */
export function guardReader(reader: MessageReader, writer: MessageWriter, events: StreamEvents): MessageReader {
  let initialized = false;
  let shutdown = false;
  reader.onError((e) =>
    events.broken(`cannot read the message stream (wrong Content-Length or malformed message?): ${e.message}`),
  );
  reader.onPartialMessage((info) =>
    events.broken(`a message body stalled ${info.waitingTime} ms short of its Content-Length (wrong Content-Length?)`),
  );
  reader.onClose(() => events.closed(shutdown));
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen: (callback) =>
      reader.listen((message) => {
        if (Message.isRequest(message) && message.method === ShutdownRequest.method) shutdown = true;
        if (initialized) return callback(message);
        if (Message.isRequest(message)) {
          if (message.method !== InitializeRequest.method) {
            const response: ResponseMessage = {
              jsonrpc: '2.0',
              id: message.id,
              error: {
                code: ErrorCodes.ServerNotInitialized,
                message: `${message.method} before initialize: the server is not initialized yet`,
              },
            };
            void writer.write(response).catch(() => undefined);
            return;
          }
          initialized = true;
          return callback(message);
        }
        if (Message.isNotification(message) && message.method === ExitNotification.method) callback(message);
      }),
  };
}
