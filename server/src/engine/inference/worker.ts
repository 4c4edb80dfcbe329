/**
 * Child-process entry that owns onnxruntime. Kept separate so a model that crashes or hangs the
 * runtime takes down only this process; the parent sees the exit or kills it on timeout.
 */
import * as ort from 'onnxruntime-node';
import { castTensor } from '../tensor/cast';
import type { DType, Tensor } from '../tensor/tensor';
import type { RequestType, WorkerRequest, WorkerRequests, WorkerResponse, WorkerResults } from './messages';
import { dieWithParent } from './parentWatch';

// The parent passes its pid: an orphaned worker (parent killed, even by SIGKILL) ends itself.
const parentPid = Number(process.argv[2]);
if (parentPid > 0) dieWithParent(parentPid);

const sessions = new Map<string, ort.InferenceSession>();

function toOrt(t: Tensor): ort.Tensor {
  // onnxruntime takes bool as Uint8Array and float16 as raw Uint16 bits, the engine's own representation.
  return new ort.Tensor(t.dtype, t.data, t.dims);
}

function fromOrt(t: ort.Tensor): Tensor {
  let data = t.data;
  // Newer runtimes may hand back a Float16Array; keep the bit pattern so comparison stays exact.
  if (t.type === 'float16' && !(data instanceof Uint16Array)) {
    const view = data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number };
    data = new Uint16Array(view.buffer, view.byteOffset, view.length);
  }
  if (t.type === 'bool' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as ArrayLike<number>);
  return { dtype: t.type as DType, dims: [...t.dims], data };
}

/** What the worker does for each request type. */
const handlers: { [K in RequestType]: (req: WorkerRequests[K]) => Promise<WorkerResults[K]> } = {
  async load(req) {
    const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
    if (req.externalDataDir)
      opts.extra = { session: { model_external_initializers_file_folder_path: req.externalDataDir } };
    const session =
      typeof req.model === 'string'
        ? await ort.InferenceSession.create(req.model, opts)
        : await ort.InferenceSession.create(req.model, opts);
    sessions.set(req.key, session);
    return { inputNames: [...session.inputNames], outputNames: [...session.outputNames] };
  },
  async run(req) {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(req.feeds)) feeds[name] = toOrt(t);
    const outputs: Record<string, Record<string, Tensor>> = {};
    const runs = req.keys.map(async (key) => {
      const session = sessions.get(key);
      if (!session) throw new Error(`no session "${key}"`);
      const casts = Object.entries(req.cast?.[key] ?? {});
      const own = casts.length === 0 ? feeds : { ...feeds };
      for (const [name, dtype] of casts) if (req.feeds[name]) own[name] = toOrt(castTensor(req.feeds[name], dtype));
      let result: ort.InferenceSession.OnnxValueMapType;
      try {
        result = await session.run(own);
      } catch (e) {
        // Both models run on the same feeds: say which one failed.
        throw new Error(`${key} model: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      const out: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(result)) out[name] = fromOrt(t);
      outputs[key] = out;
    });
    await Promise.all(runs);
    return { outputs };
  },
  async release(req) {
    await sessions.get(req.key)?.release();
    sessions.delete(req.key);
    return {};
  },
};

/** Runs one request and answers it with a result of its own type. */
async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  const id = req.id;
  switch (req.type) {
    case 'load':
      return { id, ok: true, type: 'load', result: await handlers.load(req) };
    case 'run':
      return { id, ok: true, type: 'run', result: await handlers.run(req) };
    case 'release':
      return { id, ok: true, type: 'release', result: await handlers.release(req) };
  }
}

// One request at a time: a batch queued behind another waits here instead of competing with it for
// onnxruntime's thread pool (two concurrent batches on two cores ran slower than one after the other).
let queue: Promise<unknown> = Promise.resolve();
const send = (res: WorkerResponse): void => {
  // Forked with an IPC channel by the host; without one there is nobody to answer.
  process.send?.(res);
};
process.on('message', (req: WorkerRequest) => {
  queue = queue
    .then(() => handle(req))
    .then(
      (res) => send(res),
      (e: unknown) => send({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) }),
    );
});
// The parent going away must not leave an orphan burning CPU on a hung model.
process.on('disconnect', () => process.exit(0));
