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
    // `calculation` holds one { word: score } per entry of `words`, in the same order.
    const words: SentimentScore['words'] = [];
    result.words.forEach((word, i) => {
      const score = Math.round(result.calculation[i]![word]! * 10) / 10;
      if (score !== 0) words.push({ word: word.replaceAll('-', ' '), score });
    });
    const unmet = unresolvedNegations(joined, lexicon, reg.labels, config.negation_window);
    if (unmet && config.negation_alone !== 0) words.push({ word: unmet, score: config.negation_alone });
    const boost = 1 + config.exclamation_boost * Math.min(exclamations, 3);
    const raw = result.score * boost + (unmet ? config.negation_alone : 0) + (exasperated > 0 ? config.exasperation : 0);
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

function endsSentence(token: string): boolean {
  return token === SENTENCE || token === QUESTION;
}

/**
 * For each token, the end of its sentence (its sentence runs from after the previous sentence end
 * through its own, or through the last token) and the first contrast word in it (`end + 1` when none). One
 * pass per text: reading them around each scored token instead costs the length of the sentence
 * for each, so a sentence of n scored tokens (n emoji) would cost n².
 */
interface Sentences {
  end: Int32Array;
  contrast: Int32Array;
}

function sentencesOf(tokens: readonly string[], contrastWords: ReadonlySet<string>): Sentences {
  const n = tokens.length;
  const out: Sentences = { end: new Int32Array(n), contrast: new Int32Array(n) };
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n - 1 && !endsSentence(tokens[end]!)) end++;
    let contrast = start;
    while (contrast <= end && !contrastWords.has(tokens[contrast]!)) contrast++;
    out.end.fill(end, start, end + 1);
    out.contrast.fill(contrast, start, end + 1);
    start = end + 1;
  }
  return out;
}

function strategy(lex: Lexicon, labels: Record<string, number>, config: SentimentConfig) {
  // The package calls `apply` once per scored token with the same array: a new array is a new text.
  let seen: string[] | undefined;
  /** The sentences of `seen`, worked out on its first scored token. */
  let sentences: Sentences | undefined;
  /**
   * The text asks or complains: "thanks" and "please" there are politeness or sarcasm
   * ("thanks for the 3 hour delay"), not praise. Worked out only when such a word is scored.
   */
  let courtesy: boolean | undefined;
  /** The words scored below zero, for `courtesy`: a Set looks up the text's new strings faster than the object. */
  let negative: Set<string> | undefined;
  return {
    apply(tokens: string[], cursor: number, tokenScore: number): number {
      if (tokens !== seen) {
        seen = tokens;
        courtesy = undefined;
        sentences = sentencesOf(tokens, lex.contrast);
      }
      const token = tokens[cursor]!;
      const next = tokens[cursor + 1];
      // An intensifier before a scored word lends it strength instead of scoring itself.
      if (lex.intensifiers.has(token) && next !== undefined && labels[next] !== undefined) return 0;
      let s = tokenScore;
      if (lex.politeness.has(token)) {
        if (courtesy === undefined) {
          // Built on first use: registration completes the labels after this strategy is made.
          negative ??= new Set(Object.keys(labels).filter((k) => labels[k]! < 0));
          courtesy = tokens.includes(QUESTION) || tokens.some((t) => negative!.has(t));
        }
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
      // The token's sentence: from after the previous sentence end through its own, or through the last token.
      const end = sentences!.end[cursor]!;
      const contrast = sentences!.contrast[cursor]!;
      if (contrast <= end && cursor > contrast) s *= config.contrast_after;
      else if (contrast <= end && cursor < contrast) s *= config.contrast_before;
      // A question mostly asks after a problem ("any delays today?") or hopes ("any good news?").
      if (tokens[end] === QUESTION) s *= s > 0 ? config.question_positive_factor : config.question_negative_factor;
      return s;
    },
  };
}

function digest(labels: Record<string, number>, config: SentimentConfig): string {
  return createHash('sha1')
    .update(JSON.stringify([labels, config]))
    .digest('hex')
    .slice(0, 12);
}
