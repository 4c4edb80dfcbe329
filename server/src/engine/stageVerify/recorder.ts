/**
 * Preloaded (`node --require`) into every node process of a test command by `ml-parity record`: wraps
 * the stages as their modules load (CommonJS, including TypeScript compiled by ts-node/tsx or tsc with
 * source maps) and writes the encoded arguments of their calls to a file when the process exits.
 * Native ES modules are wrapped through a loader hook (module.register; see ESM_HOOKS). Bundlers that
 * do not go through `require` are not seen; record says so.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RecordPlanEntry, RecordedCalls } from './recordTypes';
import type { StageCall } from './types';
import { encode } from './values';

const planFile = process.env.ML_PARITY_RECORD_PLAN;
const outDir = process.env.ML_PARITY_RECORD_OUT;
const MAX_CALLS = Number(process.env.ML_PARITY_RECORD_MAX ?? 50);
const MAX_CHARS = 1 << 20;

/**
 * The ES module loader hook, registered from here (a data: URL, so nothing more is shipped): it edits
 * each module holding a stage so its exports follow the stage's binding (RecordPlanEntry.esm) and
 * appends `local = wrap(local)`, which runs when the module has been evaluated and before any importer
 * sees it (an export is a live binding: importers then see the wrapper).
 * Anything unexpected leaves the module as it was: recording must never change what the tests see.
 */
const ESM_HOOKS = `
let files = {};
export function initialize(data) { files = data.files; }
export async function load(url, context, nextLoad) {
  const r = await nextLoad(url, context);
  const entries = files[url];
  if (!entries || r.format !== 'module' || r.source == null) return r;
  try {
    let src = typeof r.source === 'string' ? r.source : new TextDecoder('utf-8', { ignoreBOM: true }).decode(r.source);
    // From the end, so the offsets before each edit still hold; an edit whose text is not there is skipped.
    const edits = entries.flatMap((e) => e.edits).sort((a, b) => b.at - a.at);
    for (const [i, d] of edits.entries())
      if ((i === 0 || d.at !== edits[i - 1].at) && src.slice(d.at, d.end) === d.was) src = src.slice(0, d.at) + d.text + src.slice(d.end);
    const hook = 'globalThis[Symbol.for("ml-parity.record")]';
    // In try: an assignment that still fails (a const not made assignable) must not fail the module.
    const wraps = entries.map((e) => 'try { ' + e.local + ' = ' + hook + '(' + JSON.stringify(e.name) + ', ' + e.local + '); } catch {}').join('\\n');
    return { ...r, source: src + '\\n;' + wraps + '\\n' };
  } catch {
    return r;
  }
}
`;

if (planFile && outDir) install(JSON.parse(fs.readFileSync(planFile, 'utf8')) as RecordPlanEntry[], outDir);

function install(plan: RecordPlanEntry[], out: string): void {
  const byFile = new Map<string, RecordPlanEntry[]>();
  for (const p of plan) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  const calls = new Map<string, { seen: Set<string>; calls: StageCall[] }>();
  const wrapped = new Set<string>();
  const keep = (stage: string, call: StageCall): void => {
    const entry = calls.get(stage) ?? { seen: new Set<string>(), calls: [] };
    calls.set(stage, entry);
    if (entry.calls.length >= MAX_CALLS) return;
    const key = JSON.stringify(call);
    if (key.length > MAX_CHARS || entry.seen.has(key)) return;
    entry.seen.add(key);
    entry.calls.push(call);
  };

  const proto = Module.prototype as unknown as {
    _compile: (content: string, filename: string) => unknown;
    exports: unknown;
  };
  const original = proto._compile;
  proto._compile = function (this: { exports: unknown }, content: string, filename: string): unknown {
    const result = original.call(this, content, filename);
    try {
      const entries = byFile.get(filename) ?? sourceMapped(content, filename, byFile);
      for (const e of entries ?? []) {
        const next = wrapExport(this.exports, e, keep);
        if (next !== undefined) {
          this.exports = next;
          wrapped.add(e.name);
        }
      }
    } catch {
      // Recording must never change what the tests see: a stage that cannot be wrapped is reported missing.
    }
    return result;
  };

  const esm = plan.filter((p) => p.esm);
  const esmHooks =
    esm.length > 0 &&
    hookEsm(esm, (e, value) => {
      const next = wrapExport({ [e.exportName]: value }, e, keep) as Record<string, unknown> | undefined;
      if (!next) return value;
      wrapped.add(e.name);
      return next[e.exportName];
    });

  process.on('exit', () => {
    const data: RecordedCalls = {
      pid: process.pid,
      wrapped: [...wrapped],
      esmHooks,
      stages: Object.fromEntries([...calls].map(([k, v]) => [k, v.calls])),
    };
    try {
      fs.writeFileSync(path.join(out, `calls-${process.pid}.json`), JSON.stringify(data));
    } catch {
      // The folder is gone (record was stopped): nothing to report to.
    }
  });
}

/** Registers ESM_HOOKS for the ES module stages; false when this Node cannot (no module.register). */
function hookEsm(entries: RecordPlanEntry[], wrap: (e: RecordPlanEntry, value: unknown) => unknown): boolean {
  const register = (
    Module as unknown as { register?: (specifier: string, parentURL: string, options: { data: unknown }) => void }
  ).register;
  if (typeof register !== 'function') return false;
  const byName = new Map(entries.map((e) => [e.name, e]));
  (globalThis as Record<symbol, unknown>)[Symbol.for('ml-parity.record')] = (name: string, value: unknown) => {
    const e = byName.get(name);
    return e ? wrap(e, value) : value;
  };
  const files: Record<string, { name: string; local: string; edits: unknown[] }[]> = {};
  for (const e of entries) if (e.esm) (files[pathToFileURL(e.file).href] ??= []).push({ name: e.name, ...e.esm });
  try {
    register(`data:text/javascript,${encodeURIComponent(ESM_HOOKS)}`, pathToFileURL(__filename).href, {
      data: { files },
    });
    return true;
  } catch {
    return false;
  }
}

/** Plan entries for a compiled file whose source map names a stage's file (tsc output run by the tests). */
function sourceMapped(
  content: string,
  filename: string,
  byFile: Map<string, RecordPlanEntry[]>,
): RecordPlanEntry[] | undefined {
  const m = /\/\/# sourceMappingURL=([^\s]+)\s*$/.exec(content);
  if (!m || m[1].startsWith('data:')) return undefined;
  const mapFile = path.resolve(path.dirname(filename), m[1]);
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources?: string[]; sourceRoot?: string };
  for (const s of map.sources ?? []) {
    const hit = byFile.get(path.resolve(path.dirname(mapFile), map.sourceRoot ?? '', s));
    if (hit) return hit;
  }
  return undefined;
}

type Fn = (...args: unknown[]) => unknown;

/** Wraps the stage in a module's exports; returns the new exports object, or undefined when it is not there. */
function wrapExport(exports: unknown, e: RecordPlanEntry, keep: (stage: string, call: StageCall) => void): unknown {
  const holder = exports as Record<string, unknown>;
  const isDefault = e.exportName === 'default';
  const current = isDefault
    ? holder && typeof holder === 'object' && 'default' in holder
      ? holder.default
      : exports
    : holder?.[e.exportName];
  if (typeof current !== 'function') return undefined;
  const wrapper =
    e.kind === 'class'
      ? wrapClass(current as new (...a: unknown[]) => object, e.name, keep)
      : wrapFunction(current as Fn, e.name, keep);
  if (isDefault && current === exports) return wrapper;
  const key = isDefault ? 'default' : e.exportName;
  try {
    holder[key] = wrapper;
  } catch {
    // A getter-only export (some bundlers): define over it when it can be configured.
  }
  if (holder[key] !== wrapper)
    Object.defineProperty(holder, key, { value: wrapper, enumerable: true, configurable: true, writable: true });
  return exports;
}

function wrapFunction(fn: Fn, stage: string, keep: (stage: string, call: StageCall) => void): Fn {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    // Encoded before the call: the stage may change its arguments in place.
    keep(stage, { kind: 'function', args: args.map((a) => encode(a)) });
    return fn.apply(this, args);
  };
  Object.defineProperty(wrapper, 'name', { value: fn.name });
  return wrapper;
}

/** A class stage: the constructor's arguments and each fit/transform/predict call, per instance. */
function wrapClass(
  cls: new (...a: unknown[]) => object,
  stage: string,
  keep: (stage: string, call: StageCall) => void,
): unknown {
  const instances = new WeakMap<object, Extract<StageCall, { kind: 'class' }>>();
  const proto = cls.prototype as Record<string, unknown>;
  for (const method of ['fit', 'transform', 'predict'] as const) {
    const orig = proto[method];
    if (typeof orig !== 'function') continue;
    proto[method] = function (this: object, ...args: unknown[]): unknown {
      const rec = instances.get(this);
      if (rec) {
        rec.calls.push({ method, args: args.map((a) => encode(a)) });
        // Each prefix of calls is a call sequence worth replaying (fit, then fit + transform, ...).
        keep(stage, { ...rec, calls: [...rec.calls] });
      }
      return (orig as Fn).apply(this, args);
    };
  }
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      const obj = Reflect.construct(target, args, newTarget) as object;
      instances.set(obj, { kind: 'class', ctor: args.map((a) => encode(a)), calls: [] });
      return obj;
    },
  });
}
