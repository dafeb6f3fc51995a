/**
 * The model a brand trains from its agents' corrections (`carebot train`): one softmax head per
 * label it has examples of (sentiment, category, complaint, needs-a-reply), over the features
 * of features.ts, which include the lexicon's verdict. Stored as JSON with the weights packed
 * sparsely in base64, so a file is a few MB and loads in milliseconds.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createEngine, type Engine, type EngineOptions, type Judgement, type Reading } from './engine.js';
import { defaultFeatureOptions, extractFeatures, featureView, type FeatureOptions, type Features } from './features.js';
import { defaultFitOptions, fitSoftmax, type FitOptions, type SoftmaxWeights } from './logreg.js';
import type { SentimentLabel, TrainingRow, TriageInput, TriageResult } from './types.js';

export const headNames = ['sentiment', 'category', 'complaint', 'needsResponse'] as const;
export type HeadName = (typeof headNames)[number];

export interface Head {
  classes: string[];
  weights: SoftmaxWeights;
}

export interface TriageModel {
  features: FeatureOptions;
  heads: Partial<Record<HeadName, Head>>;
  /** How many labelled rows it learned from. */
  rows: number;
  trainedAt: string;
}

/**
 * Lives here rather than in types.ts because it names TriageModel, whose parts come from modules
 * that themselves import types.ts.
 */
export interface Triage {
  triage(input: TriageInput): TriageResult;
  /** Judges from now on with this model on top of the rules, or with the rules alone. */
  useModel(model: TriageModel | undefined): void;
}

export interface TrainOptions extends EngineOptions {
  features?: Partial<FeatureOptions>;
  fit?: Partial<FitOptions>;
}

/** A training row read by the rules: what the model learns from. */
export interface Example {
  row: TrainingRow;
  x: Features;
}

const sentimentClasses: SentimentLabel[] = ['negative', 'neutral', 'positive'];
const booleanClasses = ['false', 'true'];

export function trainModel(rows: Iterable<TrainingRow>, opts: TrainOptions = {}): TriageModel {
  const features = { ...defaultFeatureOptions, ...opts.features };
  const engine = createEngine(opts);
  const examples: Example[] = [];
  for (const row of rows) examples.push({ row, x: featurize(engine, row, features) });
  return fitModel(examples, features, opts.fit);
}

/** The features of a labelled row, read as the rules would read it in production. */
export function featurize(engine: Engine, row: TrainingRow, features: FeatureOptions = defaultFeatureOptions): Features {
  const reading = engine.read(row.text, row.language);
  return extractFeatures(reading, engine.decide(reading, { text: row.text }), features);
}

/**
 * Yes/no heads weigh both answers the same: a missed complaint costs more than a card that
 * turns out to be chatter, and brands' corrections are rarely balanced.
 */
const headBalance: Record<HeadName, number> = { sentiment: 0, category: 0.5, complaint: 1, needsResponse: 1 };

export function fitModel(examples: readonly Example[], features: FeatureOptions, fit: Partial<FitOptions> = {}): TriageModel {
  const xs = examples.map((e) => e.x);
  const heads: Partial<Record<HeadName, Head>> = {};
  for (const name of headNames) {
    const values = examples.map((e) => labelOf(e.row, name));
    const classes =
      name === 'sentiment' ? sentimentClasses : name === 'category' ? [...new Set(values.filter(isString))].sort() : booleanClasses;
    const labels = Int32Array.from(values, (v) => (v === undefined ? -1 : classes.indexOf(v)));
    const seen = new Set(labels.filter((l) => l >= 0));
    if (seen.size < 2) continue;
    const options = { ...defaultFitOptions, balance: headBalance[name], ...fit };
    heads[name] = { classes, weights: fitSoftmax(xs, labels, classes.length, features.dim, options) };
  }
  if (Object.keys(heads).length === 0) {
    throw new Error('nothing to learn: the rows need at least two different values of sentiment, category, complaint or needsResponse');
  }
  return { features, heads, rows: examples.length, trainedAt: new Date().toISOString() };
}

function labelOf(row: TrainingRow, head: HeadName): string | undefined {
  const v = row[head];
  return v === undefined ? undefined : String(v);
}

function isString(v: string | undefined): v is string {
  return v !== undefined;
}

/**
 * The model's say on a mention read by the rules (`base` is what the rules alone decided).
 * The heads' weights are interleaved into one matrix, a feature's row for every head side by
 * side: one memory access per feature instead of one per head and feature. Rows are padded
 * to a multiple of LANES columns so that `dot` can sum them in registers.
 */
export function createPredictor(model: TriageModel): (reading: Reading, base: TriageResult) => Judgement {
  const heads = headNames.flatMap((name) => (model.heads[name] ? [{ name, head: model.heads[name] }] : []));
  // A yes/no head needs one column, the difference of its two classes' weights.
  const columns = (head: Head) => (head.classes.length === 2 ? 1 : head.classes.length);
  const offsets: number[] = [];
  let width = 0;
  for (const { head } of heads) {
    offsets.push(width);
    width += columns(head);
  }
  const { dim } = model.features;
  width = Math.ceil(width / LANES) * LANES;
  const packed = new Float32Array(dim * width);
  const bias = new Float64Array(width);
  heads.forEach(({ head }, h) => {
    const K = head.classes.length;
    const { w, bias: b } = head.weights;
    const at = offsets[h]!;
    if (K === 2) {
      for (let i = 0; i < dim; i++) packed[i * width + at] = w[i * 2 + 1]! - w[i * 2]!;
      bias[at] = b[1]! - b[0]!;
    } else {
      for (let i = 0; i < dim; i++) for (let k = 0; k < K; k++) packed[i * width + at + k] = w[i * K + k]!;
      bias.set(b, at);
    }
  });
  const logits = new Float64Array(width);
  const yesNo = new Float64Array(2);

  return (reading, base) => {
    const x = featureView(reading, base, model.features);
    dot(x, packed, width, bias, logits);
    const judgement: Judgement = { reasons: [] };
    const said: string[] = [];
    heads.forEach(({ name, head }, h) => {
      const at = offsets[h]!;
      let p: Float64Array;
      if (head.classes.length === 2) {
        yesNo[1] = 1 / (1 + Math.exp(-logits[at]!));
        yesNo[0] = 1 - yesNo[1];
        p = yesNo;
      } else p = softmax(logits.subarray(at, at + head.classes.length));
      let best = 0;
      for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
      const label = head.classes[best]!;
      const sure = percent(p[best]!);
      if (name === 'sentiment') {
        judgement.sentiment = { label: label as SentimentLabel, score: Math.round((p[2]! - p[0]!) * 50) / 10 };
        said.push(`${label} ${sure}`);
      } else if (name === 'category') {
        judgement.category = label;
        said.push(`${label} ${sure}`);
      } else if (name === 'complaint') {
        judgement.complaint = label === 'true';
        said.push(`${judgement.complaint ? 'complaint' : 'no complaint'} ${sure}`);
      } else {
        judgement.needsResponse = label === 'true';
        said.push(`${judgement.needsResponse ? 'needs a reply' : 'no reply needed'} ${sure}`);
      }
    });
    judgement.reasons.push(`model: ${said.join(', ')}`);
    return judgement;
  };
}

const LANES = 8;

/**
 * out = bias + x · W, LANES columns at a time with the sums in locals: a plain loop over the
 * columns loads and stores `out[t]` for every weight, which cost twice what the sums do. The
 * rows a mention touches (a few hundred) stay in L1 between the column passes.
 */
function dot(x: Features, w: Float32Array, width: number, bias: Float64Array, out: Float64Array): void {
  const { idx, val } = x;
  const n = idx.length;
  for (let t = 0; t < width; t += LANES) {
    let a0 = bias[t]!,
      a1 = bias[t + 1]!,
      a2 = bias[t + 2]!,
      a3 = bias[t + 3]!;
    let a4 = bias[t + 4]!,
      a5 = bias[t + 5]!,
      a6 = bias[t + 6]!,
      a7 = bias[t + 7]!;
    for (let j = 0; j < n; j++) {
      const r = idx[j]! * width + t;
      const v = val[j]!;
      a0 += w[r]! * v;
      a1 += w[r + 1]! * v;
      a2 += w[r + 2]! * v;
      a3 += w[r + 3]! * v;
      a4 += w[r + 4]! * v;
      a5 += w[r + 5]! * v;
      a6 += w[r + 6]! * v;
      a7 += w[r + 7]! * v;
    }
    out[t] = a0;
    out[t + 1] = a1;
    out[t + 2] = a2;
    out[t + 3] = a3;
    out[t + 4] = a4;
    out[t + 5] = a5;
    out[t + 6] = a6;
    out[t + 7] = a7;
  }
}

/** Logits → probabilities, in place. */
function softmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k]! - max);
    sum += z[k]!;
  }
  for (let k = 0; k < z.length; k++) z[k]! /= sum;
  return z;
}

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

// ---- the model file ----

const FORMAT = 'carebot-triage-model';
const VERSION = 2;

interface HeadFile {
  classes: string[];
  bias: number[];
  /** base64 Int32: the feature rows that have weights. */
  rows: string;
  /** base64 Float32: those rows' weights, `classes` per row. */
  weights: string;
}

export function serializeModel(model: TriageModel): string {
  const heads: Record<string, HeadFile> = {};
  for (const [name, head] of Object.entries(model.heads)) {
    const { w, classes, dim } = head.weights;
    const rows: number[] = [];
    for (let i = 0; i < dim; i++) {
      for (let k = 0; k < classes; k++) {
        if (Math.abs(w[i * classes + k]!) > 1e-6) {
          rows.push(i);
          break;
        }
      }
    }
    const packed = new Float32Array(rows.length * classes);
    rows.forEach((i, r) => {
      packed.set(w.subarray(i * classes, (i + 1) * classes), r * classes);
    });
    heads[name] = {
      classes: head.classes,
      bias: [...head.weights.bias],
      rows: base64(new Int32Array(rows)),
      weights: base64(packed),
    };
  }
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    trainedAt: model.trainedAt,
    rows: model.rows,
    features: model.features,
    heads,
  });
}

export function parseModel(json: string): TriageModel {
  const data = JSON.parse(json) as {
    format?: string;
    version?: number;
    trainedAt?: string;
    rows?: number;
    features?: FeatureOptions;
    heads?: Record<string, HeadFile>;
  };
  if (data.format !== FORMAT) throw new Error(`not a carebot triage model (format ${JSON.stringify(data.format)})`);
  if (data.version !== VERSION) throw new Error(`unsupported triage model version ${data.version}; retrain with this carebot`);
  const features = data.features;
  if (!features || !Number.isInteger(Math.log2(features.dim))) throw new Error('triage model: bad feature settings');
  const heads: Partial<Record<HeadName, Head>> = {};
  for (const [name, h] of Object.entries(data.heads ?? {})) {
    if (!(headNames as readonly string[]).includes(name)) throw new Error(`triage model: unknown head '${name}'`);
    const K = h.classes.length;
    const rows = new Int32Array(unbase64(h.rows));
    const packed = new Float32Array(unbase64(h.weights));
    if (packed.length !== rows.length * K || h.bias.length !== K) throw new Error(`triage model: head '${name}' is damaged`);
    const w = new Float32Array(features.dim * K);
    rows.forEach((i, r) => {
      w.set(packed.subarray(r * K, (r + 1) * K), i * K);
    });
    heads[name as HeadName] = { classes: h.classes, weights: { classes: K, dim: features.dim, w, bias: Float32Array.from(h.bias) } };
  }
  return { features, heads, rows: data.rows ?? 0, trainedAt: data.trainedAt ?? '' };
}

export async function loadModel(file: string): Promise<TriageModel> {
  try {
    return parseModel(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot load triage model ${file}: ${(err as Error).message}`);
  }
}

/** Written beside and renamed over: a service watching the file never reads half of it. */
export async function saveModel(model: TriageModel, file: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, serializeModel(model));
  await rename(partial, file);
}

function base64(a: Int32Array | Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function unbase64(s: string): ArrayBuffer {
  const b = Buffer.from(s, 'base64');
  // Copy into a fresh, aligned buffer: typed arrays need 4-byte alignment.
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
