/**
 * Turns the configured word lists of each language into lookup structures: one label table
 * (word or phrase → score, AFINN-style) plus the negators, intensifiers, contrast words,
 * aliases and question openers that the sentiment and flag rules read.
 */
import { createRequire } from 'node:module';
import type { LexiconConfig, TriageConfig } from './config.js';
import { PhraseIndex } from './phrases.js';
import { entryWords, fold } from './tokenize.js';

export interface Lexicon {
  language: string;
  /** The label thresholds for this lexicon (its own, else sentiment.yaml's). */
  negativeBelow?: number;
  positiveFrom?: number;
  /** Word → score, and phrase → score keyed by its words joined with `-` ("still-waiting"). */
  labels: Record<string, number>;
  /** Multi-word entries (labels, negators, intensifiers) → their joined key. */
  phrases: PhraseIndex<string>;
  negators: Set<string>;
  intensifiers: Map<string, number>;
  contrast: Set<string>;
  irrealis: Set<string>;
  politeness: Set<string>;
  /** Shorthand → the words it stands for ("pls" → ["please"]). */
  aliases: Map<string, string[]>;
  questionWords: PhraseIndex<true>;
}

const require = createRequire(import.meta.url);
/** AFINN-165, as the `sentiment` package ships it (MIT). */
const afinn = require('sentiment/languages/en/labels.json') as Record<string, number>;

export function buildLexicons(config: TriageConfig): Map<string, Lexicon> {
  const resolved = new Map<string, Resolved>();
  const resolve = (language: string, seen: string[]): Resolved => {
    const done = resolved.get(language);
    if (done) return done;
    const own = config.lexicons[language];
    if (!own) throw new Error(`triage lexicon '${language}' is inherited but not configured`);
    if (seen.includes(language)) throw new Error(`triage lexicons inherit in a circle: ${[...seen, language].join(' → ')}`);
    const result = own.inherit
      .map((p) => resolve(p, [...seen, language]))
      .reduceRight((acc, parent) => inheritFrom(parent, acc), { lex: own, care: config.care[language] ?? {} });
    resolved.set(language, result);
    return result;
  };
  return new Map(Object.keys(config.lexicons).map((language) => [language, buildOne(language, resolve(language, []))]));
}

interface Resolved {
  lex: LexiconConfig;
  care: Record<string, number>;
}

/** A code-mixed language uses its parent's words too; its own entries win. */
function inheritFrom(parent: Resolved, child: Resolved): Resolved {
  const p = parent.lex;
  const c = child.lex;
  return {
    lex: {
      ...c,
      afinn: c.afinn || p.afinn,
      aliases: { ...p.aliases, ...c.aliases },
      sentiment: { ...p.sentiment, ...c.sentiment },
      negators: [...p.negators, ...c.negators],
      intensifiers: { ...p.intensifiers, ...c.intensifiers },
      contrast: [...p.contrast, ...c.contrast],
      irrealis: [...p.irrealis, ...c.irrealis],
      question_words: [...p.question_words, ...c.question_words],
      politeness: [...p.politeness, ...c.politeness],
    },
    care: { ...parent.care, ...child.care },
  };
}

function buildOne(language: string, { lex, care }: Resolved): Lexicon {
  const labels: Record<string, number> = {};
  const phrases: [string[], string][] = [];
  /** The entry's words joined into one token; phrases are remembered for joining text. */
  const keyOf = (entry: string): string => {
    const words = entryWords(entry);
    const key = words.join('-');
    if (words.length > 1) phrases.push([words, key]);
    return key;
  };
  const add = (entry: string, score: number) => {
    const key = keyOf(entry);
    if (!key) return;
    labels[key] = score;
    const folded = fold(key);
    if (lex.fold_accents && folded !== key && !(folded in labels)) labels[keyOf(folded.replace(/-/g, ' '))] = score;
  };
  if (lex.afinn) for (const [k, v] of Object.entries(afinn)) add(k, v);
  for (const [k, v] of Object.entries(lex.sentiment)) add(k, v);
  for (const [k, v] of Object.entries(care)) add(k, v);
  return {
    language,
    negativeBelow: lex.negative_below,
    positiveFrom: lex.positive_from,
    labels,
    negators: new Set(lex.negators.map(keyOf)),
    intensifiers: new Map(Object.entries(lex.intensifiers).map(([k, v]) => [keyOf(k), v])),
    contrast: new Set(lex.contrast.map(keyOf)),
    irrealis: new Set(lex.irrealis.map(keyOf)),
    politeness: new Set(lex.politeness.map(keyOf)),
    aliases: new Map(Object.entries(lex.aliases).map(([k, v]) => [entryWords(k).join(' '), entryWords(v)])),
    questionWords: new PhraseIndex(lex.question_words.map((q) => [entryWords(q), true] as const)),
    phrases: new PhraseIndex(phrases),
  };
}
