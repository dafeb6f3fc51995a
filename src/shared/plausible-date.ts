/** Twitter opened to the public in March 2006; no mention carebot can receive is older than this. */
export const EARLIEST_MENTION_MS = Date.UTC(2006, 2, 1);
/** Clocks drift and time zones confuse, but not by more than a day. */
const LATEST_AHEAD_MS = 24 * 60 * 60 * 1000;

/** Whether a moment is one a mention could have been written at: 2006-03-01 … now + 1 day (NaN is not). */
export const plausibleDate = (ms: number, now = Date.now()) => ms >= EARLIEST_MENTION_MS && ms <= now + LATEST_AHEAD_MS;
