import type { Redis } from 'ioredis';
import { withLock } from '../queues/with-lock.js';
import { poissonUpperTail } from './poisson.js';
import { termsOf } from './terms.js';

export interface SpikeSettings {
  /** The sliding window counted against the baseline. */
  windowMinutes: number;
  /** Fewer mentions than this in a window is never a spike, however quiet the term usually is. */
  minCount: number;
  /** The window must hold at least this many times what is usual. */
  minRatio: number;
  /** How improbable the count must be under the usual rate (Poisson upper tail). */
  pValue: number;
  /** Until the detector has watched this many minutes of the stream, it asks for `coldMinCount`. */
  warmupMinutes: number;
  coldMinCount: number;
}

export const defaultSpikeSettings: SpikeSettings = {
  windowMinutes: 5,
  minCount: 10,
  minRatio: 3,
  pValue: 1e-6,
  warmupMinutes: 60,
  coldMinCount: 25,
};

/** A mention that counts toward spikes (negative, or triaged as an outage). */
export interface Counted {
  text: string;
  createdAt: Date;
}

export interface Anomaly {
  term: string;
  /** Mentions with the term in the window that ends at the newest mention seen. */
  count: number;
  /** What the baseline expects in such a window. */
  expected: number;
  pValue: number;
  /** The window's last minute (minutes since the epoch). */
  windowEnd: number;
  /** The few terms most often found with it, each in at least half of its mentions in the window: the same event. */
  related: string[];
}

/** Words as `termsOf` would count them, to leave out of spikes (a brand's own name and handles). */
export function ignoredTerms(words: string[]): Set<string> {
  return new Set(words.flatMap((w) => termsOf(w.replace(/^[@#]/, ''))));
}

const MINUTE = 60_000;
/** Smoothing per minute of the overall rate (about an hour of memory) and of each hour-of-day rate. */
const ALPHA = 1 / 60;
const ALPHA_HOUR = 1 / 120;
/** An hour of the day is trusted once it has been watched for this many minutes (two days). */
const HOUR_TRUSTED_AFTER = 120;
/** Nothing is rarer than this per minute: a term never seen is still expected now and then. */
const FLOOR_PER_MINUTE = 0.2;
/** Minutes folded into the baseline at most per round (after downtime the rest only decays). */
const MAX_FOLD = 180;
/**
 * How far ahead of this process's clock a mention's time may be and still be counted: a
 * network's clock a little ahead of ours. Beyond it, a mention would move the detector's notion
 * of now (and the last folded minute) into the future, and nothing after would count until then.
 */
export const FUTURE_SKEW_MS = 60_000;
/** Related terms kept per anomaly: beyond the first few, co-occurring words are generic. */
export const MAX_RELATED = 5;

/**
 * Counts what negative mentions are about, per minute, in Redis (shared by every worker), and
 * tells which terms are far above their usual rate. The usual rate is an exponentially weighted
 * average per term, kept overall and per hour of the day (a Monday-morning rush is not an
 * outage); a window is anomalous when its count is both several times the usual and improbable
 * under a Poisson law with the usual mean. Time is the mentions' own (`createdAt`), so a
 * replayed stream is judged exactly as a live one; a mention dated after `clock()` (plus
 * `FUTURE_SKEW_MS`) is not counted.
 */
export function createSpikeDetector(
  redis: Redis,
  prefix: string,
  settings: SpikeSettings = defaultSpikeSettings,
  ignored?: ReadonlySet<string>,
  clock: () => number = Date.now,
) {
  const key = (what: string) => `${prefix}:spikes:${what}`;
  const minuteKey = (m: number) => key(`m:${m}`);
  const pair = (a: string, b: string) => (a < b ? `p:${a}|${b}` : `p:${b}|${a}`);

  async function record(batch: Counted[]): Promise<{ now: number; touched: Set<string> }> {
    const multi = redis.multi();
    const touched = new Set<string>();
    let now = 0;
    for (const m of batch) {
      const minute = Math.floor(m.createdAt.getTime() / MINUTE);
      now = Math.max(now, minute);
      const terms = termsOf(m.text, ignored);
      for (const [i, t] of terms.entries()) {
        touched.add(t);
        multi.hincrby(minuteKey(minute), `t:${t}`, 1);
        for (const other of terms.slice(i + 1)) multi.hincrby(minuteKey(minute), pair(t, other), 1);
      }
      multi.expire(minuteKey(minute), 6 * 3600);
    }
    await multi.exec();
    return { now, touched };
  }

  /**
   * Folds each completed minute into the baselines, once, by whichever worker holds the lock.
   * The minute just before `now` is left open a while: batches from other workers may still be
   * counting into it.
   */
  async function foldCompleted(now: number): Promise<void> {
    const last = now - 2;
    await withLock(redis, key('fold-lock'), 10_000, async () => {
      const closed = Number(await redis.hget(key('state'), 'closed'));
      // A last folded minute ahead of the clock (left by a future-dated mention before they were
      // ignored) would stop all folding until then: start again from now.
      if (!closed || closed > Math.floor((clock() + FUTURE_SKEW_MS) / MINUTE)) {
        await redis.hset(key('state'), 'closed', last);
        return;
      }
      for (let m = Math.max(closed + 1, last - MAX_FOLD + 1); m <= last; m++) await fold(m);
      if (last > closed) await redis.hset(key('state'), 'closed', last);
    });
  }

  async function fold(minute: number): Promise<void> {
    const hour = new Date(minute * MINUTE).getUTCHours();
    const [counts, rates, hourRates] = await Promise.all([
      redis.hgetall(minuteKey(minute)),
      redis.hgetall(key('rate')),
      redis.hgetall(key(`hour:${hour}`)),
    ]);
    const seen = new Map(
      Object.entries(counts)
        .filter(([f]) => f.startsWith('t:'))
        .map(([f, n]) => [f.slice(2), Number(n)]),
    );
    const update = (old: Record<string, string>, alpha: number) => {
      const next: Record<string, number> = {};
      const gone: string[] = [];
      for (const term of new Set([...Object.keys(old), ...seen.keys()])) {
        const rate = alpha * (seen.get(term) ?? 0) + (1 - alpha) * Number(old[term] ?? 0);
        if (rate < 1e-3) gone.push(term);
        else next[term] = rate;
      }
      return { next, gone };
    };
    const overall = update(rates, ALPHA);
    const hourly = update(hourRates, ALPHA_HOUR);
    const multi = redis.multi();
    if (Object.keys(overall.next).length) multi.hset(key('rate'), overall.next);
    if (overall.gone.length) multi.hdel(key('rate'), ...overall.gone);
    if (Object.keys(hourly.next).length) multi.hset(key(`hour:${hour}`), hourly.next);
    if (hourly.gone.length) multi.hdel(key(`hour:${hour}`), ...hourly.gone);
    multi.hincrby(key('hour-minutes'), String(hour), 1);
    multi.hincrby(key('state'), 'observed', 1);
    await multi.exec();
  }

  /** Sums `fields` over the window of minutes ending at `now`. */
  async function windowSums(now: number, fields: string[]): Promise<number[]> {
    const multi = redis.multi();
    for (let m = now - settings.windowMinutes + 1; m <= now; m++) multi.hmget(minuteKey(m), ...fields);
    const sums = fields.map(() => 0);
    for (const [, values] of (await multi.exec()) ?? []) {
      (values as Array<string | null>).forEach((v, i) => {
        sums[i]! += Number(v ?? 0);
      });
    }
    return sums;
  }

  /** How many of `term`'s mentions in the window ending at `now` also name each of `others`. */
  const cooccurring = (term: string, others: string[], now: number) =>
    windowSums(
      now,
      others.map((o) => pair(term, o)),
    );

  async function expectedPerWindow(now: number, terms: string[]): Promise<number[]> {
    const hour = new Date(now * MINUTE).getUTCHours();
    const [overall, hourly, hourMinutes] = await Promise.all([
      redis.hmget(key('rate'), ...terms),
      redis.hmget(key(`hour:${hour}`), ...terms),
      redis.hget(key('hour-minutes'), String(hour)),
    ]);
    const useHour = Number(hourMinutes) >= HOUR_TRUSTED_AFTER;
    return terms.map((_, i) => settings.windowMinutes * Math.max(FLOOR_PER_MINUTE, Number((useHour ? hourly[i] : overall[i]) ?? 0)));
  }

  return {
    /** What a mention is about, as this detector counts it. */
    terms: (text: string) => termsOf(text, ignored),
    cooccurring,
    /** Counts a batch and returns the terms it touched that are now anomalous, biggest first. */
    async observe(all: Counted[]): Promise<Anomaly[]> {
      const latest = clock() + FUTURE_SKEW_MS;
      const batch = all.filter((m) => m.createdAt.getTime() <= latest);
      if (!batch.length) return [];
      const { now, touched } = await record(batch);
      await foldCompleted(now);
      const terms = [...touched];
      if (!terms.length) return [];
      const [counts, expected, observed] = await Promise.all([
        windowSums(
          now,
          terms.map((t) => `t:${t}`),
        ),
        expectedPerWindow(now, terms),
        redis.hget(key('state'), 'observed'),
      ]);
      const minCount = Number(observed) >= settings.warmupMinutes ? settings.minCount : settings.coldMinCount;
      const anomalies: Anomaly[] = [];
      for (const [i, term] of terms.entries()) {
        const count = counts[i]!;
        const mean = expected[i]!;
        if (count < minCount || count < settings.minRatio * mean) continue;
        const pValue = poissonUpperTail(count, mean);
        if (pValue < settings.pValue) anomalies.push({ term, count, expected: mean, pValue, windowEnd: now, related: [] });
      }
      for (const a of anomalies) {
        const others = terms.filter((t) => t !== a.term);
        if (!others.length) continue;
        const together = await cooccurring(a.term, others, now);
        a.related = others
          .map((o, i) => ({ o, n: together[i]! }))
          .filter(({ n }) => n * 2 >= a.count)
          .sort((x, y) => y.n - x.n)
          .slice(0, MAX_RELATED)
          .map(({ o }) => o);
      }
      return anomalies.sort((x, y) => y.count - x.count);
    },
  };
}

export type SpikeDetector = ReturnType<typeof createSpikeDetector>;
