/**
 * What a mention is about, from the configured taxonomy: the first category in the file's
 * order whose keyword or pattern matches wins. `spam`, `question`, `praise` and `other` are
 * decided by rules at their place in that order. A positive mention is not filed under an
 * issue category by a bare noun ("love the new app") — it is praise.
 */
import type { TaxonomyConfig } from './config.js';
import { PhraseIndex, type PhraseMatch } from './phrases.js';
import type { SentimentLabel } from './types.js';
import { entryWords, fold } from './tokenize.js';

export interface CategoryContext {
  spam: boolean;
  question: boolean;
  sentiment: SentimentLabel;
}

export interface CategoryResult {
  id: string;
  /** Why, for the card: "outage keyword 'down'". Absent for rule categories (their flags say why). */
  reason?: string;
}

export interface Categorizer {
  /** Every category's keywords in one list (values: the categories that list the keyword). */
  keywords: PhraseIndex<number[]>;
  /** `found`: what `keywords` found in the post's folded words. */
  categorize(found: readonly PhraseMatch<number[]>[], text: string, ctx: CategoryContext): CategoryResult;
}

export function createCategorizer(taxonomy: TaxonomyConfig, issueCategories: ReadonlySet<string>): Categorizer {
  const categories = taxonomy.categories;
  // One index over every category's keywords, so a post is scanned once whatever the taxonomy's size.
  const keywords = new PhraseIndex<number[]>(
    mergeByWords(categories.flatMap((c, i) => c.keywords.map((k) => [entryWords(k).map(fold), i] as const))),
  );
  const patterns = categories.map((c) => (c.patterns.length ? compilePatterns(c.patterns) : undefined));
  const issue = categories.map((c) => issueCategories.has(c.id));

  return {
    keywords,
    categorize(found, text, ctx) {
      const positive = ctx.sentiment === 'positive';
      let best = categories.length;
      let keyword = '';
      for (const m of found) {
        const i = m.value.find((j) => !(positive && issue[j]));
        if (i !== undefined && i < best) {
          best = i;
          keyword = m.text;
        }
      }
      for (let i = 0; i < best; i++) {
        const c = categories[i]!;
        if (positive && issue[i]) continue;
        if (c.id === 'spam' ? ctx.spam : c.id === 'question' ? ctx.question : c.id === 'praise' && positive) {
          return { id: c.id };
        }
        const m = patterns[i]?.exec(text);
        if (m) return { id: c.id, reason: `${c.id} pattern '${m[0].toLowerCase()}'` };
      }
      const c = categories[best];
      if (c && (c.id !== 'praise' || ctx.sentiment !== 'negative')) return { id: c.id, reason: `${c.id} keyword '${keyword}'` };
      return { id: 'other' };
    },
  };
}

/**
 * The patterns as one case-insensitive regex. Unicode mode only when a pattern needs it
 * (`\p{…}`, `\u{…}`, characters beyond the BMP): without it the engine runs twice as fast,
 * and category patterns run on every mention.
 */
function compilePatterns(list: string[]): RegExp {
  const source = list.join('|');
  return new RegExp(source, /\\[pPu]\{|[\u{10000}-\u{10ffff}]/u.test(source) ? 'iu' : 'i');
}

/** The same words listed under several categories: keep them all, in taxonomy order. */
function mergeByWords(entries: (readonly [string[], number])[]): [string[], number[]][] {
  const byKey = new Map<string, [string[], number[]]>();
  for (const [words, i] of entries) {
    const key = words.join(' ');
    const e = byKey.get(key);
    if (e) {
      if (!e[1].includes(i)) e[1].push(i);
    } else byKey.set(key, [words, [i]]);
  }
  return [...byKey.values()];
}
