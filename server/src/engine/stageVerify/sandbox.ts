import { createRequire } from 'node:module';
import * as vm from 'node:vm';
import { compareValues, type Difference, type StageTolerance } from './compare';
import type { Outcome, StageCall } from './types';
import { decode, encode, formatValue, type Realm, type TypedArrayName } from './values';

/** What one version did, with the raw values kept for comparison. */
export type RawOutcome =
  | { kind: 'returned'; value: unknown; argsAfter: unknown[] }
  | { kind: 'threw'; name: string; message: string }
  | { kind: 'timeout'; ms: number };

const INVOKE = `(function (stage, call) {
  if (call.kind === 'function') return { value: stage(...call.args), argsAfter: call.args };
  const obj = new stage(...call.ctor);
  const out = {};
  const argsAfter = [];
  for (const c of call.calls) {
    const r = obj[c.method](...c.args);
    out[c.method] = r === obj ? '[this]' : r;
    argsAfter.push(c.args);
  }
  return { value: out, argsAfter: [call.ctor, ...argsAfter] };
})`;

/**
 * One version of a stage, loaded from its bundle into its own vm context: the two versions share no
 * globals, and every call runs under a timeout that stops even an endless loop.
 */
export class StageSandbox {
  private readonly ctx: vm.Context;
  private readonly realm: Realm;
  private readonly stage: unknown;
  private readonly invoke: (stage: unknown, call: unknown) => { value: unknown; argsAfter: unknown[] };

  constructor(code: string, file: string, requireFrom: string, timeoutMs: number) {
    const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };
    this.ctx = vm.createContext({
      console: silent,
      process,
      Buffer,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      setImmediate,
      clearImmediate,
      queueMicrotask,
      TextEncoder,
      TextDecoder,
      URL,
      performance,
      structuredClone,
    });
    const realmRaw = vm.runInContext('globalThis.global = globalThis; ({ Array, Object, Map, Set, Date, BigInt, g: globalThis })', this.ctx) as Omit<Realm, 'typed'> & { g: Record<string, unknown> };
    this.realm = { ...realmRaw, typed: (name: TypedArrayName, data) => new (realmRaw.g[name] as new (d: (number | bigint)[]) => unknown)(data) };
    const loader = vm.runInContext(
      `(function (require, filename) { const module = { exports: {} }; (function (exports, require, module, __filename, __dirname) {${code}\n})(module.exports, require, module, filename, ''); return module.exports; })`,
      this.ctx,
      { filename: file },
    ) as (req: NodeJS.Require, filename: string) => unknown;
    this.invoke = vm.runInContext(INVOKE, this.ctx) as typeof this.invoke;
    const req = createRequire(requireFrom);
    this.stage = this.timed(() => loader(req, file), timeoutMs);
    if (typeof this.stage !== 'function') throw new Error(`the module does not export the stage as a function or class (got ${typeof this.stage})`);
  }

  /** Runs `fn` in the context under a timeout (vm interrupts synchronous code, loops included). */
  private timed<T>(fn: () => T, timeoutMs: number): T {
    const ctx = this.ctx as { __mlpFn?: () => T };
    ctx.__mlpFn = fn;
    try {
      return vm.runInContext('__mlpFn()', this.ctx, { timeout: timeoutMs }) as T;
    } finally {
      ctx.__mlpFn = undefined;
    }
  }

  async call(call: StageCall, timeoutMs: number): Promise<RawOutcome> {
    try {
      const decoded = call.kind === 'function' ? { kind: call.kind, args: call.args.map((a) => decode(a, this.realm)) } : { kind: call.kind, ctor: call.ctor.map((a) => decode(a, this.realm)), calls: call.calls.map((c) => ({ method: c.method, args: c.args.map((a) => decode(a, this.realm)) })) };
      const r = this.timed(() => this.invoke(this.stage, decoded), timeoutMs);
      const value = await settle(r.value, timeoutMs);
      return { kind: 'returned', value, argsAfter: r.argsAfter };
    } catch (e) {
      if (isTimeout(e)) return { kind: 'timeout', ms: timeoutMs };
      const err = e as { name?: unknown; message?: unknown } | null;
      const isObj = typeof err === 'object' && err !== null;
      return { kind: 'threw', name: isObj && typeof err.name === 'string' ? err.name : typeof e, message: isObj && typeof err.message === 'string' ? err.message : String(e) };
    }
  }
}

class AsyncTimeout extends Error {}

/** Awaits a returned promise (async stages) within the call's time. */
async function settle(v: unknown, timeoutMs: number): Promise<unknown> {
  if (!v || typeof (v as { then?: unknown }).then !== 'function') return v;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([v as Promise<unknown>, new Promise((_, reject) => (timer = setTimeout(() => reject(new AsyncTimeout()), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

function isTimeout(e: unknown): boolean {
  return e instanceof AsyncTimeout || (e as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** Where two outcomes differ, or undefined when they agree (the same result and arguments after, or the same error). */
export function compareOutcomes(a: RawOutcome, b: RawOutcome, tol: StageTolerance): Difference | undefined {
  if (a.kind !== b.kind) return { path: '(outcome)', reason: `${a.kind} vs ${b.kind}` };
  if (a.kind === 'threw' && b.kind === 'threw') {
    if (a.name !== b.name || a.message !== b.message) return { path: '(error)', reason: `${a.name}: ${a.message} vs ${b.name}: ${b.message}` };
    return undefined;
  }
  if (a.kind === 'returned' && b.kind === 'returned') {
    const d = compareValues(a.value, b.value, tol);
    if (d) return { path: `result${d.path === '(value)' ? '' : d.path}`, reason: d.reason };
    const m = compareValues(a.argsAfter, b.argsAfter, tol);
    // A stage that changes its arguments in place changes what the caller sees.
    if (m) return { path: `arguments after the call${m.path}`, reason: m.reason };
  }
  return undefined;
}

export function toOutcome(r: RawOutcome): Outcome {
  switch (r.kind) {
    case 'returned':
      return { kind: 'returned', value: encode(r.value), display: formatValue(r.value) };
    case 'threw':
      return { kind: 'threw', name: r.name, message: r.message, display: `throws ${r.name}: ${r.message}` };
    case 'timeout':
      return { kind: 'timeout', ms: r.ms, display: `did not return within ${r.ms} ms` };
  }
}
