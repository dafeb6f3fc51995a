/**
 * Splits a social post into the tokens every other triage step reads: lowercased words, emoji
 * (glued to a word or not: `late😡` is two tokens), emoticons read as emoji, and markers where a
 * clause, a sentence or a question ends. Links and @mentions are counted, not kept: they carry
 * no sentiment and would only dilute the rest.
 */

/** Ends a clause (`,` `;` `:`): negation does not reach past it. */
export const CLAUSE = '|';
/** Ends a sentence (`.` `!` `…` or a line break): contrast and questions do not reach past it. */
export const SENTENCE = '||';
/** Ends a sentence that is a question (`?`). */
export const QUESTION = '|||';

export function isBoundary(token: string): boolean {
  return token.charCodeAt(0) === 124; // '|'
}

export interface Tokens {
  /** Words, emoji and boundary markers in order, lowercased and normalized. */
  tokens: string[];
  urls: number;
  mentions: number;
  hashtags: number;
  exclamations: number;
  questions: number;
  /** Runs like "??" or "?!": a question asked in exasperation. */
  exasperated: number;
  /** Share of letters in capitals (shouting), 0..1. */
  caps: number;
}

export interface TokenizeOptions {
  /** Emoticon (normalized: lowercase, no nose) → the emoji it reads as. */
  emoticons?: ReadonlyMap<string, string>;
  /** Known words, to undo elongation correctly: `gooood` → `good`, `pleeease` → `please`. */
  known?: (word: string) => boolean;
}

const TOKEN =
  /(https?:\/\/\S+|www\.\S+)|(@[\p{L}\p{N}_]+)|#([\p{L}\p{N}_]+)|((?<![\p{L}\p{N}])(?:<\/?3|[:;=xX][-o^'’]?[)(\][dDpP/\\|*sS@oO3]+|[)(][-']?[:;=])(?![\p{L}\p{N}]))|(\p{Extended_Pictographic})|([\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*)|([?!.…;:,\n]+)/gu;

/** Elided articles and pronouns (French, Italian) that are words of their own: `n'est` → `n'` `est`. */
const ELISION = /^(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|dell|nell|sull|dall|all|un|quest|quell)'(.{2,})$/;
const ARABIC = /[\u0600-\u06ff]/;

export function tokenize(text: string, opts: TokenizeOptions = {}): Tokens {
  const tokens: string[] = [];
  let urls = 0;
  let mentions = 0;
  let hashtags = 0;
  let exclamations = 0;
  let questions = 0;
  let exasperated = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m[1]) urls++;
    else if (m[2]) mentions++;
    else if (m[3]) {
      hashtags++;
      pushWord(tokens, m[3], opts);
    } else if (m[4]) {
      const emoji = opts.emoticons?.get(normalizeEmoticon(m[4]));
      if (emoji) tokens.push(emoji);
    } else if (m[5]) tokens.push(m[5]);
    else if (m[6]) pushWord(tokens, m[6], opts);
    else if (m[7]) {
      const p = m[7];
      const q = count(p, '?');
      const e = count(p, '!');
      questions += q;
      exclamations += e;
      if (q > 1 || (q > 0 && e > 0)) exasperated++;
      const marker = q > 0 ? QUESTION : e > 0 || /[.…\n]/.test(p) ? SENTENCE : CLAUSE;
      const last = tokens[tokens.length - 1];
      // A run like "?!" or ". ," is one boundary, the strongest of them.
      if (last !== undefined && isBoundary(last)) {
        if (marker.length > last.length) tokens[tokens.length - 1] = marker;
      } else if (tokens.length > 0) tokens.push(marker);
    }
  }
  return { tokens, urls, mentions, hashtags, exclamations, questions, exasperated, caps: capsShare(text) };
}

/** The words of a lexicon or keyword entry, normalized exactly as text is. */
export function entryWords(entry: string): string[] {
  // An elided word listed on its own ("n'", "qu'") is the token the text splits off.
  const elided = /^\s*([\p{L}]+)['’]\s*$/u.exec(entry);
  if (elided && ELISION.test(`${elided[1]!.toLowerCase()}'xx`)) return [`${elided[1]!.toLowerCase()}'`];
  return tokenize(entry).tokens.filter((t) => !isBoundary(t));
}

/**
 * Accent-insensitive form of a word (`caída` → `caida`), for keyword matching and for
 * languages where writers drop accents. Only Latin diacritics go: Indic vowel signs stay.
 */
export function fold(word: string): string {
  if (!/[^\x00-\x7f]/.test(word)) return word;
  return word.normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');
}

function pushWord(tokens: string[], raw: string, opts: TokenizeOptions): void {
  let word = raw.toLowerCase().replace(/’/g, "'");
  if (ARABIC.test(word)) word = normalizeArabic(word);
  if (stretched(word)) word = unstretch(word, opts.known);
  const elided = ELISION.exec(word);
  if (elided) tokens.push(`${elided[1]}'`, elided[2]!);
  else tokens.push(word);
}

/** A letter three times in a row ("sooo"): cheaper as a loop than as a regex, on every word. */
function stretched(word: string): boolean {
  for (let i = 2; i < word.length; i++) {
    if (word.charCodeAt(i) === word.charCodeAt(i - 1) && word.charCodeAt(i) === word.charCodeAt(i - 2)) return true;
  }
  return false;
}

/** Letters repeated for emphasis: keep two or one, whichever is a known word (else two). */
function unstretch(word: string, known?: (w: string) => boolean): string {
  const two = word.replace(/(.)\1{2,}/gu, '$1$1');
  if (!known || known(two)) return two;
  const one = word.replace(/(.)\1{2,}/gu, '$1');
  return known(one) ? one : two;
}

/** Optional vowel marks, elongation and letter variants that writers use interchangeably. */
function normalizeArabic(word: string): string {
  return word
    .replace(/[\u064b-\u0652\u0670\u0640]/g, '')
    .replace(/[أإآ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه');
}

/** `:-)))` and `:)` are one emoticon: no nose, no repeated mouth. */
export function normalizeEmoticon(e: string): string {
  const lower = e.toLowerCase();
  const noNose = lower.length > 2 && '-o^'.includes(lower[1]!) ? lower[0]! + lower.slice(2) : lower;
  return noNose.replace(/(.)\1+$/u, '$1');
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === ch) n++;
  return n;
}

function capsShare(text: string): number {
  let upper = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper++;
      letters++;
    } else if (c >= 97 && c <= 122) letters++;
  }
  return letters === 0 ? 0 : upper / letters;
}
