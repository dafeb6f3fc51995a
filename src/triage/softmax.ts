/**
 * Multinomial logistic regression over sparse hashed features, trained with AdaGrad: small,
 * deterministic (seeded shuffling) and fast enough to retrain a brand's model in seconds.
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
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export const defaultFitOptions: FitOptions = { epochs: 8, learningRate: 0.4, l2: 1e-6, seed: 1 };

/** `labels[i]` is the class of `examples[i]`; examples with -1 are skipped. */
export function fitSoftmax(
  examples: readonly Features[],
  labels: Int32Array,
  classes: number,
  dim: number,
  opts: FitOptions = defaultFitOptions,
): SoftmaxWeights {
  const w = new Float32Array(dim * classes);
  const g2 = new Float32Array(dim * classes);
  const bias = new Float32Array(classes);
  const bg2 = new Float32Array(classes);
  const p = new Float64Array(classes);
  const order = [...labels.keys()].filter((i) => labels[i]! >= 0);
  const random = mulberry32(opts.seed);
  const model = { classes, dim, w, bias };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffle(order, random);
    for (const e of order) {
      const x = examples[e]!;
      probabilities(model, x, p);
      const y = labels[e]!;
      for (let k = 0; k < classes; k++) {
        const grad = p[k]! - (k === y ? 1 : 0);
        bg2[k]! += grad * grad;
        bias[k]! -= (opts.learningRate * grad) / Math.sqrt(bg2[k]! + 1e-8);
        for (let j = 0; j < x.idx.length; j++) {
          const at = x.idx[j]! * classes + k;
          const gj = grad * x.val[j]! + opts.l2 * w[at]!;
          g2[at]! += gj * gj;
          w[at]! -= (opts.learningRate * gj) / Math.sqrt(g2[at]! + 1e-8);
        }
      }
    }
  }
  return model;
}

/** Class probabilities of `x`, written into `out`. */
export function probabilities(m: SoftmaxWeights, x: Features, out: Float64Array): void {
  const K = m.classes;
  for (let k = 0; k < K; k++) out[k] = m.bias[k]!;
  for (let j = 0; j < x.idx.length; j++) {
    const base = x.idx[j]! * K;
    const v = x.val[j]!;
    for (let k = 0; k < K; k++) out[k]! += m.w[base + k]! * v;
  }
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, out[k]!);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    out[k] = Math.exp(out[k]! - max);
    sum += out[k]!;
  }
  for (let k = 0; k < K; k++) out[k]! /= sum;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
