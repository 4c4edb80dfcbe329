import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import type { CastPlan, WorkerRequest, WorkerResponse } from './messages';

interface Pending {
  resolve: (r: WorkerResponse & { ok: true }) => void;
  reject: (e: EngineError) => void;
  timer?: NodeJS.Timeout;
  what: string;
}

type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;
type RequestBody = Distributive<WorkerRequest>;

/** The worker sits beside this file when compiled by tsc, or as `inferenceWorker.js` beside a bundle. */
export function defaultWorkerPath(): string {
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
    this.child.on('message', (res: WorkerResponse) => this.settle(res));
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
      const r = await this.request(
        { type: 'load', key, model, ...(externalDataDir ? { externalDataDir } : {}) },
        timeoutMs,
        `loading ${file}`,
      );
      return { inputNames: r.inputNames ?? [], outputNames: r.outputNames ?? [] };
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
    const r = await this.request({ type: 'run', keys, feeds, ...(cast ? { cast } : {}) }, timeoutMs, what);
    return r.outputs ?? {};
  }

  /** Frees a session the worker holds. */
  async release(key: string, timeoutMs: number): Promise<void> {
    await this.request({ type: 'release', key }, timeoutMs, `releasing ${key}`);
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

  private request(body: RequestBody, timeoutMs: number, what: string): Promise<WorkerResponse & { ok: true }> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject, what };
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
      this.child.send({ ...body, id });
    });
  }

  private settle(res: WorkerResponse): void {
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    clearTimeout(p.timer);
    if (res.ok) p.resolve(res);
    else p.reject(new EngineError('inference-failed', `${p.what}: ${res.message}`));
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
export function loadError(message: string, file: string): EngineError {
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
