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

/**
 * Every kind of token, in order of precedence: link, @mention, #hashtag, emoticon, emoji, word,
 * punctuation run. Sticky: `tokenize` reads plain words, handles and punctuation itself and runs
 * this only where those do not settle what comes next.
 */
const TOKEN =
  /(https?:\/\/\S+|www\.\S+)|(@[\p{L}\p{N}_]+)|#([\p{L}\p{N}_]+)|((?<![\p{L}\p{N}])(?:<\/?3|[:;=xX][-o^'’]?[)(\][dDpP/\\|*sS@oO3]+|[)(][-']?[:;=])(?![\p{L}\p{N}]))|(\p{Extended_Pictographic})|([\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*)|([?!.…;:,\n]+)/uy;

const code = (ch: string): number => ch.charCodeAt(0);
const AT = code('@');
const APOSTROPHE = code("'");
const COLON = code(':');
const SEMICOLON = code(';');
const ELLIPSIS = code('…');
const H = code('h');
const W = code('w');
const X = code('x');
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const LETTERS = asciiSet(LOWER + UPPER);
const CAPITALS = asciiSet(UPPER);
const ALNUM = asciiSet(LOWER + UPPER + DIGITS);
const HANDLE = asciiSet(`${LOWER}${UPPER}${DIGITS}_`);
/** What TOKEN's punctuation runs are made of, besides `…`. */
const PUNCTUATION = asciiSet('?!.;:,\n');
/** The ASCII characters a TOKEN match can start with; any other ASCII character is skipped. */
const STARTS = asciiSet(`${LOWER}${UPPER}${DIGITS}@#<:;=)(?!.,\n`);

/** Elided articles and pronouns (French, Italian) that are words of their own: `n'est` → `n'` `est`. */
const ELISION = /^(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|dell|nell|sull|dall|all|un|quest|quell)'(.{2,})$/;
const ARABIC = /[\u0600-\u06ff]/;

export function tokenize(text: string, opts: TokenizeOptions = {}): Tokens {
  const out: Tokens = {
    tokens: [],
    urls: 0,
    mentions: 0,
    hashtags: 0,
    exclamations: 0,
    questions: 0,
    exasperated: 0,
    caps: capsShare(text),
  };
  const { tokens } = out;
  // Plain words are cut from the text lowercased at once, unless that moved characters ("İ" → "i̇").
  const lowered = text.toLowerCase();
  const lower = lowered.length === text.length ? lowered : undefined;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 128 && STARTS[c] === 0) {
      i++;
      continue;
    }
    // Plain ASCII words, @handles and punctuation, most of any post, are read without the regex.
    const end = plainEnd(text, i, c);
    if (end > i) {
      if (c === AT) out.mentions++;
      else if (has(ALNUM, c)) pushLowercase(tokens, lower ? lower.slice(i, end) : text.slice(i, end).toLowerCase(), opts);
      else punctuation(out, text.slice(i, end));
      i = end;
      continue;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m) {
      // Nothing starts here: step over one code point, as a global /u search would.
      i += c >= 0xd800 && c <= 0xdbff && isTrailSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
      continue;
    }
    i = TOKEN.lastIndex;
    if (m[1]) out.urls++;
    else if (m[2]) out.mentions++;
    else if (m[3]) {
      out.hashtags++;
      pushWord(tokens, m[3], opts);
    } else if (m[4]) {
      const emoji = opts.emoticons?.get(normalizeEmoticon(m[4]));
      if (emoji) tokens.push(emoji);
    } else if (m[5]) tokens.push(m[5]);
    else if (m[6]) pushWord(tokens, m[6], opts);
    else if (m[7]) punctuation(out, m[7]);
  }
  return out;
}

/**
 * Where the plain token at `i` ends (an ASCII word, @handle or punctuation run, read as TOKEN
 * would), or `i` when only TOKEN can tell: a link (`http`, `www.`), an emoticon (`xD`, `:)`), or
 * a word or handle that goes on past ASCII (accents, other scripts, marks, `’`).
 */
function plainEnd(text: string, i: number, c: number): number {
  if (c === AT) {
    const j = asciiRun(text, i + 1, HANDLE);
    return j > i + 1 && (j === text.length || text.charCodeAt(j) < 128) ? j : i;
  }
  // `:` and `;` may open an emoticon instead.
  if (c === ELLIPSIS || (has(PUNCTUATION, c) && c !== COLON && c !== SEMICOLON)) {
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === ELLIPSIS || has(PUNCTUATION, text.charCodeAt(j)))) j++;
    return j;
  }
  // `x` may open an emoticon (`xD`), `http` and `www.` a link.
  if (!has(ALNUM, c) || (c | 32) === X || (c === H && text.startsWith('http', i)) || (c === W && text.startsWith('www.', i))) return i;
  // Letters and digits, then any number of apostrophe + letters ("don't", "rock'n'roll").
  let j = asciiRun(text, i, ALNUM);
  while (j < text.length) {
    const next = text.charCodeAt(j);
    if (next >= 128) return i;
    if (next !== APOSTROPHE || j + 1 === text.length) return j;
    const after = text.charCodeAt(j + 1);
    if (after >= 128) return i;
    if (!has(LETTERS, after)) return j;
    j = asciiRun(text, j + 1, LETTERS);
  }
  return j;
}

function asciiSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (const ch of chars) set[ch.charCodeAt(0)] = 1;
  return set;
}

function has(set: Uint8Array, c: number): boolean {
  return c < 128 && set[c] === 1;
}

/** Where the run of `set` characters from `i` ends. */
function asciiRun(text: string, i: number, set: Uint8Array): number {
  while (i < text.length && has(set, text.charCodeAt(i))) i++;
  return i;
}

function isTrailSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** A run of punctuation: counted, and one boundary marker unless it opens the post. */
function punctuation(out: Tokens, p: string): void {
  const q = count(p, '?');
  const e = count(p, '!');
  out.questions += q;
  out.exclamations += e;
  if (q > 1 || (q > 0 && e > 0)) out.exasperated++;
  const marker = q > 0 ? QUESTION : e > 0 || /[.…\n]/.test(p) ? SENTENCE : CLAUSE;
  const { tokens } = out;
  const last = tokens[tokens.length - 1];
  // A run like "?!" or ". ," is one boundary, the strongest of them.
  if (last !== undefined && isBoundary(last)) {
    if (marker.length > last.length) tokens[tokens.length - 1] = marker;
  } else if (tokens.length > 0) tokens.push(marker);
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
  if (isAscii(word)) return word;
  return word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

function pushWord(tokens: string[], raw: string, opts: TokenizeOptions): void {
  let word = raw.toLowerCase();
  if (!isAscii(word)) {
    word = word.replace(/’/g, "'");
    if (ARABIC.test(word)) word = normalizeArabic(word);
  }
  pushLowercase(tokens, word, opts);
}

/** A lowercase word with nothing left to normalize but elongation and elision. */
function pushLowercase(tokens: string[], word: string, opts: TokenizeOptions): void {
  if (stretched(word)) word = unstretch(word, opts.known);
  const elided = word.includes("'") ? ELISION.exec(word) : null;
  if (elided) tokens.push(`${elided[1]}'`, elided[2]!);
  else tokens.push(word);
}

/** A loop: cheaper than a regex on the short strings it sees, every word of every post. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
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
  // Table lookups, not comparisons: which way a branch goes is a coin toss on every character.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      upper += CAPITALS[c]!;
      letters += LETTERS[c]!;
    }
  }
  return letters === 0 ? 0 : upper / letters;
}
