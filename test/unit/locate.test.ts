import { strict as assert } from 'node:assert';
import { readGraph } from '../../server/src/engine/locate/graph';
import { matchTensors } from '../../server/src/engine/locate/match';
import { searchDivergence } from '../../server/src/engine/locate/search';
import { runCase } from '../../server/src/engine/verify';
import type { CaseReport, VerifyCase } from '../../server/src/engine/verifyTypes';
import { deepNet, type DeepNetOptions } from '../../scripts/onnx/deepNet';
import { ModelBuilder } from '../../scripts/onnx/graph';
import { pairTolerance } from '../../server/src/engine/locate/compareTensors';
import { searchLine } from '../../server/src/engine/locate/describe';
import { decideTies, signatureDistance, signatureOf } from '../../server/src/engine/locate/signatures';
import { tempDir, write } from '../support/tmp';

const dir = tempDir('mlp-locate-');
let n = 0;
function model(o: DeepNetOptions): string {
  return write(dir, `m${n++}.onnx`, deepNet(o));
}

async function locate(
  baseline: DeepNetOptions,
  candidate: DeepNetOptions,
  extra: Partial<VerifyCase> = {},
): Promise<CaseReport> {
  const r = await runCase({
    name: 'locate',
    baseline: model(baseline),
    candidate: model(candidate),
    count: 4,
    seed: 3,
    locate: true,
    ...extra,
  });
  assert.equal(r.status, 'fail', JSON.stringify(r.error ?? r.outputs.map((o) => o.maxAbs)));
  assert.ok(r.divergence, 'a divergence section');
  return r;
}

/**
 * x -> Mul(x, wa) and Mul(x, wb) -> Add -> Tanh -> Mul(scale) -> y. `swapped`: every node and intermediate tensor
 * renamed and the two Muls listed in the other order (the graph computes the same).
 */
function twoBranches(o: { swapped: boolean; scale: number }): Uint8Array {
  const m = new ModelBuilder('branches');
  const t = (name: string): string => (o.swapped ? `t_${name.length}${name}`.split('').reverse().join('') : name);
  m.input('x', 'float32', ['batch', 4]);
  m.initializer('wa', [4], Float32Array.from([1, 2, 3, 4]));
  m.initializer('wb', [4], Float32Array.from([-5, 0.5, 7, -0.1]));
  m.initializer('s', [4], Float32Array.from([o.scale, o.scale, o.scale, o.scale]));
  const muls: [string, string][] = [
    ['wa', 'pa'],
    ['wb', 'pb'],
  ];
  for (const [w, out] of o.swapped ? muls.reverse() : muls)
    m.node('Mul', ['x', w], [t(out)], {}, { name: o.swapped ? `node_${out}_x` : `mul_${out}` });
  m.node('Add', [t('pa'), t('pb')], [t('sum')], {}, { name: o.swapped ? 'node_1' : 'add' });
  m.node('Tanh', [t('sum')], [t('r')], {}, { name: o.swapped ? 'node_2' : 'tanh' });
  m.node('Mul', [t('r'), 's'], ['y'], {}, { name: o.swapped ? 'node_3' : 'scale' });
  m.output('y', 'float32', ['batch', 4]);
  return m.toBytes();
}

describe('verify --locate (real onnxruntime)', function () {
  this.timeout(60_000);

  it('finds the one perturbed node deep in a 58-node graph, with agreeing inputs and the path to the output', async () => {
    const r = await locate({}, { perturb: { block: 11, amount: 0.05 } });
    const d = r.divergence!;
    assert.equal(d.found, true, d.reason);
    assert.deepEqual(d.baseline, { name: 'add_b11', opType: 'Add', output: 'a11' });
    assert.deepEqual(d.candidate, { name: 'add_b11', opType: 'Add', output: 'a11' });
    assert.equal(d.matchedBy, 'name');
    assert.equal(d.inputMaxAbs, 0);
    assert.ok(Math.abs(d.outputMaxAbs! - 0.05) < 1e-6, `outputMaxAbs ${d.outputMaxAbs}`);
    assert.deepEqual(d.replacedChain, []);
    assert.equal(d.path[0].name, 'add_b11');
    assert.equal(d.path[d.path.length - 1].name, 'head');
    assert.ok(
      d.path.some((p) => p.name !== 'add_b11' && p.diverges === true),
      'a later node on the path was compared and diverges',
    );
    // Bounded: a handful of rounds, far fewer pairs than the graph has tensors times fixtures.
    assert.ok(d.rounds <= 8, `rounds ${d.rounds}`);
    assert.ok(d.compared < 58 * d.fixtures.length, `compared ${d.compared}`);
    assert.ok(d.fixtures.length >= 1 && d.fixtures.length <= 2);
  });

  it('finds it early in the graph too', async () => {
    const d = (await locate({}, { perturb: { block: 1, amount: 0.05 } })).divergence!;
    assert.equal(d.baseline?.name, 'add_b1');
  });

  it('finds it by alignment when every node and tensor of the candidate is renamed', async () => {
    const d = (await locate({}, { perturb: { block: 9, amount: 0.05 }, renamed: true })).divergence!;
    assert.equal(d.found, true, d.reason);
    assert.equal(d.baseline?.name, 'add_b9');
    assert.equal(d.candidate?.opType, 'Add');
    assert.match(d.candidate.name, /^node_\d{4}$/);
    assert.equal(d.matchedBy, 'alignment');
    assert.ok(d.matching.alignment > 40, JSON.stringify(d.matching));
  });

  it('ties a fused Gemm to the MatMul+Add chain it replaces, and finds a perturbation inside it', async () => {
    const d = (await locate({}, { fused: [3, 6, 7], perturb: { block: 6, amount: 0.05 } })).divergence!;
    assert.equal(d.found, true, d.reason);
    assert.equal(d.baseline?.name, 'add_b6');
    assert.deepEqual(d.candidate, { name: 'gemm_6', opType: 'Gemm', output: 'a6' });
    assert.deepEqual(d.replacedChain, ['matmul_6']);
    assert.equal(d.inputMaxAbs, 0);
  });

  it('ties a renamed fused Gemm to its chain through the consumer both sides share', async () => {
    const d = (await locate({}, { fused: [6], perturb: { block: 6, amount: 0.05 }, renamed: true })).divergence!;
    assert.equal(d.found, true, d.reason);
    assert.equal(d.baseline?.name, 'add_b6');
    assert.equal(d.candidate?.opType, 'Gemm');
    assert.equal(d.matchedBy, 'structure');
    assert.deepEqual(d.replacedChain, ['matmul_6']);
  });

  it('does not blame a fused chain for a later perturbation, even with everything renamed', async () => {
    const d = (await locate({}, { fused: [3, 6], perturb: { block: 10, amount: 0.05 }, renamed: true })).divergence!;
    assert.equal(d.found, true, d.reason);
    assert.equal(d.baseline?.name, 'add_b10');
    assert.equal(d.inputMaxAbs, 0);
  });

  it('locates in a float16 candidate with float16 tolerances on its float16 tensors', async () => {
    const d = (await locate({}, { float16: true, perturb: { block: 8, amount: 0.5 } }, { tolerance: { atol: 2e-2 } }))
      .divergence!;
    assert.equal(d.found, true, d.reason);
    assert.equal(d.baseline?.name, 'add_b8');
    assert.ok(d.inputMaxAbs! > 0 && d.inputMaxAbs! < 2e-2, `inputs differ by float16 rounding only: ${d.inputMaxAbs}`);
  });

  it('stops at an If node whose branch changed and says the search does not enter its branches', async () => {
    for (const renamed of [false, true]) {
      const d = (await locate({ withIf: true }, { withIf: true, ifThenOp: 'Sigmoid', renamed })).divergence!;
      assert.equal(d.found, true, d.reason);
      assert.deepEqual(d.baseline, { name: 'if_0', opType: 'If', output: 'r0' });
      assert.equal(d.candidate?.opType, 'If');
      assert.equal(d.inputMaxAbs, 0, 'the outer-scope tensor the branches read agrees');
      assert.match(d.controlFlow ?? '', /If 'if_0' holds subgraphs/);
    }
    const base = readGraph(deepNet({ withIf: true }), 'x.onnx');
    const ifNode = base.nodes.find((x) => x.opType === 'If')!;
    assert.ok(ifNode.inputs.includes('a0'), "the branches' outer-scope read is an input of the If");
  });

  it('says why when nothing can be located (no failure inside the graph it can see)', async () => {
    const r = await runCase({ name: 'pass', baseline: model({}), candidate: model({}), count: 2, locate: true });
    assert.equal(r.status, 'pass');
    assert.equal(r.divergence, undefined, 'a passing case is not searched');
  });

  it('breaks a tie between same-op, same-shape, same-input candidates by value signatures', async () => {
    // Two Muls read x at the same position; the renamed candidate lists them in the other order, so op type,
    // shape, inputs and position all point the wrong way. Only the values tell them apart. The real change
    // is the final scale (1 -> 1.05).
    const r = await runCase({
      name: 'tie',
      baseline: write(dir, 'tie-b.onnx', twoBranches({ swapped: false, scale: 1 })),
      candidate: write(dir, 'tie-c.onnx', twoBranches({ swapped: true, scale: 1.05 })),
      count: 3,
      seed: 5,
      locate: true,
    });
    const d = r.divergence!;
    assert.equal(d.found, true, d.reason);
    assert.deepEqual(d.baseline, { name: 'scale', opType: 'Mul', output: 'y' });
    assert.equal(d.inputMaxAbs, 0, 'the branches, once matched by their values, agree');
    // The first Mul had two candidates and took the one whose values agree; the second then had one left.
    assert.equal(d.matching.values, 1, JSON.stringify(d.matching));
    assert.match(searchLine(d), /values 1, unmatched 0$/);
  });

  it('matches a renamed graph tensor for tensor by alignment', () => {
    const base = readGraph(deepNet({}), 'b.onnx');
    const cand = readGraph(deepNet({ renamed: true }), 'c.onnx');
    const m = matchTensors(base, cand);
    for (const node of base.nodes) {
      const o = node.outputs[0];
      if (base.constants.has(o) || o === 'y') continue;
      const c = m.get(o);
      assert.ok(c, `${o} matched`);
      const cn = cand.nodes[cand.producer.get(c.cand)!];
      assert.equal(cn.opType, node.opType, `${o}: ${node.opType} vs ${cn.opType}`);
      assert.equal(cn.index, node.index, `${o} at the same position`);
    }
  });
});

describe('divergence search (narrowing with few marked outputs)', () => {
  it('value signatures: shape first, then values; a tie the values cannot settle keeps its positional choice', () => {
    const f32 = (dims: number[], v: number[]) => signatureOf({ dtype: 'float32', dims, data: Float32Array.from(v) })!;
    const a = f32([1, 4], [1, 2, 3, 4]);
    assert.equal(signatureDistance(a, f32([1, 4], [1, 2, 3, 4])), 0);
    assert.equal(signatureDistance(a, f32([4, 1], [1, 2, 3, 4])), Infinity, 'another shape is never chosen');
    assert.ok(signatureDistance(a, f32([1, 4], [1.001, 2, 3, 4])) < signatureDistance(a, f32([1, 4], [-5, 1, 7, 0])));
    const g = readGraph(twoBranches({ swapped: false, scale: 1 }), 'g.onnx');
    const [pa, pb] = ['pa', 'pb'].map((t) => g.producer.get(t)!);
    const sigs = new Map([
      ['pa', a],
      ['pb', f32([1, 4], [-5, 1, 7, 0])],
    ]);
    assert.deepEqual([...decideTies([{ base: pa, options: [pb, pa] }], g, g, sigs, sigs)], [[pa, pa]]);
    const same = new Map([
      ['pa', a],
      ['pb', a],
    ]);
    assert.equal(
      decideTies([{ base: pa, options: [pb, pa] }], g, g, same, same).size,
      0,
      'equal values decide nothing',
    );
  });

  it('compares a pair with float16 tolerances when either side is float16', () => {
    assert.equal(pairTolerance('float32', 'float16').rtol, 1e-3);
    assert.equal(pairTolerance('float16', 'float32', { atol: 0.5 }).rtol, 1e-3);
    assert.equal(pairTolerance('float32', 'float32', { atol: 0.5 }).rtol, 1.3e-6);
    assert.equal(pairTolerance('float32', 'float16', { atol: 0.5 }).atol, 0.5);
  });

  /** Every tensor downstream of `from` diverges; the probe records how many tensors each call marked. */
  function downstreamProbe(g: ReturnType<typeof readGraph>, from: number[], calls: number[]) {
    const bad = new Set<number>(from);
    for (const node of g.nodes)
      if (node.inputs.some((i) => g.producer.has(i) && bad.has(g.producer.get(i)!))) bad.add(node.index);
    return async (names: string[]) => {
      calls.push(names.length);
      return new Map(
        names.map((t) => [
          t,
          { comparable: true, maxAbs: bad.has(g.producer.get(t)!) ? 1 : 0, diverges: bad.has(g.producer.get(t)!) },
        ]),
      );
    };
  }

  it('finds the first divergent node of a 120-node graph in a few narrow probes', async () => {
    const g = readGraph(deepNet({ blocks: 30 }), 'b.onnx');
    const matches = matchTensors(g, g);
    for (const target of ['add_b2', 'tanh_17', 'res_29', 'matmul_0']) {
      const k = g.nodes.find((x) => x.name === target)!.index;
      const calls: number[] = [];
      const r = await searchDivergence({
        base: g,
        matches,
        failing: ['y'],
        probe: downstreamProbe(g, [k], calls),
        width: () => 4,
      });
      assert.equal(r.node, k, `${target}: found ${r.node === undefined ? r.reason : g.nodes[r.node].name}`);
      assert.ok(
        calls.every((c) => c <= 2 * 4 + 8),
        `probe sizes ${calls.join(',')}`,
      );
      assert.ok(calls.length <= 8, `${target}: ${calls.length} probes`);
      assert.ok(
        calls.reduce((a, b) => a + b, 0) < 60,
        `${target}: ${calls.reduce((a, b) => a + b, 0)} tensors marked in all`,
      );
    }
  });

  it('follows a divergent input back along a long skip connection the probes cannot see', async () => {
    // x -> 40 Tanh nodes -> Add(chain, skip), skip = Neg(x) made early: only skip, the Add and y diverge.
    const m = new ModelBuilder('skip');
    m.input('x', 'float32', ['batch', 4]);
    m.node('Neg', ['x'], ['skip'], {}, { name: 'skip' });
    let t = 'x';
    for (let i = 0; i < 40; i++) {
      m.node('Tanh', [t], [`c${i}`], {}, { name: `chain_${i}` });
      t = `c${i}`;
    }
    m.node('Add', [t, 'skip'], ['sum'], {}, { name: 'join' });
    m.node('Relu', ['sum'], ['y'], {}, { name: 'out' });
    m.output('y', 'float32', ['batch', 4]);
    const g = readGraph(m.toBytes(), 'skip.onnx');
    const skip = g.producer.get('skip')!;
    const r = await searchDivergence({
      base: g,
      matches: matchTensors(g, g),
      failing: ['y'],
      probe: downstreamProbe(g, [skip], []),
      width: () => 4,
    });
    assert.equal(r.node === undefined ? r.reason : g.nodes[r.node].name, 'skip');
  });

  it('with two independent divergences, settles on a node whose inputs all agree', async () => {
    const g = readGraph(deepNet({ blocks: 30 }), 'b.onnx');
    const first = g.nodes.find((x) => x.name === 'add_b5')!.index;
    const second = g.nodes.find((x) => x.name === 'add_b20')!.index;
    const r = await searchDivergence({
      base: g,
      matches: matchTensors(g, g),
      failing: ['y'],
      probe: downstreamProbe(g, [first, second], []),
      width: () => 3,
    });
    assert.equal(r.node, first);
  });
});
