import { ara, deu, eng, fra, hin, ita, por, spa } from 'stopword';

/**
 * Words every complaint uses: they say that something is wrong, not what. A spike is about what
 * ("login", "payment", "app"), so these never name one.
 */
const complaintWords = [
  'help',
  'please',
  'pls',
  'plz',
  'still',
  'again',
  'anyone',
  'working',
  'work',
  'works',
  'worked',
  'broken',
  'broke',
  'issue',
  'issues',
  'problem',
  'problems',
  'fix',
  'fixed',
  'down',
  'today',
  'now',
  'why',
  'cant',
  'can',
  'dont',
  'doesnt',
  'didnt',
  'wont',
  'isnt',
  'get',
  'got',
  'getting',
  'thanks',
  'thank',
  'hey',
  'hello',
  'guys',
  'team',
  'support',
  'happening',
  'error',
  'errors',
  'keep',
  'keeps',
  'going',
  'just',
  'really',
  'even',
  'anything',
  'every',
  'time',
  'times',
  'day',
  'days',
  'hours',
  'minutes',
  'since',
  'yet',
  'ever',
  'never',
  'trying',
  'tried',
  'try',
  'wrong',
  'fail',
  'fails',
  'failed',
  'failing',
  'load',
  'loading',
  'use',
  'using',
  'able',
  'unable',
  'anymore',
  'whats',
  'lol',
  'omg',
  'wtf',
  'ugh',
  'yall',
  'ive',
  'youre',
  'thats',
  'theres',
  'people',
  'everyone',
  'someone',
  // Function words the stopword package's English list leaves out.
  'not',
  'does',
  'did',
  'when',
  'what',
  'how',
  'where',
  'who',
  'which',
  'will',
  'would',
  'could',
  'should',
  'last',
  // Everyday English filler: intensifiers, time words, vague nouns and verbs, interjections.
  'seriously',
  'literally',
  'actually',
  'totally',
  'absolutely',
  'completely',
  'basically',
  'honestly',
  'definitely',
  'probably',
  'maybe',
  'already',
  'back',
  'ago',
  'soon',
  'later',
  'minute',
  'min',
  'mins',
  'second',
  'secs',
  'hour',
  'hrs',
  'week',
  'weeks',
  'month',
  'months',
  'morning',
  'tonight',
  'yesterday',
  'tomorrow',
  'thing',
  'things',
  'stuff',
  'way',
  'lot',
  'bit',
  'whole',
  'something',
  'nothing',
  'everything',
  'anybody',
  'nobody',
  'say',
  'said',
  'tell',
  'told',
  'know',
  'think',
  'see',
  'seems',
  'look',
  'looks',
  'need',
  'want',
  'make',
  'made',
  'come',
  'came',
  'went',
  'let',
  'okay',
  'yeah',
  'yes',
  'guess',
  'else',
  'anyway',
  'though',
  'like',
  'kinda',
  'gonna',
  'wanna',
];

/** Filler in both its written and its folded form: "minutes" folds to "minute" before the check. */
const ignored = new Set(
  [...eng, ...spa, ...fra, ...deu, ...por, ...ita, ...ara, ...hin, ...complaintWords].flatMap((w) => {
    const word = w.toLowerCase().replace(/['’]/g, '');
    return [word, fold(word)];
  }),
);

/**
 * Two-word actions that customers write both ways ("log in", "login"). Getting into an account
 * is one term however it is said ("sign in", "logged out", "keeps logging me out"): one outage
 * of sign-in would otherwise raise an alert per wording.
 */
const joined: Array<[RegExp, string]> = [
  [/\b(?:log(?:ging|ged)?|sign(?:ing|ed)?)[\s-]*(?:(?:me|us|you|them)\s+)?(?:in|on|out|off)\b/g, 'login'],
  [/\bsign(?:ing|ed)?[\s-]+up\b/g, 'signup'],
  [/\bcheck(?:ing|ed)?[\s-]+out\b/g, 'checkout'],
];

const MAX_TERMS = 6;

/**
 * What a mention is about, as a spike detector counts it: lower-cased content words without
 * handles, links, numbers, stopwords (in the eight languages carebot scores) or complaint
 * filler, with a light plural fold. At most six per mention, in order of appearance.
 */
export function termsOf(text: string, extraIgnored: ReadonlySet<string> = new Set()): string[] {
  let t = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[@#][\p{L}\p{N}_]+/gu, ' ');
  for (const [pattern, term] of joined) t = t.replace(pattern, term);
  const terms: string[] = [];
  for (const [raw] of t.matchAll(/\p{L}[\p{L}\p{M}'’]*/gu)) {
    const word = fold(raw.replace(/['’]/g, ''));
    if (word.length < 3 || ignored.has(word) || extraIgnored.has(word) || terms.includes(word)) continue;
    terms.push(word);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/** "payments" and "payment" are one term; "access" and "status" keep their s. */
function fold(word: string): string {
  return word.length > 4 && word.endsWith('s') && !/(ss|us|is)$/.test(word) ? word.slice(0, -1) : word;
}
