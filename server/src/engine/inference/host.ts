import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import {
  parseResponse,
  type CastPlan,
  type RequestType,
  type WorkerRequests,
  type WorkerResponse,
  type WorkerResults,
} from './messages';

type Answer = Extract<WorkerResponse, { ok: true }>;

interface Pending {
  /** Resolves with the answer when it is of the request's own type; false when it is not. */
  answer: (r: Answer) => boolean;
  reject: (e: EngineError) => void;
  timer?: NodeJS.Timeout;
  what: string;
}

/** Each request type's result out of an answer, or undefined when the answer is of another type. */
const RESULT: { [K in RequestType]: (r: Answer) => WorkerResults[K] | undefined } = {
  load: (r) => (r.type === 'load' ? r.result : undefined),
  run: (r) => (r.type === 'run' ? r.result : undefined),
  release: (r) => (r.type === 'release' ? r.result : undefined),
};

/** The worker sits beside this file when compiled by tsc, or as `inferenceWorker.js` beside a bundle. */
function defaultWorkerPath(): string {
  const candidates = [path.join(__dirname, 'worker.js'), path.join(__dirname, 'inferenceWorker.js')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

/**
 * Runs onnxruntime in a child process. A crash, a hang (timeout) or a cancellation kills only the child
 * and rejects what was pending with a clear EngineError; the caller lives on.
 */
export class InferenceHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead?: EngineError;

  constructor(workerPath = defaultWorkerPath()) {
    this.child = fork(workerPath, [String(process.pid)], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    let stderr = '';
    this.child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    this.child.on('message', (m: unknown) => this.settle(m));
    this.child.on('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : '';
      this.fail(this.dead ?? new EngineError('inference-crashed', `inference process died (${how})${tail}`));
    });
    this.child.on('error', (e) =>
      this.fail(new EngineError('inference-crashed', `inference process error: ${e.message}`)),
    );
  }

  /** Process id of the worker, so tests can kill it as a crash would. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Loads a model given as a file path or as bytes; `file` names it in errors. Bytes of a model with external
   * data need `externalDataDir`, the folder its data files are in.
   */
  async load(
    key: string,
    model: string | Uint8Array,
    timeoutMs: number,
    file: string,
    externalDataDir?: string,
  ): Promise<{ inputNames: string[]; outputNames: string[] }> {
    try {
      return await this.request(
        'load',
        { key, model, ...(externalDataDir ? { externalDataDir } : {}) },
        timeoutMs,
        `loading ${file}`,
      );
    } catch (e) {
      if (e instanceof EngineError && e.code === 'inference-failed') throw loadError(e.message, file);
      throw e;
    }
  }

  /**
   * Runs each session in `keys` on the same feeds (cast per session as `cast` says); outputs keyed by session
   * then output name.
   */
  async run(
    keys: string[],
    feeds: Record<string, Tensor>,
    timeoutMs: number,
    what: string,
    cast?: CastPlan,
  ): Promise<Record<string, Record<string, Tensor>>> {
    const r = await this.request('run', { keys, feeds, ...(cast ? { cast } : {}) }, timeoutMs, what);
    return r.outputs;
  }

  /** Frees a session the worker holds. */
  async release(key: string, timeoutMs: number): Promise<void> {
    await this.request('release', { key }, timeoutMs, `releasing ${key}`);
  }

  /** Kills the worker; pending requests reject with `reason` (cancelled by default). */
  dispose(reason = new EngineError('cancelled', 'cancelled')): void {
    this.dead ??= reason;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    // A killed worker must not keep a finished CLI run waiting for its pipes to close.
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
    (this.child.stderr as { unref?: () => void } | null)?.unref?.();
    this.fail(reason);
  }

  private request<K extends RequestType>(
    type: K,
    body: WorkerRequests[K],
    timeoutMs: number,
    what: string,
  ): Promise<WorkerResults[K]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const answer = (r: Answer): boolean => {
        const result = RESULT[type](r);
        if (result !== undefined) resolve(result);
        return result !== undefined;
      };
      const p: Pending = { answer, reject, what };
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        p.timer = setTimeout(() => {
          this.dispose(
            new EngineError(
              'inference-timeout',
              `${what} did not finish within ${timeoutMs} ms; the inference process was stopped`,
            ),
          );
        }, timeoutMs);
      }
      this.pending.set(id, p);
      this.child.send({ ...body, id, type });
    });
  }

  private settle(m: unknown): void {
    const res = parseResponse(m);
    const p = typeof res === 'string' ? undefined : this.pending.get(res.id);
    // A worker that answers out of protocol cannot be trusted with the rest: stop it, say what came.
    const unexpected = (what: string): void =>
      this.dispose(new EngineError('inference-crashed', `the inference process sent ${what}; it was stopped`));
    if (typeof res === 'string') return unexpected(res);
    if (!p) return unexpected(`an answer to request ${res.id}, which is not pending`);
    this.pending.delete(res.id);
    clearTimeout(p.timer);
    if (!res.ok) p.reject(new EngineError('inference-failed', `${p.what}: ${res.message}`));
    else if (!p.answer(res)) {
      this.pending.set(res.id, p);
      unexpected(`a ${res.type} answer while ${p.what}`);
    }
  }

  private fail(e: EngineError): void {
    this.dead ??= e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}

/** Turns onnxruntime's load messages into an error that names the offending op where it can. */
function loadError(message: string, file: string): EngineError {
  // A custom-domain op reads "com.example:NoSuchOp(-1) is not a registered function/op".
  const custom = /([\w.-]+):(\w+)\(-?\d+\) is not a registered function\/op/.exec(message);
  if (custom) {
    const clean = message.replace(/^loading [^:]+: /, '');
    return new EngineError(
      'unsupported-op',
      `onnxruntime cannot run op "${custom[2]}" of the custom domain "${custom[1]}" (it needs that domain's custom-op library) (${clean})`,
      { file },
    );
  }
  const op =
    /Could not find an implementation for (\w+)/.exec(message)?.[1] ??
    /(\w+) is not a registered function\/op/.exec(message)?.[1] ??
    /Unrecognized attribute|No Op registered for (\w+)/.exec(message)?.[1] ??
    /No opset import for domain '([^']*)'/.exec(message)?.[1];
  const clean = message.replace(/^loading [^:]+: /, '');
  if (op) return new EngineError('unsupported-op', `onnxruntime cannot run op "${op}" (${clean})`, { file });
  return new EngineError('model-load-failed', `onnxruntime could not load the model: ${clean}`, { file });
}
