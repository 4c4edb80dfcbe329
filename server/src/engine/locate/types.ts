import type { MatchMethod } from './match';

/** A node named in a divergence report. */
export interface LocatedNode {
  /** The node's name (or `Op(output)` when the model leaves node names empty). */
  name: string;
  opType: string;
  /** The output tensor compared. */
  output: string;
}

/** A node on the way from the first divergence to a failing output. */
export interface PathNode extends LocatedNode {
  /** Largest |Δ| of its output over the located fixtures; absent when the node was not compared. */
  maxAbs?: number;
  diverges?: boolean;
}

/**
 * Where two models first part ways (`verify --locate`): the earliest baseline node, in topological order,
 * whose output diverges while all its matched inputs agree, on the worst failing fixtures.
 */
export interface Divergence {
  found: boolean;
  /** Why no node was found (never a silent blank). */
  reason?: string;
  baseline?: LocatedNode;
  candidate?: LocatedNode;
  /** Largest |Δ| over the node's matched activation inputs (0: they are equal). */
  inputMaxAbs?: number;
  outputMaxAbs?: number;
  /** How the divergent output was matched to the candidate's tensor. */
  matchedBy?: MatchMethod;
  /** Baseline nodes the candidate node replaces (a fused or folded chain), in order; empty otherwise. */
  replacedChain: string[];
  /** Set when the divergent node holds subgraphs (If/Loop/Scan): the search stops at that node. */
  controlFlow?: string;
  /** Nodes from the divergence down to a failing output (the divergent node first); compared ones carry maxAbs. */
  path: PathNode[];
  /** Tensor pairs compared, inference rounds (each runs both models once per fixture) and time taken. */
  compared: number;
  rounds: number;
  ms: number;
  /** Fixture cases the search ran on (worst first). */
  fixtures: string[];
  /** How many baseline activation tensors were matched, by each method, and how many were not. */
  matching: Record<MatchMethod | 'unmatched', number>;
}
