import { attr, ModelBuilder } from './graph';
import { mulberry32, uniform } from './prng';

/** Knobs for {@link deepNet}: each variant is one refactor (or one bug) of the same network. */
export interface DeepNetOptions {
  /** Residual blocks of 4 nodes (MatMul, Add, Tanh, Add); default 14, i.e. 56 nodes plus the head. */
  blocks?: number;
  /** Adds `amount` to one bias element of this block: the Add `add_b{block}` is the node that diverges. */
  perturb?: { block: number; amount: number };
  /** Every node and intermediate tensor renamed (graph inputs and outputs keep their names). */
  renamed?: boolean;
  /** These blocks compute MatMul+Add as one Gemm (`gemm_{block}`, writing the Add's output). */
  fused?: readonly number[];
  /** Computes in float16 between a Cast of the input and a Cast of the output (float32 signature). */
  float16?: boolean;
  /** Wraps block 0's Tanh in an If (both branches Tanh) to exercise control-flow reporting. */
  withIf?: boolean;
  /** With `withIf`: the op of the branch taken (default Tanh); another op is a change inside the subgraph. */
  ifThenOp?: 'Tanh' | 'Sigmoid';
}

const DEEP_NET_WIDTH = 8;

/**
 * A residual MLP `x` [batch, 8] → `y` [batch, 4]: per block h = h + tanh(h·W + b), then a MatMul head.
 * Weights depend only on the seed, so every variant computes the same function up to its one change.
 */
export function deepNet(o: DeepNetOptions = {}): Uint8Array {
  const blocks = o.blocks ?? 14;
  const w = DEEP_NET_WIDTH;
  const rng = mulberry32(5);
  const m = new ModelBuilder('deep_net');
  const f16 = !!o.float16;
  const names = new Map<string, string>();
  // Renaming is what an exporter does between versions: opaque, position-free names.
  const t = (n: string): string => {
    if (!o.renamed || n === 'x' || n === 'y') return n;
    let renamed = names.get(n);
    if (renamed === undefined) {
      renamed = `t${(names.size * 7919) % 10007}`;
      names.set(n, renamed);
    }
    return renamed;
  };
  let nodeCount = 0;
  const nodeName = (n: string): string => (o.renamed ? `node_${String(1000 + nodeCount++ * 37).padStart(4, '0')}` : n);
  const weight = (name: string, dims: number[], data: Float32Array): string => {
    if (!f16) {
      m.initializer(t(name), dims, data);
      return t(name);
    }
    // float16 weights are stored as float32 and cast once: the builder writes float32/64, int and bool.
    m.initializer(t(`${name}_f32`), dims, data);
    m.node('Cast', [t(`${name}_f32`)], [t(name)], { to: attr.int(10) }, { name: nodeName(`cast_${name}`) });
    return t(name);
  };

  m.input('x', 'float32', ['batch', w]);
  let h = 'x';
  if (f16) {
    m.node('Cast', ['x'], [t('x16')], { to: attr.int(10) }, { name: nodeName('cast_in') });
    h = 'x16';
  }
  for (let b = 0; b < blocks; b++) {
    const W = uniform(rng, w * w, -0.6, 0.6);
    const bias = uniform(rng, w, -0.2, 0.2);
    if (o.perturb?.block === b) bias[3] += o.perturb.amount;
    const wn = weight(`W${b}`, [w, w], W);
    const bn = weight(`bias${b}`, [w], bias);
    if (o.fused?.includes(b)) {
      m.node('Gemm', [t(h), wn, bn], [t(`a${b}`)], {}, { name: nodeName(`gemm_${b}`) });
    } else {
      m.node('MatMul', [t(h), wn], [t(`mm${b}`)], {}, { name: nodeName(`matmul_${b}`) });
      m.node('Add', [t(`mm${b}`), bn], [t(`a${b}`)], {}, { name: nodeName(`add_b${b}`) });
    }
    if (o.withIf && b === 0) {
      const branch = (label: string): ModelBuilder => {
        const g = new ModelBuilder(label);
        g.node(
          label === 'then' ? (o.ifThenOp ?? 'Tanh') : 'Tanh',
          [t(`a${b}`)],
          [t(`${label}_out`)],
          {},
          { name: nodeName(`${label}_tanh`) },
        );
        g.output(t(`${label}_out`), f16 ? 'float16' : 'float32', undefined);
        return g;
      };
      m.initializer(t('cond'), [], new Uint8Array([1]), true);
      m.node(
        'If',
        [t('cond')],
        [t(`r${b}`)],
        { then_branch: attr.graph(branch('then')), else_branch: attr.graph(branch('else')) },
        { name: nodeName(`if_${b}`) },
      );
    } else {
      m.node('Tanh', [t(`a${b}`)], [t(`r${b}`)], {}, { name: nodeName(`tanh_${b}`) });
    }
    m.node('Add', [t(h), t(`r${b}`)], [t(`h${b}`)], {}, { name: nodeName(`res_${b}`) });
    h = `h${b}`;
  }
  const head = weight('Whead', [w, 4], uniform(rng, w * 4, -0.5, 0.5));
  if (f16) {
    m.node('MatMul', [t(h), head], [t('y16')], {}, { name: nodeName('head') });
    m.node('Cast', [t('y16')], ['y'], { to: attr.int(1) }, { name: nodeName('cast_out') });
  } else {
    m.node('MatMul', [t(h), head], ['y'], {}, { name: nodeName('head') });
  }
  m.output('y', 'float32', ['batch', 4]);
  return m.toBytes();
}
