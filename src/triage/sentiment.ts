/**
 * Lexicon sentiment: the `sentiment` package does the lookup and the sum, with one registered
 * language per lexicon (never `extras`, which leaks into later calls). Around it: phrases are
 * joined into single tokens first, and the scoring strategy applies what AFINN alone gets
 * wrong — negation that reaches past "very", intensifiers, "but", questions and politeness.
 * After the sum, a negation with nothing to negate ("still haven't heard back", "no heat")
 * counts as a small complaint: in a support inbox that is what it almost always is.
 */
import { createHash } from 'node:crypto';
import Sentiment from 'sentiment';
import type { SentimentConfig } from './config.js';
import type { Lexicon } from './lexicon.js';
import { isBoundary, QUESTION, SENTENCE } from './tokenize.js';
import type { SentimentLabel } from './types.js';

export interface SentimentScore {
  /** Sum of word scores after the rules, AFINN points (a word is -5..+5). */
  score: number;
  label: SentimentLabel;
  /** The words that moved the score, strongest first. */
  words: { word: string; score: number }[];
}

export type SentimentScorer = (tokens: readonly string[], lexicon: Lexicon, punctuation: Punctuation) => SentimentScore;

export interface Punctuation {
  exclamations: number;
  exasperated: number;
}

export function createSentimentScorer(config: SentimentConfig, lexicons: Iterable<Lexicon>): SentimentScorer {
  const engine = new Sentiment();
  const registered = new Map<Lexicon, { code: string; labels: Record<string, number> }>();
  for (const lex of lexicons) {
    // The package keeps languages in one process-wide table: a code per content keeps two
    // differently configured engines in one process apart.
    const code = `carebot-${lex.language}-${digest(lex.labels, config)}`;
    const labels = { ...lex.labels };
    engine.registerLanguage(code, { labels, scoringStrategy: strategy(lex, labels, config) });
    // Registration copies the package's emoji table over the labels; ours take precedence.
    for (const [emoji, score] of Object.entries(config.emoji)) labels[emoji] = score;
    registered.set(lex, { code, labels });
  }

  return (tokens, lexicon, { exclamations, exasperated }) => {
    const reg = registered.get(lexicon);
    if (!reg) throw new Error(`lexicon '${lexicon.language}' was not registered`);
    const joined = joinPhrases(tokens, lexicon);
    const result = engine.analyze(joined.join(' '), { language: reg.code });
    const words = result.calculation
      .map((c) => {
        const [word, s] = Object.entries(c)[0]!;
        return { word: word.replace(/-/g, ' '), score: Math.round(s * 10) / 10 };
      })
      .filter((w) => w.score !== 0);
    const unmet = unresolvedNegations(joined, lexicon, reg.labels, config.negation_window);
    if (unmet && config.negation_alone !== 0) words.push({ word: unmet, score: config.negation_alone });
    const boost = 1 + config.exclamation_boost * Math.min(exclamations, 3);
    const raw =
      result.score * boost + (unmet ? config.negation_alone : 0) + (exasperated > 0 ? config.exasperation : 0);
    const score = Math.round(raw * 10) / 10;
    words.sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
    return { score, label: labelOf(score, lexicon, config), words };
  };
}

export function labelOf(score: number, lexicon: Lexicon, config: SentimentConfig): SentimentLabel {
  if (score < (lexicon.negativeBelow ?? config.negative_below)) return 'negative';
  if (score >= (lexicon.positiveFrom ?? config.positive_from)) return 'positive';
  return 'neutral';
}

/** Multi-word entries become one token ("still waiting" → "still-waiting") so the package sees them. */
function joinPhrases(tokens: readonly string[], lexicon: Lexicon): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const m = lexicon.phrases.matchAt(tokens, i);
    if (m) {
      out.push(m.value);
      i += m.length;
    } else out.push(tokens[i++]!);
  }
  return out;
}

/**
 * The first negator whose window holds no scored word ("haven't heard back", "no heat"), or
 * '' when every negation found something to flip. Counted once per text: one unmet
 * expectation is the signal, repeating "not" does not make it worse.
 */
function unresolvedNegations(tokens: readonly string[], lex: Lexicon, labels: Record<string, number>, window: number): string {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!lex.negators.has(t)) continue;
    let resolved = false;
    for (let j = i + 1; j < tokens.length && j <= i + window; j++) {
      const u = tokens[j]!;
      if (isBoundary(u)) break;
      if (labels[u] !== undefined || lex.negators.has(u)) {
        resolved = true;
        break;
      }
    }
    if (!resolved) return t;
  }
  return '';
}

/** Where each token's sentence ends, whether it is a question and where its contrast word is. */
interface Sentences {
  /** Per token: the index of the sentence it belongs to. */
  of: Int32Array;
  question: boolean[];
  /** Per sentence: the index of its first contrast word, or -1. */
  contrast: number[];
  /** The text asks something (see `courtesy`). */
  asks: boolean;
}

function readSentences(tokens: readonly string[], lex: Lexicon): Sentences {
  const of = new Int32Array(tokens.length);
  const question: boolean[] = [];
  const contrast: number[] = [];
  let s = 0;
  let firstContrast = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    of[i] = s;
    if (firstContrast < 0 && lex.contrast.has(t)) firstContrast = i;
    if (t === SENTENCE || t === QUESTION || i === tokens.length - 1) {
      question.push(t === QUESTION);
      contrast.push(firstContrast);
      firstContrast = -1;
      s++;
    }
  }
  return { of, question, contrast, asks: question.includes(true) };
}

function strategy(lex: Lexicon, labels: Record<string, number>, config: SentimentConfig) {
  // The package calls `apply` once per scored token with the same array: read it once.
  let seen: string[] | undefined;
  let sentences: Sentences | undefined;
  /**
   * The text asks or complains: "thanks" and "please" there are politeness or sarcasm
   * ("thanks for the 3 hour delay"), not praise. Worked out only when such a word is scored.
   */
  let courtesy: boolean | undefined;
  return {
    apply(tokens: string[], cursor: number, tokenScore: number): number {
      if (tokens !== seen) {
        seen = tokens;
        sentences = readSentences(tokens, lex);
        courtesy = undefined;
      }
      const at = sentences!;
      const token = tokens[cursor]!;
      const next = tokens[cursor + 1];
      // An intensifier before a scored word lends it strength instead of scoring itself.
      if (lex.intensifiers.has(token) && next !== undefined && labels[next] !== undefined) return 0;
      let s = tokenScore;
      if (lex.politeness.has(token)) {
        courtesy ??= at.asks || tokens.some((t) => labels[t]! < 0);
        if (courtesy) s *= config.question_positive_factor;
      }
      for (let j = cursor - 1; j >= 0 && j >= cursor - 2; j--) {
        const m = lex.intensifiers.get(tokens[j]!);
        if (m === undefined) break;
        s *= m;
      }
      let negated = false;
      for (let j = cursor - 1; j >= 0 && j >= cursor - config.negation_window; j--) {
        const t = tokens[j]!;
        if (isBoundary(t)) break;
        if (!negated && lex.negators.has(t)) {
          s *= s > 0 ? config.negation_factor : config.negation_factor_negative;
          negated = true;
        }
        // "it would be great if…", "you should be ashamed": a wish or a what-if, not praise.
        if (s > 0 && lex.irrealis.has(t)) {
          s *= config.irrealis_factor;
          break;
        }
      }
      const sentence = at.of[cursor]!;
      const contrast = at.contrast[sentence]!;
      if (contrast >= 0 && cursor > contrast) s *= config.contrast_after;
      else if (contrast >= 0 && cursor < contrast) s *= config.contrast_before;
      // A question mostly asks after a problem ("any delays today?") or hopes ("any good news?").
      if (at.question[sentence]) s *= s > 0 ? config.question_positive_factor : config.question_negative_factor;
      return s;
    },
  };
}

function digest(labels: Record<string, number>, config: SentimentConfig): string {
  return createHash('sha1').update(JSON.stringify([labels, config])).digest('hex').slice(0, 12);
}
