/**
 * Multinomial logistic regression with L2 over sparse hashed features, fitted to the optimum
 * by L-BFGS: deterministic (no shuffling, no learning rate to tune), so the same rows always
 * give the same model and the only knob that matters is the regularization strength.
 * Training works in a compact index space (only the features the rows use), which keeps the
 * optimizer's memory proportional to the data, not to the hash space.
 */
import type { Features } from './features.js';

export interface SoftmaxWeights {
  classes: number;
  dim: number;
  /** Row-major: weight of feature i for class k is w[i * classes + k]. */
  w: Float32Array;
  bias: Float32Array;
}

export interface FitOptions {
  /** L2 strength on the weights (the biases are free), per mean-weighted-row loss. */
  l2: number;
  maxIterations: number;
  /**
   * 0: every row counts the same; 1: every class weighs the same in total (rare classes are
   * not drowned out). In between is a compromise.
   */
  balance: number;
}

export const defaultFitOptions: FitOptions = { l2: 1e-4, maxIterations: 100, balance: 0 };

/** `labels[i]` is the class of `examples[i]`; examples with -1 are skipped. */
export function fitSoftmax(
  examples: readonly Features[],
  labels: Int32Array,
  classes: number,
  dim: number,
  opts: FitOptions = defaultFitOptions,
): SoftmaxWeights {
  const data = compact(examples, labels);
  const K = classes;
  const F = data.features.length;
  const rowWeight = classWeights(data.labels, K, opts.balance);
  const theta = new Float64Array(F * K + K);
  const grad = new Float64Array(theta.length);
  const p = new Float64Array(K);

  const { start, col, val } = data;
  const ys = data.labels;
  const rows = ys.length;
  const biasAt = F * K;
  const objective = (x: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const from = start[r]!;
      const to = start[r + 1]!;
      for (let k = 0; k < K; k++) p[k] = x[biasAt + k]!;
      for (let j = from; j < to; j++) {
        const base = col[j]! * K;
        const v = val[j]!;
        for (let k = 0; k < K; k++) p[k]! += x[base + k]! * v;
      }
      const y = ys[r]!;
      const c = rowWeight[r]!;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (p[k]! > max) max = p[k]!;
      const logit = p[y]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        p[k] = Math.exp(p[k]! - max);
        sum += p[k]!;
      }
      loss += c * (max + Math.log(sum) - logit);
      for (let k = 0; k < K; k++) {
        const d = c * (p[k]! / sum - (k === y ? 1 : 0));
        p[k] = d;
        g[biasAt + k]! += d;
      }
      for (let j = from; j < to; j++) {
        const base = col[j]! * K;
        const v = val[j]!;
        for (let k = 0; k < K; k++) g[base + k]! += p[k]! * v;
      }
    }
    let reg = 0;
    const l2 = opts.l2;
    for (let i = 0; i < biasAt; i++) {
      const w = x[i]!;
      reg += w * w;
      g[i]! += l2 * w;
    }
    return loss + 0.5 * l2 * reg;
  };

  lbfgs(objective, theta, grad, opts.maxIterations);

  const w = new Float32Array(dim * K);
  data.features.forEach((f, i) => {
    for (let k = 0; k < K; k++) w[f * K + k] = theta[i * K + k]!;
  });
  return { classes: K, dim, w, bias: Float32Array.from(theta.subarray(F * K)) };
}

/** The labelled rows as one sparse matrix over the features they use. */
interface Compact {
  /** Compact index → feature id in the hash space. */
  features: number[];
  start: Int32Array;
  col: Int32Array;
  val: Float64Array;
  labels: Int32Array;
}

function compact(examples: readonly Features[], labels: Int32Array): Compact {
  const index = new Map<number, number>();
  const features: number[] = [];
  const rows = [...labels.keys()].filter((i) => labels[i]! >= 0);
  let nnz = 0;
  for (const i of rows) nnz += examples[i]!.idx.length;
  const start = new Int32Array(rows.length + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let at = 0;
  rows.forEach((i, r) => {
    const x = examples[i]!;
    for (let j = 0; j < x.idx.length; j++) {
      let c = index.get(x.idx[j]!);
      if (c === undefined) {
        c = features.length;
        index.set(x.idx[j]!, c);
        features.push(x.idx[j]!);
      }
      col[at] = c;
      val[at++] = x.val[j]!;
    }
    start[r + 1] = at;
  });
  return { features, start, col, val, labels: Int32Array.from(rows, (i) => labels[i]!) };
}

/** Per-row weights, normalized to a mean of 1/n so the loss is a weighted mean. */
function classWeights(labels: Int32Array, K: number, balance: number): Float64Array {
  const counts = new Array<number>(K).fill(0);
  for (const y of labels) counts[y]!++;
  const n = labels.length;
  const perClass = counts.map((c) => (c === 0 ? 0 : (n / (K * c)) ** balance));
  const total = counts.reduce((s, c, k) => s + c * perClass[k]!, 0);
  return Float64Array.from(labels, (y) => perClass[y]! / total);
}

type Objective = (x: Float64Array, g: Float64Array) => number;

/** Limited-memory BFGS with a backtracking (Armijo) line search; minimizes `f` in place of `x`. */
function lbfgs(f: Objective, x: Float64Array, g: Float64Array, maxIterations: number, memory = 7): void {
  const n = x.length;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let fx = f(x, g);
  for (let iter = 0; iter < maxIterations; iter++) {
    // Two-loop recursion: d = -H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let m = s.length - 1; m >= 0; m--) {
      alpha[m] = rho[m]! * dot(s[m]!, d);
      axpy(-alpha[m]!, y[m]!, d);
    }
    if (s.length > 0) {
      const last = s.length - 1;
      scale(d, dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!));
    } else scale(d, 1 / Math.max(1, Math.sqrt(dot(g, g))));
    for (let m = 0; m < s.length; m++) {
      const beta = rho[m]! * dot(y[m]!, d);
      axpy(alpha[m]! - beta, s[m]!, d);
    }
    const slope = dot(g, d);
    if (slope >= 0) break; // not a descent direction: numerically converged
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) break;
    const sNext = s.length === memory ? s.shift()! : new Float64Array(n);
    const yNext = y.length === memory ? y.shift()! : new Float64Array(n);
    if (rho.length === memory) rho.shift();
    for (let i = 0; i < n; i++) {
      sNext[i] = xNew[i]! - x[i]!;
      yNext[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sNext, yNext);
    const done = (fx - fNew) / Math.max(1, Math.abs(fNew)) < 1e-7;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (sy > 1e-12) {
      s.push(sNext);
      y.push(yNext);
      rho.push(1 / sy);
    }
    if (done) break;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}
