import { strict as assert } from 'node:assert';
import { onnx } from 'onnx-proto';
import { EngineError, type EngineErrorCode } from '../../server/src/engine/errors';
import { parseJsonFixture } from '../../server/src/engine/fixtures/jsonFixture';
import { readNpy, writeNpy } from '../../server/src/engine/fixtures/npy';
import { decodeTensorProto, encodeTensorProto } from '../../server/src/engine/fixtures/tensorProto';

/** Asserts `fn` throws an EngineError with this code, file and (optionally) message part and position. */
function assertEngineError(
  fn: () => unknown,
  code: EngineErrorCode,
  file: string,
  extra: { message?: RegExp; line?: number; column?: number } = {},
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.location.file, file);
    if (extra.message) assert.match(e.message, extra.message);
    if (extra.line !== undefined) assert.equal(e.location.line, extra.line, e.message);
    if (extra.column !== undefined) assert.equal(e.location.column, extra.column, e.message);
    return true;
  });
}

function proto(p: onnx.ITensorProto): Uint8Array {
  return onnx.TensorProto.encode(onnx.TensorProto.create(p)).finish();
}

/** An .npy file with the given version, header dict text and payload (header padded like numpy does). */
function npy(major: number, dict: string, payload: number[] = []): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = Buffer.from(dict.padEnd(total - prefix - 1, ' ') + '\n', 'latin1');
  const len = Buffer.alloc(prefix - 8);
  if (major === 1) len.writeUInt16LE(header.length);
  else len.writeUInt32LE(header.length);
  return Buffer.concat([
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]),
    len,
    header,
    Buffer.from(payload),
  ]);
}

describe('fixtures: TensorProto errors', () => {
  it('rejects bytes that are not a TensorProto', () => {
    assertEngineError(
      () => decodeTensorProto(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'bad.pb'),
      'fixture-invalid',
      'bad.pb',
      {
        message: /cannot decode/,
      },
    );
  });

  it('rejects a missing or unsupported data type', () => {
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [1], floatData: [1] }), 'a.pb'),
      'fixture-invalid',
      'a.pb',
      {
        message: /UNDEFINED/,
      },
    );
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [1], dataType: 16, int32Data: [1] }), 'b.pb'),
      'fixture-invalid',
      'b.pb',
      {
        message: /unsupported data type 16 \(BFLOAT16\)/,
      },
    );
  });

  it('rejects an element count that does not match the dims', () => {
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [2, 3], dataType: 1, floatData: [1, 2, 3] }), 'c.pb'),
      'fixture-invalid',
      'c.pb',
      { message: /float_data has 3 values but dims need 6/ },
    );
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [2], dataType: 1, rawData: new Uint8Array(6) }), 'd.pb'),
      'fixture-invalid',
      'd.pb',
      { message: /raw_data has 6 bytes .* need 8/ },
    );
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [3], dataType: 8, stringData: [Buffer.from('a')] }), 'e.pb'),
      'fixture-invalid',
      'e.pb',
      { message: /string_data has 1 values/ },
    );
  });

  it('rejects data in the wrong typed field, negative dims and external data', () => {
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [2], dataType: 1, int32Data: [1, 2] }), 'f.pb'),
      'fixture-invalid',
      'f.pb',
      { message: /float_data has 0 values/ },
    );
    assertEngineError(() => decodeTensorProto(proto({ dims: [-1], dataType: 1 }), 'g.pb'), 'fixture-invalid', 'g.pb', {
      message: /bad dims/,
    });
    assertEngineError(
      () => decodeTensorProto(proto({ dims: [1], dataType: 1, dataLocation: 1 }), 'h.pb'),
      'fixture-invalid',
      'h.pb',
      {
        message: /external data/,
      },
    );
  });

  it('maps int32_data values per ONNX rules (bool non-zero is true, half bits kept)', () => {
    const b = decodeTensorProto(proto({ dims: [3], dataType: 9, int32Data: [0, 5, 1] }), 'b.pb').tensor;
    assert.deepEqual(Array.from(b.data as Uint8Array), [0, 1, 1]);
    const h = decodeTensorProto(proto({ dims: [1], dataType: 10, int32Data: [0xc000] }), 'h.pb').tensor;
    assert.deepEqual(Array.from(h.data as Uint16Array), [0xc000]);
  });

  it('reads int64_data written as plain numbers', () => {
    const t = decodeTensorProto(proto({ dims: [2], dataType: 7, int64Data: [5, -3] }), 'n.pb').tensor;
    assert.deepEqual(Array.from(t.data as BigInt64Array), [5n, -3n]);
    assert.ok(encodeTensorProto(t).length > 0);
  });
});

describe('fixtures: .npy', () => {
  // Bytes numpy 2.4 writes for np.save(f, np.array([[1.5, -2], [3, 4]], dtype='<f4')).
  const NUMPY_F4 = Buffer.from(
    '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d20' +
      '20'.repeat(57) +
      '0a0000c03f000000c00000404000008040',
    'hex',
  );

  it('writes byte-for-byte what numpy writes, and reads it back', () => {
    const t = readNpy(NUMPY_F4, 'np.npy');
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.dims, [2, 2]);
    assert.deepEqual(Array.from(t.data as Float32Array), [1.5, -2, 3, 4]);
    assert.deepEqual(Buffer.from(writeNpy(t)), NUMPY_F4);
  });

  it('reads format versions 2 and 3, scalars and empty shapes', () => {
    const dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    for (const major of [2, 3]) {
      const t = readNpy(npy(major, dict, [1, 0, 0, 0, 2, 0, 0, 0]), 'v.npy');
      assert.deepEqual(Array.from(t.data as Int32Array), [1, 2], `v${major}`);
    }
    const scalar = readNpy(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", [7]), 's.npy');
    assert.deepEqual(scalar.dims, []);
    assert.deepEqual(Array.from(scalar.data as Uint8Array), [7]);
    const empty = readNpy(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0, 3), }"), 'e.npy');
    assert.deepEqual(empty.dims, [2, 0, 3]);
    assert.equal(empty.data.length, 0);
  });

  it('rejects fortran order, big-endian data and unknown dtypes clearly', () => {
    assertEngineError(
      () => readNpy(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", [0, 0, 0, 0]), 'f.npy'),
      'fixture-invalid',
      'f.npy',
      { message: /fortran_order/ },
    );
    assertEngineError(
      () => readNpy(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]), 'b.npy'),
      'fixture-invalid',
      'b.npy',
      { message: /big-endian/ },
    );
    assertEngineError(
      () => readNpy(npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]), 'c.npy'),
      'fixture-invalid',
      'c.npy',
      { message: /unsupported dtype '<c8'/ },
    );
  });

  it('rejects bad magic, truncated data and unreadable headers', () => {
    assertEngineError(() => readNpy(Buffer.from('not numpy at all'), 'm.npy'), 'fixture-invalid', 'm.npy', {
      message: /magic/,
    });
    assertEngineError(
      () => readNpy(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", [0, 0]), 't.npy'),
      'fixture-invalid',
      't.npy',
      { message: /needs 12/ },
    );
    assertEngineError(() => readNpy(npy(1, "{'shape': (3,)}"), 'h.npy'), 'fixture-invalid', 'h.npy', {
      message: /unreadable header/,
    });
  });
});

describe('fixtures: JSON fixture files', () => {
  it('reads several cases with ids, defaults and optional expected outputs', () => {
    const cases = parseJsonFixture(
      JSON.stringify({
        cases: [
          {
            id: 'small',
            inputs: { x: { dims: [2], type: 'float32', data: [1, 2] } },
            expected: { y: { dims: [], type: 'bool', data: [true] } },
          },
          { inputs: { x: { dims: [1], type: 'int64', data: ['-9223372036854775808'] } } },
        ],
      }),
      'f.json',
    );
    assert.deepEqual(
      cases.map((c) => c.id),
      ['small', 'case-1'],
    );
    assert.deepEqual(
      cases.map((c) => c.source),
      ['f.json', 'f.json'],
    );
    assert.equal(cases[1].expected, undefined);
    assert.deepEqual(Array.from(cases[1].inputs[0].tensor.data as BigInt64Array), [-(2n ** 63n)]);
    assert.deepEqual(Array.from(cases[0].expected?.[0].tensor.data as Uint8Array), [1]);
  });

  it('reports JSON syntax errors with line and column', () => {
    const text = '{\n  "inputs": {\n    "x": { "dims": [1], "type": "float32", "data": [1,] }\n  }\n}';
    assertEngineError(() => parseJsonFixture(text, 'syntax.json'), 'fixture-invalid', 'syntax.json', {
      message: /JSON syntax error: ValueExpected/,
      line: 3,
      column: 55,
    });
    assertEngineError(() => parseJsonFixture('', 'blank.json'), 'fixture-invalid', 'blank.json', { message: /syntax/ });
  });

  it('locates validation errors at the offending value', () => {
    const text =
      '{ "inputs": {\n  "x": { "dims": [2, 2], "type": "float32", "data": [1, 2, 3] },\n  "y": { "dims": [1], "type": "float128", "data": [1] } } }';
    assertEngineError(() => parseJsonFixture(text, 'v.json'), 'fixture-invalid', 'v.json', {
      message: /inputs\.x\.data: has 3 values but dims \[2, 2\] need 4/,
      line: 2,
      column: 53,
    });
    const badType = '{ "inputs": {\n  "y": { "dims": [1], "type": "float128", "data": [1] } } }';
    assertEngineError(() => parseJsonFixture(badType, 'v.json'), 'fixture-invalid', 'v.json', {
      message: /unknown type "float128"/,
      line: 2,
      column: 31,
    });
  });

  it('rejects wrong shapes of JSON and out-of-range values', () => {
    const bad: [string, RegExp][] = [
      ['[1, 2]', /document: expected an object/],
      ['{ "outputs": {} }', /unknown key "outputs"/],
      ['{ "description": "no inputs" }', /expected a "cases" array or an "inputs" object/],
      ['{ "cases": [], "inputs": {} }', /either "cases" or top-level "inputs"/],
      ['{ "inputs": { "x": { "dims": [1], "type": "int8", "data": [128] } } }', /expected an integer in \[-128, 127\]/],
      ['{ "inputs": { "x": { "dims": [1], "type": "int32", "data": [1.5] } } }', /expected an integer/],
      ['{ "inputs": { "x": { "dims": [1], "type": "uint64", "data": ["-1"] } } }', /expected a value in \[0, /],
      [
        '{ "inputs": { "x": { "dims": [1], "type": "int64", "data": [9007199254740993] } } }',
        /safe integer or a decimal string/,
      ],
      ['{ "inputs": { "x": { "dims": [1], "type": "float32", "data": ["nan"] } } }', /"NaN"/],
      ['{ "inputs": { "x": { "dims": [1], "type": "bool", "data": [2] } } }', /true\/false or 0\/1/],
      [
        '{ "inputs": { "x": { "dims": [-1], "type": "bool", "data": [] } } }',
        /dims\[0\]: expected a non-negative integer/,
      ],
      ['{ "inputs": { "x": { "type": "bool", "data": [] } } }', /missing "dims"/],
      ['{ "inputs": { "x": { "dims": [], "type": "bool", "data": [1], "extra": 1 } } }', /unknown key "extra"/],
      ['{ "cases": [ { "id": "a", "inputs": {} }, { "id": "a", "inputs": {} } ] }', /duplicate case id "a"/],
      ['{ "cases": [ { "expected": {} } ] }', /missing "inputs"/],
    ];
    for (const [text, message] of bad)
      assertEngineError(() => parseJsonFixture(text, 'b.json'), 'fixture-invalid', 'b.json', { message });
  });

  it('treats an empty cases array as fixture-empty', () => {
    assertEngineError(() => parseJsonFixture('{ "cases": [] }', 'e.json'), 'fixture-empty', 'e.json');
  });

  it('accepts NaN/Infinity strings for floats', () => {
    const [fc] = parseJsonFixture(
      '{ "inputs": { "x": { "dims": [3], "type": "float64", "data": ["NaN", "Infinity", "-Infinity"] } } }',
      'n.json',
    );
    assert.deepEqual(Array.from(fc.inputs[0].tensor.data as Float64Array), [NaN, Infinity, -Infinity]);
  });
});
