/**
 * Unit keys (see units.ts): `file#pos#kind`. Apart from the compiler, so what only handles keys (the
 * stored walks of reachIndex.ts, read with every stored state) does not load it.
 */

/** Local key of the code at the top level of a file (imports excluded); only test files use it, as roots. */
export const MODULE = 'module';

/** Global key of a unit from its file and local key. */
export function globalKey(file: string, local: string): string {
  return `${file}#${local}`;
}

/** Key of the code at the top level of a file. */
export function moduleKey(file: string): string {
  return globalKey(file, MODULE);
}

/**
 * Edge target standing for a whole module: a unit uses a namespace (`import * as m`, `require()`) as a
 * value, so which of its declarations run is not known (`m[name](x)`). No unit has this key.
 */
export function wholeModuleKey(file: string): string {
  return `${file}#*`;
}

/** File part of a unit key. */
export function keyFile(key: string): string {
  return key.slice(0, key.indexOf('#'));
}
