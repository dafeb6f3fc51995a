/**
 * The yes/no judgements on a mention: is it spam, does it ask something, is the customer
 * complaining, does the brand owe an answer. Each is a small sum of visible signals so the
 * card can say why.
 */
import type { FlagsConfig } from './config.js';
import type { Lexicon } from './lexicon.js';
import { PhraseIndex, type PhraseMatch } from './phrases.js';
import type { SentimentLabel } from './types.js';
import { entryWords, fold, isBoundary, QUESTION, type Tokens } from './tokenize.js';

export interface Verdict {
  value: boolean;
  reasons: string[];
}

/** Each list of cues, or what it found in a post. */
export interface Cues<T> {
  spam: T;
  complaint: T;
  request: T;
  chatter: T;
}

type Matches = readonly PhraseMatch<true>[];

export interface FlagRules {
  /** To read over the post's folded words; the rules below take what they found. */
  cues: Cues<PhraseIndex<true>>;
  spam(matches: Matches, stats: Tokens): Verdict;
  question(tokens: readonly string[], lexicon: Lexicon): boolean;
  complaint(matches: Matches, sentiment: SentimentLabel, category: string, spam: boolean): Verdict;
  needsResponse(found: Pick<Cues<Matches>, 'request' | 'chatter'>, v: { spam: boolean; complaint: boolean; question: boolean }): boolean;
}

export function createFlagRules(config: FlagsConfig): FlagRules {
  const cues = (list: string[]) => new PhraseIndex(list.map((c) => [entryWords(c).map(fold), true] as const));
  const issues = new Set(config.complaint.issue_categories);

  return {
    cues: {
      spam: cues(config.spam.cues),
      complaint: cues(config.complaint.cues),
      request: cues(config.needs_response.cues),
      chatter: cues(config.needs_response.chatter),
    },

    spam(matches, stats) {
      const { points, many } = config.spam;
      const found = distinct(matches.map((m) => m.text));
      const reasons = found.map((c) => `promotion '${c}'`);
      let total = found.length * points.cue;
      if (stats.urls > 1) {
        total += (stats.urls - 1) * points.extra_link;
        reasons.push(`${stats.urls} links`);
      }
      if (stats.hashtags >= many) {
        total += points.many_hashtags;
        reasons.push(`${stats.hashtags} hashtags`);
      }
      if (stats.mentions >= many) {
        total += points.many_mentions;
        reasons.push(`${stats.mentions} mentions`);
      }
      if (stats.caps > 0.7 && stats.exclamations >= 2) {
        total += points.shouting;
        reasons.push('shouting');
      }
      const value = total >= config.spam.threshold;
      return { value, reasons: value ? [`spam: ${reasons.join(', ')}`] : [] };
    },

    question(tokens, lexicon) {
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!;
        if (t === QUESTION) return true;
        const opensSentence = i === 0 || isBoundary(tokens[i - 1]!);
        if (opensSentence && lexicon.questionWords.matchAt(tokens, i)) return true;
      }
      return false;
    },

    complaint(matches, sentiment, category, spam) {
      if (spam) return { value: false, reasons: [] };
      const { points, threshold } = config.complaint;
      const found = distinct(matches.map((m) => m.text)).slice(0, 2);
      const total =
        (sentiment === 'negative' ? points.negative : 0) + (issues.has(category) ? points.issue_category : 0) + found.length * points.cue;
      const value = total >= threshold;
      return { value, reasons: value && found.length ? [`complaint cue '${found[0]}'`] : [] };
    },

    needsResponse(found, { spam, complaint, question }) {
      if (spam) return false;
      if (complaint) return true;
      if (question) return found.chatter.length === 0;
      return found.request.length > 0;
    },
  };
}

function distinct(list: string[]): string[] {
  // Most posts have no cue at all: no Set for them.
  return list.length < 2 ? list : [...new Set(list)];
}
