/**
 * The yes/no judgements on a mention: is it spam, does it ask something, is the customer
 * complaining, does the brand owe an answer. Each is a small sum of visible signals so the
 * card can say why.
 */
import type { FlagsConfig } from './config.js';
import type { Lexicon } from './lexicon.js';
import { PhraseIndex } from './phrases.js';
import type { SentimentLabel } from './types.js';
import { entryWords, fold, isBoundary, QUESTION, type Tokens } from './tokenize.js';

export interface Verdict {
  value: boolean;
  reasons: string[];
}

export interface FlagRules {
  spam(folded: readonly string[], stats: Tokens): Verdict;
  question(tokens: readonly string[], lexicon: Lexicon): boolean;
  complaint(folded: readonly string[], sentiment: SentimentLabel, category: string, spam: boolean): Verdict;
  needsResponse(folded: readonly string[], v: { spam: boolean; complaint: boolean; question: boolean }): boolean;
}

export function createFlagRules(config: FlagsConfig): FlagRules {
  const cues = (list: string[]) => new PhraseIndex(list.map((c) => [entryWords(c).map(fold), true] as const));
  const spamCues = cues(config.spam.cues);
  const complaintCues = cues(config.complaint.cues);
  const requestCues = cues(config.needs_response.cues);
  const chatterCues = cues(config.needs_response.chatter);
  const issues = new Set(config.complaint.issue_categories);

  return {
    spam(folded, stats) {
      const { points, many } = config.spam;
      const found = distinct(spamCues.findAll(folded).map((m) => m.text));
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

    complaint(folded, sentiment, category, spam) {
      if (spam) return { value: false, reasons: [] };
      const { points, threshold } = config.complaint;
      const found = distinct(complaintCues.findAll(folded).map((m) => m.text)).slice(0, 2);
      const total =
        (sentiment === 'negative' ? points.negative : 0) +
        (issues.has(category) ? points.issue_category : 0) +
        found.length * points.cue;
      const value = total >= threshold;
      return { value, reasons: value && found.length ? [`complaint cue '${found[0]}'`] : [] };
    },

    needsResponse(folded, { spam, complaint, question }) {
      if (spam) return false;
      if (complaint) return true;
      if (question) return chatterCues.findAll(folded).length === 0;
      return requestCues.findAll(folded).length > 0;
    },
  };
}

function distinct(list: string[]): string[] {
  return [...new Set(list)];
}
