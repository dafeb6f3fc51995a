import { and, eq, sql } from 'drizzle-orm';
import { ConnectorError, type Sent } from '../connector.js';
import { replies } from '../db/schema.js';
import type { ReplyRow } from '../db/rows.js';
import type { Ctx } from '../context.js';
import { loadMention, replyTarget } from '../db/mention-row.js';
import { RetryLater } from '../queues/retry-later.js';

/** The claim's clock (the database's) and the network's may differ a little: look back this much further. */
const CLOCK_SLACK_MS = 5_000;

/**
 * A reply still 'sending' when its job runs again belonged to a worker that died during the
 * network call: the network may or may not have it. Where the connector can look, it is asked
 * once the claim is STUCK_AFTER_SECONDS old (so the dead call is long over and the network's
 * lists have caught up): a reply it shows is recorded as sent, and without one the row is
 * claimed again and returned, to be sent. Where it cannot look, the row becomes 'unknown' for an
 * agent to check. Either way, never a blind second send.
 */
export async function retakeInterrupted(s: Ctx<'config' | 'db' | 'connectors'>, replyId: number): Promise<ReplyRow | undefined> {
  const [r] = await s.db
    .select({ row: replies, ageMs: sql<number>`(extract(epoch from now() - ${replies.updatedAt}) * 1000)::float8` })
    .from(replies)
    .where(and(eq(replies.id, replyId), eq(replies.state, 'sending')));
  if (!r) return undefined;
  // Whoever moves the row on first (same claim: same attempt number) decides what became of it.
  const same = and(eq(replies.id, replyId), eq(replies.state, 'sending'), eq(replies.attempts, r.row.attempts));
  const settle = (set: Partial<ReplyRow>) =>
    s.db
      .update(replies)
      .set({ ...set, updatedAt: sql`now()` })
      .where(same)
      .returning();
  const unknown = (why: string) =>
    settle({ state: 'unknown', error: `interrupted while sending${why}: check the network before retrying` });

  const connector = s.connectors[r.row.platform];
  if (!connector?.findReply) {
    await unknown('');
    return undefined;
  }
  const waitMs = s.config.STUCK_AFTER_SECONDS * 1000 - r.ageMs;
  if (waitMs > 0)
    throw new RetryLater(
      'a reply interrupted mid-send: asking the network whether it arrived once the call is surely over',
      Math.ceil(waitMs),
    );

  let found: Sent | null;
  try {
    const since = new Date(Date.now() - r.ageMs - CLOCK_SLACK_MS);
    found = await connector.findReply(replyTarget(await loadMention(s.db, r.row.mentionId, 'ingested')), since);
  } catch (err) {
    if (!(err instanceof ConnectorError && err.kind === 'rejected')) throw err; // asked again on the job's next attempt
    await unknown(` and the network could not say whether it arrived (${err.message})`);
    return undefined;
  }
  if (found) {
    await settle({ state: 'sent', externalId: found.externalId, url: found.url, error: null, sentAt: new Date() });
    return undefined;
  }
  const [again] = await settle({ attempts: r.row.attempts + 1 });
  return again;
}
