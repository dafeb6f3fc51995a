/**
 * The trained model's view of a mention, as hashed sparse features (no vocabulary to store):
 * words (marked when negated), word pairs, character n-grams (spelling variants, morphology,
 * languages without a lexicon), and what the rules already concluded — the lexicon score,
 * question, spam, category, complaint — so the model learns on top of the lexicon.
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

export const defaultFeatureOptions: FeatureOptions = { dim: 1 << 18, charMin: 2, charMax: 4 };

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

export function extractFeatures(r: Reading, base: TriageResult, opts: FeatureOptions): Features {
  const mask = opts.dim - 1;
  const words: number[] = [];
  const pairs: number[] = [];
  const chars: number[] = [];
  let negated = 0;
  let prev = hash(WORD, '|');
  for (const raw of r.words) {
    const boundary = isBoundary(raw);
    const w = boundary ? '|' : /^\d+$/.test(raw) ? '0' : raw;
    if (boundary) negated = 0;
    else {
      words.push(hash(negated > 0 ? NEGATED : WORD, w) & mask);
      if (negated > 0) negated--;
      if (r.lexicon.negators.has(w)) negated = 3;
      if (w.length > 1 && /\p{L}/u.test(w)) charGrams(w, opts, mask, chars);
    }
    const cur = hash(WORD, w);
    if (!(boundary && prev === cur)) pairs.push(mix(PAIR ^ prev, cur) & mask);
    prev = cur;
  }
  pairs.push(mix(PAIR ^ prev, hash(WORD, '|')) & mask);

  const meta: [string, number][] = [
    [`lex:${r.lexical.label}`, 1],
    ['lex:score', Math.tanh(r.lexical.score / 4)],
    [`lex:bucket:${Math.max(-6, Math.min(6, Math.round(r.lexical.score)))}`, 1],
    [`lang:${r.language}`, 1],
    [`cat:${base.category}`, 1],
    [`complaint:${base.complaint}`, 1],
    [`reply:${base.needsResponse}`, 1],
    [`question:${r.question}`, 1],
    [`spam:${base.spam}`, 1],
    [`exclaim:${Math.min(r.stats.exclamations, 3)}`, 1],
    [`links:${Math.min(r.stats.urls, 2)}`, 1],
    ['bias', 1],
  ];

  const blocks = [words, pairs, chars];
  const n = blocks.reduce((s, b) => s + b.length, 0) + meta.length;
  const idx = new Int32Array(n);
  const val = new Float32Array(n);
  let k = 0;
  // Each block weighs the same whatever the text's length (unit norm per block).
  for (const b of blocks) {
    const v = b.length ? 1 / Math.sqrt(b.length) : 0;
    for (const h of b) {
      idx[k] = h;
      val[k++] = v;
    }
  }
  for (const [name, v] of meta) {
    idx[k] = hash(META, name) & mask;
    val[k++] = v;
  }
  return { idx, val };
}

function charGrams(w: string, opts: FeatureOptions, mask: number, out: number[]): void {
  const s = `<${w}>`;
  for (let i = 0; i < s.length; i++) {
    let h = CHAR;
    for (let n = 1; n <= opts.charMax && i + n <= s.length; n++) {
      h = Math.imul(h ^ s.charCodeAt(i + n - 1), 16777619);
      if (n >= opts.charMin) out.push(finish(h) & mask);
    }
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
