/** Replayable streams of mentions with timestamps, for the spike detector and its alerts. */

/** A small deterministic generator, so a failure can be replayed. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const everydayComplaints = [
  "can't log in to my account since this morning",
  'the login page keeps spinning on my phone',
  'why does login ask for my password every day',
  'my order from last week has not arrived',
  'refund for the cancelled subscription please',
  'the app is slow when I open my playlist',
];

export interface Timed {
  text: string;
  createdAt: Date;
}

/** About `perMinute` everyday negative mentions a minute for `minutes`, minute by minute. */
export function quietStream(from: number, minutes: number, perMinute: number, next: () => number): Timed[][] {
  return Array.from({ length: minutes }, (_, m) => {
    const n = Math.round(perMinute * 2 * next());
    return Array.from({ length: n }, () => ({
      text: everydayComplaints[Math.floor(next() * everydayComplaints.length)]!,
      createdAt: new Date(from + m * 60_000 + Math.floor(next() * 60_000)),
    }));
  });
}

/** `n` complaints about logging in, `everyMs` apart from `from`: what an outage looks like. */
export function loginOutage(from: number, n: number, everyMs: number): Timed[] {
  return Array.from({ length: n }, (_, i) => ({
    text: i % 2 ? 'login broken, password reset does nothing' : "can't log in, the password reset link is dead",
    createdAt: new Date(from + i * everyMs),
  }));
}
