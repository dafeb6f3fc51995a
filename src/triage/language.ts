/**
 * Language detection tuned for short social posts. Three steps, cheapest first:
 * 1. the script: Arabic letters mean Arabic (unless Persian/Urdu letters say otherwise),
 *    Devanagari means Hindi;
 * 2. a vote of frequent function words from each configured lexicon ("the", "und", "que",
 *    "hai"...), which settles most posts and knows romanised Hindi, which n-gram detectors miss.
 *    A code-mixed language (one whose lexicon inherits another's, as Hinglish inherits English)
 *    wins with half the votes of the language it mixes with: its own words are the tell;
 * 3. the n-gram detector `eld` for what is left (chosen over tinyld and franc by scripts/eval.ts:
 *    more accurate on tweets and several times faster). Its extra-small model: after steps 1 and
 *    2 it is as accurate as the small one (0.924 against 0.925) and takes 87 MB of memory
 *    instead of 152, in every worker process. When it names a language carebot has
 *    no lexicon for, a single function word of a configured language outweighs it: short
 *    romanised posts otherwise come out as Tagalog or Yoruba.
 */
import { eld } from 'eld/extrasmall';
import type { TriageConfig } from './config.js';
import { entryWords } from './tokenize.js';

/**
 * A general-purpose detector: text → ISO 639-1 code, or '' when it cannot tell. `prefer` is a
 * language to answer when it scores within a hair of the best (detectors without scores ignore it).
 */
export type FallbackDetector = (text: string, prefer?: string) => string;

const NEAR_TIE = 0.98;

export const eldDetector: FallbackDetector = (text, prefer) => {
  const result = eld.detect(text);
  if (!prefer || result.language === prefer) return result.language;
  const scores = result.getScores() as Record<string, number>;
  const top = scores[result.language] ?? 0;
  return (scores[prefer] ?? 0) >= top * NEAR_TIE ? prefer : result.language;
};

export const UNDETERMINED = 'und';

const ARABIC = /[\u0600-\u06ff]/;
const PERSIAN_URDU = /[پچژگکیےۓٹڈڑںھ]/;
const DEVANAGARI = /[\u0900-\u097f]/;
const LATIN = /[a-zA-Z\u00c0-\u024f]/;

export type LanguageDetector = (words: readonly string[]) => string;

export function createLanguageDetector(config: TriageConfig, fallback: FallbackDetector = eldDetector): LanguageDetector {
  const languages = Object.keys(config.lexicons);
  const votes = new Map<string, number[]>();
  languages.forEach((language, i) => {
    for (const entry of config.lexicons[language]!.function_words) {
      for (const w of entryWords(entry)) {
        const list = votes.get(w) ?? [];
        if (!list.includes(i)) list.push(i);
        votes.set(w, list);
      }
    }
  });
  const has = (code: string) => languages.includes(code);
  const tally = new Array<number>(languages.length);
  // Each code-mixed language with the indexes of the languages it mixes with.
  const mixed = languages.flatMap((language, i) => {
    const parents = config.lexicons[language]!.inherit.map((p) => languages.indexOf(p)).filter((p) => p >= 0);
    return parents.length ? [{ i, parents }] : [];
  });

  return (words) => {
    let arabic = 0;
    let devanagari = 0;
    let latin = 0;
    let other = 0;
    tally.fill(0);
    for (const w of words) {
      const c = w.charCodeAt(0) | 32;
      if (c >= 97 && c <= 122)
        latin++; // the common case, without a regex
      else if (ARABIC.test(w)) arabic++;
      else if (DEVANAGARI.test(w)) devanagari++;
      else if (LATIN.test(w)) latin++;
      else if (/\p{L}/u.test(w)) other++;
      const v = votes.get(w);
      if (v) for (const i of v) tally[i]!++;
    }
    const top = Math.max(arabic, devanagari, latin, other);
    if (top === 0) return UNDETERMINED;
    if (top === arabic && has('ar') && !words.some((w) => PERSIAN_URDU.test(w))) return 'ar';
    if (top === devanagari && has('hi')) return 'hi';
    if (top === latin) {
      let best = -1;
      let first = 0;
      let second = 0;
      for (let i = 0; i < tally.length; i++) {
        const n = tally[i]!;
        if (n > first) {
          second = first;
          first = n;
          best = i;
        } else if (n > second) second = n;
      }
      for (const { i, parents } of mixed) {
        const n = tally[i]!;
        if (n >= 2 && 2 * n >= first && (best === i || parents.includes(best))) return languages[i]!;
      }
      // Two function words, twice as many as any other language's: a clear vote.
      if (first >= 2 && first >= 2 * second) return languages[best]!;
      // On a few words the library's scores can be a near tie ("I can't log in": it 0.677, en
      // 0.672): a lead in function words, however small, settles it.
      const guess = fallback(words.join(' '), first > second ? languages[best] : undefined);
      if (first > 0 && !has(guess)) return languages[best]!;
      return guess || UNDETERMINED;
    }
    return fallback(words.join(' ')) || UNDETERMINED;
  };
}
