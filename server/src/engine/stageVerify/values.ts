/**
 * Stage arguments and results as JSON: the fixtures file format, the worker's messages and the JSON
 * report. Plain JSON values stand for themselves; what JSON cannot hold is tagged with a `$` key:
 * `{"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}`, `{"$undefined": true}`, `{"$bigint": "12"}`,
 * `{"$typed": "Float32Array", "data": [...]}`, `{"$map": [[k, v], ...]}`, `{"$set": [...]}`,
 * `{"$date": "ISO"}`, `{"$object": {...}}` (an object whose own keys start with `$`), and
 * `{"$unsupported": "description"}` for what cannot be carried (functions, symbols, cycles).
 */
export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;
export type TypedArrayName = (typeof TYPED_ARRAYS)[number];

/** `Object.prototype.toString` tag: works on values from another realm (the stage's vm context). */
export function tagOf(v: unknown): string {
  return Object.prototype.toString.call(v).slice(8, -1);
}

export function isTypedArrayName(name: string): name is TypedArrayName {
  return (TYPED_ARRAYS as readonly string[]).includes(name);
}

/** Encodes any value; `seen` guards against cycles, which become `$unsupported`. */
export function encode(v: unknown, seen: Set<object> = new Set()): Encoded {
  switch (typeof v) {
    case 'number':
      if (Number.isNaN(v)) return { $num: 'NaN' };
      if (v === Infinity) return { $num: 'Infinity' };
      if (v === -Infinity) return { $num: '-Infinity' };
      if (Object.is(v, -0)) return { $num: '-0' };
      return v;
    case 'string':
    case 'boolean':
      return v;
    case 'undefined':
      return { $undefined: true };
    case 'bigint':
      return { $bigint: v.toString() };
    case 'function':
      return { $unsupported: `function ${(v as { name?: string }).name || '(anonymous)'}` };
    case 'symbol':
      return { $unsupported: v.toString() };
  }
  if (v === null) return null;
  const obj = v as object;
  if (seen.has(obj)) return { $unsupported: 'circular reference' };
  seen.add(obj);
  try {
    const tag = tagOf(obj);
    if (isTypedArrayName(tag)) {
      const arr = Array.from(obj as ArrayLike<number | bigint>, (x) =>
        typeof x === 'bigint' ? x.toString() : encode(x),
      );
      return { $typed: tag, data: arr };
    }
    if (Array.isArray(obj)) return obj.map((x) => encode(x, seen));
    if (tag === 'Map')
      return { $map: [...(obj as Map<unknown, unknown>)].map(([k, x]) => [encode(k, seen), encode(x, seen)]) };
    if (tag === 'Set') return { $set: [...(obj as Set<unknown>)].map((x) => encode(x, seen)) };
    if (tag === 'Date') return { $date: (obj as Date).toISOString() };
    const out: Record<string, Encoded> = {};
    let dollar = false;
    for (const [k, x] of Object.entries(obj)) {
      if (k.startsWith('$')) dollar = true;
      out[k] = encode(x, seen);
    }
    return dollar ? { $object: out } : out;
  } finally {
    seen.delete(obj);
  }
}

/** Constructors of the realm the decoded values are built in (a vm context has its own). */
export interface Realm {
  Array: ArrayConstructor;
  Object: ObjectConstructor;
  Map: MapConstructor;
  Set: SetConstructor;
  Date: DateConstructor;
  BigInt: BigIntConstructor;
  typed: (name: TypedArrayName, data: (number | bigint)[]) => unknown;
}

const hostRealm: Realm = {
  Array,
  Object,
  Map,
  Set,
  Date,
  BigInt,
  typed: (name, data) => new (globalThis[name] as new (d: (number | bigint)[]) => unknown)(data),
};

/** Decodes into `realm`, so `instanceof Float32Array` holds inside the stage's own context. */
export function decode(e: Encoded, realm: Realm = hostRealm): unknown {
  if (e === null || typeof e !== 'object') return e;
  if (Array.isArray(e)) return realm.Array.from(e, (x) => decode(x, realm));
  if ('$num' in e) return Number(e.$num === '-0' ? -0 : e.$num);
  if ('$undefined' in e) return undefined;
  if ('$bigint' in e) return realm.BigInt(text(e.$bigint));
  if ('$typed' in e) {
    const name = text(e.$typed);
    if (!isTypedArrayName(name)) throw new Error(`unknown typed array "${name}"`);
    const data = (e.data as Encoded[]).map((x) => (name.startsWith('Big') ? BigInt(text(x)) : (decode(x) as number)));
    return realm.typed(name, data);
  }
  if ('$map' in e) return new realm.Map((e.$map as Encoded[][]).map(([k, x]) => [decode(k, realm), decode(x, realm)]));
  if ('$set' in e) return new realm.Set((e.$set as Encoded[]).map((x) => decode(x, realm)));
  if ('$date' in e) return new realm.Date(text(e.$date));
  if ('$unsupported' in e) throw new Error(`cannot rebuild ${text(e.$unsupported)}`);
  const src = '$object' in e ? (e.$object as Record<string, Encoded>) : e;
  const out = realm.Object() as Record<string, unknown>;
  for (const [k, x] of Object.entries(src)) out[k] = decode(x, realm);
  return out;
}

/** A tag's payload as text: scalars as `String` writes them, anything else as JSON (so an error shows it). */
function text(x: Encoded): string {
  return x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x);
}

/** Short human form of a value for one-line reports: `[0, 0.5]`, `Float32Array [1, 2]`, `{ w: 3 }`. */
export function formatValue(v: unknown, maxLen = 120): string {
  const s = fmt(v, new Set(), 0);
  return s.length > maxLen ? `${s.slice(0, maxLen - 1)}…` : s;
}

function fmt(v: unknown, seen: Set<object>, depth: number): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `[function ${v.name || 'anonymous'}]`;
  if (v === null || typeof v !== 'object') return String(v);
  if (seen.has(v) || depth > 6) return '…';
  seen.add(v);
  try {
    const tag = tagOf(v);
    if (isTypedArrayName(tag))
      return `${tag} [${Array.from(v as ArrayLike<unknown>, (x) => fmt(x, seen, depth + 1)).join(', ')}]`;
    if (Array.isArray(v)) return `[${v.map((x) => fmt(x, seen, depth + 1)).join(', ')}]`;
    if (tag === 'Map')
      return `Map {${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${fmt(k, seen, depth + 1)} => ${fmt(x, seen, depth + 1)}`).join(', ')}}`;
    if (tag === 'Set') return `Set {${[...(v as Set<unknown>)].map((x) => fmt(x, seen, depth + 1)).join(', ')}}`;
    if (tag === 'Date') return `Date(${(v as Date).toISOString()})`;
    const entries = Object.entries(v).map(
      ([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${fmt(x, seen, depth + 1)}`,
    );
    const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
    const prefix = ctor && ctor !== 'Object' ? `${ctor} ` : '';
    return entries.length === 0 ? `${prefix}{}` : `${prefix}{ ${entries.join(', ')} }`;
  } finally {
    seen.delete(v);
  }
}
