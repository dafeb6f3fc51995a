/**
 * The rule-based triage pipeline in reading order: tokens → language → lexicon sentiment →
 * spam and question → category → complaint and needs-a-reply → priority. A trained model
 * (model.ts) reads the same `Reading` and may overrule the sentiment, category and flags.
 */
import { createCategorizer, type CategoryResult } from './category.js';
import { loadConfig, type ConfigOptions, type TriageConfig } from './config.js';
import { createFlagRules, type Cues, type Verdict } from './flags.js';
import { createLanguageDetector, type FallbackDetector } from './language.js';
import { buildLexicons, type Lexicon } from './lexicon.js';
import { PhraseLists, type Found, type PhraseIndex } from './phrases.js';
import { createPrioritizer } from './priority.js';
import { createSentimentScorer, type SentimentScore } from './sentiment.js';
import { fold, isBoundary, normalizeEmoticon, tokenize, type Tokens } from './tokenize.js';
import type { SentimentLabel, TriageInput, TriageResult } from './types.js';

/** What the rules read off a text before any decision. */
export interface Reading {
  text: string;
  stats: Tokens;
  /** Tokens after the language's aliases ("pls" → "please"). */
  words: string[];
  /** The same, accent-insensitive, for keyword lists. */
  folded: string[];
  /** What each keyword list of the rules found in `folded`. */
  found: Found<KeywordLists>;
  language: string;
  lexicon: Lexicon;
  lexical: SentimentScore;
  question: boolean;
  spam: Verdict;
}

/** A trained model's say on a mention; what it leaves out, the rules decide. */
export interface Judgement {
  sentiment?: { label: SentimentLabel; score: number };
  category?: string;
  complaint?: boolean;
  needsResponse?: boolean;
  reasons: string[];
}

/** The rules' keyword lists, read over a post in one pass (`PhraseLists`). */
type KeywordLists = Cues<PhraseIndex<true>> & { category: PhraseIndex<number[]>; urgent: PhraseIndex<true> };

export interface Engine {
  config: TriageConfig;
  /** `language` skips detection (training rows that carry it). */
  read(text: string, language?: string): Reading;
  decide(reading: Reading, input: TriageInput, judgement?: Judgement): TriageResult;
}

export interface EngineOptions extends ConfigOptions {
  /** Handles (with or without "@") or author ids whose mentions get the VIP bump. */
  vip?: string[];
  /** Replaces eld as the detector of last resort (scripts/eval.ts compares detectors with it). */
  detector?: FallbackDetector;
}

export function createEngine(opts: EngineOptions = {}): Engine {
  const config = loadConfig(opts);
  const lexicons = buildLexicons(config);
  const fallback = lexicons.get(config.sentiment.fallback_language);
  if (!fallback) throw new Error(`fallback_language '${config.sentiment.fallback_language}' has no lexicon`);
  const known = new Set<string>();
  for (const lex of lexicons.values()) {
    for (const key of Object.keys(lex.labels)) known.add(key);
    for (const key of lex.aliases.keys()) known.add(key);
  }
  const tokenizeOpts = {
    emoticons: new Map(Object.entries(config.sentiment.emoticons).map(([k, v]) => [normalizeEmoticon(k), v])),
    known: (w: string) => known.has(w),
  };
  const detect = createLanguageDetector(config, opts.detector);
  const score = createSentimentScorer(config.sentiment, lexicons.values());
  const issues = new Set(config.flags.complaint.issue_categories);
  const categorizer = createCategorizer(config.taxonomy, issues);
  const flags = createFlagRules(config.flags);
  const prioritizer = createPrioritizer(config.priority);
  const keywords = new PhraseLists<KeywordLists>({ ...flags.cues, category: categorizer.keywords, urgent: prioritizer.urgent });
  const vip = new Map((opts.vip ?? []).map((v) => [v.replace(/^@/, '').toLowerCase(), v]));

  return {
    config,

    read(text, language) {
      const stats = tokenize(text, tokenizeOpts);
      const lang = language ?? detect(stats.tokens.filter(hasLetter));
      const lexicon = lexicons.get(lang) ?? fallback;
      const words = applyAliases(stats.tokens, lexicon);
      const folded = words.map(fold);
      const found = keywords.findAll(folded);
      return {
        text,
        stats,
        words,
        folded,
        found,
        language: lang,
        lexicon,
        lexical: score(words, lexicon, stats),
        question: flags.question(words, lexicon),
        spam: flags.spam(found.spam, stats),
      };
    },

    decide(r, input, judgement) {
      const sentiment = judgement?.sentiment ?? { label: r.lexical.label, score: r.lexical.score };
      const category: CategoryResult = judgement?.category
        ? { id: judgement.category }
        : categorizer.categorize(r.found.category, r.text, { spam: r.spam.value, question: r.question, sentiment: sentiment.label });
      const spam = r.spam.value || category.id === 'spam';
      const rule = flags.complaint(r.found.complaint, sentiment.label, category.id, spam);
      const complaint = judgement?.complaint ?? rule.value;
      const needsResponse = judgement?.needsResponse ?? flags.needsResponse(r.found, { spam, complaint, question: r.question });
      const vipName =
        vip.size === 0
          ? undefined
          : (vip.get((input.authorHandle ?? '').replace(/^@/, '').toLowerCase()) ?? vip.get((input.authorId ?? '').toLowerCase()));
      const { priority, reasons: priorityReasons } = prioritizer.prioritize({
        score: sentiment.score,
        category: category.id,
        issue: issues.has(category.id),
        complaint,
        needsResponse,
        spam,
        urgent: r.found.urgent[0]?.text,
        followers: input.authorFollowers,
        vip: vipName && (input.authorHandle ? `@${input.authorHandle.replace(/^@/, '')}` : vipName),
        recentContacts: input.recentContacts,
      });
      const reasons: string[] = [];
      if (sentiment.label !== 'neutral') reasons.push(`${sentiment.label} ${sentiment.score}`);
      if (judgement) reasons.push(...judgement.reasons);
      if (category.reason) reasons.push(category.reason);
      if (judgement?.complaint === undefined) reasons.push(...rule.reasons);
      reasons.push(...r.spam.reasons, ...priorityReasons);
      return {
        sentiment,
        language: r.language,
        category: category.id,
        priority,
        complaint,
        needsResponse,
        spam,
        reasons,
      };
    },
  };
}

function hasLetter(token: string): boolean {
  const c = token.charCodeAt(0) | 32;
  // Most tokens open with an ASCII letter: no need for the Unicode-aware regex.
  if (c >= 97 && c <= 122) return true;
  return !isBoundary(token) && /\p{L}/u.test(token);
}

/** The tokens with shorthand spelled out: the same array when there is none (most posts). */
function applyAliases(tokens: string[], lexicon: Lexicon): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const a = lexicon.aliases.get(tokens[i]!);
    if (a) {
      out ??= tokens.slice(0, i);
      out.push(...a);
    } else out?.push(tokens[i]!);
  }
  return out ?? tokens;
}
