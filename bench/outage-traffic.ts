// What the outage benchmark sends: hours of ordinary traffic (real support tweets, timestamps in
// the past) and then an outage, many customers at once, in varied words. Deterministic for a seed.
import { seeded } from '../test/support/streams.js';

export type Network = 'webhook' | 'x' | 'discord';

export interface Delivery {
  network: Network;
  text: string;
  authorId: string;
  handle: string;
  createdAt: Date;
}

const MINUTE = 60_000;

/**
 * `minutes` of ordinary traffic ending `endsAt`, about `perMinute` a minute, in chunks of
 * `chunkMinutes` (time order, as a live stream hands them over): the texts are real.
 */
export function quietHours(
  texts: string[],
  opts: { endsAt: number; minutes: number; perMinute: number; chunkMinutes: number; seed: number },
): Delivery[][] {
  const next = seeded(opts.seed);
  const from = opts.endsAt - opts.minutes * MINUTE;
  const n = Math.round(opts.minutes * opts.perMinute);
  const all = Array.from({ length: n }, (_, i): Delivery => {
    const author = 100_000 + Math.floor(next() * 50_000);
    return {
      network: 'webhook',
      text: texts[Math.floor(next() * texts.length)]!,
      authorId: String(author),
      handle: `listener${author}`,
      createdAt: new Date(from + Math.floor(((i + next()) * (opts.minutes * MINUTE)) / n)),
    };
  });
  const chunks: Delivery[][] = [];
  for (const d of all) {
    const c = Math.floor((d.createdAt.getTime() - from) / (opts.chunkMinutes * MINUTE));
    const chunk = chunks[c] ?? [];
    chunks[c] = chunk;
    chunk.push(d);
  }
  return chunks.filter(Boolean);
}

// One outage (people cannot sign in, the app will not open), said the many ways people say it.
const openers = ['', '', '', 'hey', 'hi,', 'ugh', 'help!', 'seriously?', 'anyone else?', 'not again.', 'wtf', 'guys'];
const problems = [
  "can't log in",
  'cannot log in to my account',
  'login is broken',
  'the login page just spins',
  'the app says login failed',
  'keeps kicking me back to the login screen',
  "password reset email never arrives, still can't log in",
  'getting error 503 when I log in',
  'is anyone else unable to log in?',
  "the website won't let me log in either",
  'the app is down',
  'is the app down?',
  "app won't open past the splash screen",
  'app is down for everyone here',
  "got logged out and now I can't get back in",
];
const tails = [
  '',
  '',
  '',
  ' :(',
  ' please fix',
  ' for 10 minutes now',
  ' on iOS',
  ' on Android',
  ' on the web too',
  ' 😡',
  ' is this an outage?',
  ' my whole team is stuck',
  ' I have a meeting in 5 min',
  ' 🙏',
];

/**
 * `n` outage mentions, their times spread evenly over `seconds` from `t0`; one in eight is a
 * customer writing again. Networks by share: `x` and `discord`, the rest by webhook.
 */
export function outage(opts: {
  n: number;
  t0: number;
  seconds: number;
  xShare: number;
  discordShare: number;
  seed: number;
}): Array<Delivery & { at: number }> {
  const next = seeded(opts.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
  return Array.from({ length: opts.n }, (_, i) => {
    const at = opts.t0 + (i * opts.seconds * 1000) / opts.n;
    const r = next();
    const network: Network = r < opts.xShare ? 'x' : r < opts.xShare + opts.discordShare ? 'discord' : 'webhook';
    const author = 200_000 + (i % 8 === 7 ? Math.floor(next() * i) : i);
    const text = `${pick(openers)} ${pick(problems)}${pick(tails)}`.trim();
    return { at, network, text, authorId: String(author), handle: `customer${author}`, createdAt: new Date(at) };
  });
}
