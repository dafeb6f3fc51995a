/**
 * The trained model's view of a mention, as hashed sparse features (no vocabulary to store):
 * words (marked when negated), word pairs, character 2–4-grams of the whole text (spelling
 * variants, morphology, emoji, "??!", languages without a lexicon), and what the rules already
 * concluded — the lexicon score and its parts, question, spam, category, complaint — so the
 * model learns on top of the lexicon instead of from scratch.
 */
import type { Reading } from './engine.js';
import { isBoundary } from './tokenize.js';
import type { TriageResult } from './types.js';

export interface FeatureOptions {
  /** Hash space, a power of two. */
  dim: number;
  /** Character n-gram lengths, inclusive. */
  charMin: number;
  charMax: number;
}

export const defaultFeatureOptions: FeatureOptions = { dim: 1 << 19, charMin: 2, charMax: 4 };

export interface Features {
  idx: Int32Array;
  val: Float32Array;
}

// One seed per kind of feature keeps "word:down" and "char:down" apart in the hash space.
const WORD = 0x811c9dc5;
const NEGATED = 0x2f5a1c39;
const PAIR = 0x6b43a9b5;
const CHAR = 0x1b873593;
const META = 0x5bd1e995;
/** A clause or sentence end, as a word: pairs with it mark how sentences open and close. */
const BOUNDARY = hash(WORD, '|');
/** Words after a negator that read as negated ("not very happy"). */
const NEGATION_REACH = 3;

/** Hashes of the text being featurized, block after block; reused so that a call allocates little. */
let scratch = new Int32Array(4096);

export function extractFeatures(r: Reading, base: TriageResult, opts: FeatureOptions): Features {
  const view = featureView(r, base, opts);
  return { idx: view.idx.slice(), val: view.val.slice() };
}

/**
 * The same features in buffers that the next call overwrites: for predicting, which reads
 * them at once, without copying.
 */
export function featureView(r: Reading, base: TriageResult, opts: FeatureOptions): Features {
  const mask = opts.dim - 1;
  const text = ` ${r.text
    .toLowerCase()
    .replace(LINK_OR_HANDLE, (m) => (m[0] === '@' ? '@' : 'http'))
    .replace(/\s+/g, ' ')} `;
  const most = 2 * r.words.length + 2 + text.length * (opts.charMax - opts.charMin + 1);
  if (scratch.length < most) scratch = new Int32Array(most * 2);
  const h = scratch;
  // Words from 0, pairs from after the most words there can be, then character n-grams.
  let words = 0;
  let n = r.words.length;
  let negated = 0;
  let prev = BOUNDARY;
  for (const raw of r.words) {
    const boundary = isBoundary(raw);
    const w = boundary ? '|' : /^\d+$/.test(raw) ? '0' : raw;
    const cur = boundary ? BOUNDARY : hash(WORD, w);
    if (boundary) negated = 0;
    else {
      h[words++] = (negated > 0 ? hash(NEGATED, w) : cur) & mask;
      if (negated > 0) negated--;
      if (r.lexicon.negators.has(w)) negated = NEGATION_REACH;
    }
    if (!(boundary && prev === cur)) h[n++] = mix(PAIR ^ prev, cur) & mask;
    prev = cur;
  }
  h[n++] = mix(PAIR ^ prev, BOUNDARY) & mask;
  const pairsEnd = n;
  n = charGrams(text, opts, mask, h, n);

  const out = new Builder(n + META_ROOM);
  // Each block weighs the same whatever the text's length (unit norm per block); a word seen
  // twice counts 1 + ln 2, not 2.
  out.block(h.subarray(0, words));
  out.block(h.subarray(r.words.length, pairsEnd));
  out.block(h.subarray(pairsEnd, n));
  metaFeatures(r, base, (name, value, v = 1) => out.add(metaHash(name, value) & mask, v));
  return out.done();
}

/** Room for what metaFeatures adds (22 today): a typed array drops writes past its end. */
const META_ROOM = 64;

/** What the rules concluded, as features: the model starts from the lexicon's judgement. */
function metaFeatures(r: Reading, base: TriageResult, add: (name: string, value: Value, v?: number) => void): void {
  let positive = 0;
  let negative = 0;
  for (const w of r.lexical.words) {
    if (w.score > 0) positive += w.score;
    else negative -= w.score;
  }
  const s = r.stats;
  add('lex', r.lexical.label);
  add('lex:score', undefined, Math.tanh(r.lexical.score / 4));
  add('lex:bucket', Math.max(-6, Math.min(6, Math.round(r.lexical.score))));
  // These two hash like the label above ("lex" + "positive" is "lex:positive"), so label and
  // strength share a weight. Naming them apart changed no eval figure beyond noise and would
  // void every model file (a VERSION bump), so they stay.
  add('lex:positive', undefined, Math.tanh(positive / 3));
  add('lex:negative', undefined, Math.tanh(negative / 3));
  // Praise words next to complaint words: often sarcasm ("thanks for ruining my morning").
  add('lex:mixed', positive > 0 && negative > 0);
  add('lang', r.language);
  add('cat', base.category);
  add('complaint', base.complaint);
  add('reply', base.needsResponse);
  add('question', r.question);
  add('question:negative', r.question && r.lexical.score < 0);
  add('spam', base.spam);
  add('exclaim', Math.min(s.exclamations, 3));
  add('exasperated', s.exasperated > 0);
  add('shouting', s.caps > 0.5);
  add('links', Math.min(s.urls, 2));
  add('mentions', Math.min(s.mentions, 2));
  add('hashtags', Math.min(s.hashtags, 3));
  // Addressed to someone (a brand) rather than said to the world.
  add('addressed', /^\s*@/.test(r.text));
  add('length', Math.min(5, Math.floor(r.words.length / 6)));
  add('bias', undefined);
}

type Value = string | number | boolean | undefined;

/**
 * The hash of "name:value" (or of "name" alone), remembered: the values come from small sets,
 * and building and hashing 22 strings per mention cost as much as the dot product.
 */
const metaHashes = new Map<string, Map<Value, number>>();

function metaHash(name: string, value: Value): number {
  let byValue = metaHashes.get(name);
  if (!byValue) {
    byValue = new Map();
    metaHashes.set(name, byValue);
  }
  let h = byValue.get(value);
  if (h === undefined) {
    h = hash(META, value === undefined ? name : `${name}:${value}`);
    byValue.set(value, h);
  }
  return h;
}

/**
 * Character n-grams of the text (lowercased, links and @handles reduced to a placeholder),
 * written into `out` from `n` on: they carry the writer's punctuation, emoji and spelling,
 * which the word tokens normalize away. Returns the new end.
 */
function charGrams(s: string, opts: FeatureOptions, mask: number, out: Int32Array, n: number): number {
  for (let i = 0; i < s.length; i++) {
    let h = CHAR;
    for (let k = 1; k <= opts.charMax && i + k <= s.length; k++) {
      h = Math.imul(h ^ s.charCodeAt(i + k - 1), 16777619);
      if (k >= opts.charMin) out[n++] = finish(h) & mask;
    }
  }
  return n;
}

const LINK_OR_HANDLE = /https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_]+/gu;

/**
 * Counts equal hashes in one pass with a small open-addressing table (stamped per block, so it
 * is never cleared): sorting every block cost more than the rest of featurizing together.
 */
const counter = {
  keys: new Int32Array(1024),
  counts: new Int32Array(1024),
  stamps: new Int32Array(1024),
  order: new Int32Array(512),
  stamp: 0,
};

function growCounter(distinct: number): void {
  let size = counter.keys.length;
  while (size < distinct * 2) size *= 2;
  if (size === counter.keys.length) return;
  Object.assign(counter, {
    keys: new Int32Array(size),
    counts: new Int32Array(size),
    stamps: new Int32Array(size),
    order: new Int32Array(size / 2),
  });
}

/** Collects blocks of hashed features into one sparse vector (in reused buffers until `done`). */
class Builder {
  private static idx = new Int32Array(2048);
  private static val = new Float32Array(2048);
  private readonly idx: Int32Array;
  private readonly val: Float32Array;
  private n = 0;

  constructor(capacity: number) {
    if (Builder.idx.length < capacity) {
      Builder.idx = new Int32Array(capacity * 2);
      Builder.val = new Float32Array(capacity * 2);
    }
    this.idx = Builder.idx;
    this.val = Builder.val;
  }

  /** Counts of equal hashes, dampened (1 + ln count) and scaled to unit length. */
  block(hashes: Int32Array): void {
    if (hashes.length === 0) return;
    growCounter(hashes.length);
    const { keys, counts, stamps, order } = counter;
    const mask = keys.length - 1;
    const stamp = ++counter.stamp;
    let distinct = 0;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]!;
      let slot = (Math.imul(h, 0x9e3779b1) >>> 0) & mask;
      while (stamps[slot] === stamp && keys[slot] !== h) slot = (slot + 1) & mask;
      if (stamps[slot] === stamp) counts[slot]!++;
      else {
        stamps[slot] = stamp;
        keys[slot] = h;
        counts[slot] = 1;
        order[distinct++] = slot;
      }
    }
    const start = this.n;
    let norm = 0;
    for (let i = 0; i < distinct; i++) {
      const slot = order[i]!;
      const c = counts[slot]!;
      const v = c === 1 ? 1 : 1 + Math.log(c);
      this.idx[this.n] = keys[slot]!;
      this.val[this.n++] = v;
      norm += v * v;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let i = start; i < this.n; i++) this.val[i]! *= scale;
  }

  add(index: number, value: number): void {
    this.idx[this.n] = index;
    this.val[this.n++] = value;
  }

  done(): Features {
    return { idx: this.idx.subarray(0, this.n), val: this.val.subarray(0, this.n) };
  }
}

/** FNV-1a over the string's UTF-16 units, with a final avalanche. */
function hash(seed: number, s: string): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return finish(h);
}

function mix(a: number, b: number): number {
  return finish(Math.imul(a ^ Math.imul(b, 0x9e3779b1), 16777619));
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
