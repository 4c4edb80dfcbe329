import type { Type } from 'ts-morph';

const TYPED_ARRAY = /^(?:Float32|Float64|Int8|Int16|Int32|Uint8|Uint16|Uint32)Array$/;

/**
 * A small literal value of the given type, or undefined when none can be written down (the caller then
 * falls back to a typed placeholder). Depth-limited so recursive types terminate.
 */
export function sampleValue(type: Type, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (type.isNumberLiteral() || type.isStringLiteral() || type.isBooleanLiteral()) return type.getText();
  if (type.isNumber()) return '1';
  if (type.isString()) return `'sample'`;
  if (type.isBoolean()) return 'true';
  if (type.isUnion()) {
    for (const t of type.getUnionTypes()) {
      if (t.isUndefined() || t.isNull()) continue;
      const v = sampleValue(t, depth + 1);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  if (type.isArray()) {
    const elem = type.getArrayElementType();
    const v = elem ? sampleValue(elem, depth + 1) : undefined;
    return v === undefined ? undefined : `[${v}, ${v}]`;
  }
  if (type.isTuple()) {
    const parts = type.getTupleElements().map((t) => sampleValue(t, depth + 1));
    return parts.every((p) => p !== undefined) ? `[${parts.join(', ')}]` : undefined;
  }
  const symbolName = type.getSymbol()?.getName() ?? '';
  if (TYPED_ARRAY.test(symbolName)) return `new ${symbolName}([1, 2, 3, 4])`;
  if (type.isObject() && type.getCallSignatures().length === 0 && type.getConstructSignatures().length === 0) {
    return objectSample(type, depth);
  }
  return undefined;
}

function objectSample(type: Type, depth: number): string | undefined {
  const decl = type.getSymbol()?.getDeclarations()[0];
  const props = type.getProperties();
  if (!decl || props.length === 0) return props.length === 0 ? '{}' : undefined;
  const fields: string[] = [];
  for (const p of props) {
    if (p.isOptional()) continue;
    const v = sampleValue(p.getTypeAtLocation(decl), depth + 1);
    if (v === undefined) return undefined;
    const name = p.getName();
    fields.push(`${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}: ${v}`);
  }
  return `{ ${fields.join(', ')} }`;
}
