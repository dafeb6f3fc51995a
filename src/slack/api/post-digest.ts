import { and, count, eq, gt, max } from 'drizzle-orm';
import { mentions } from '../../db/schema.js';
import type { SlackCtx } from '../../context.js';
import { spikeDigest } from '../views/spike-card.js';

const DIGEST_ROWS = 10;

/** Where a spike's or an incident's digests stand, and how to record a new one. */
export interface DigestThread {
  /** The mentions that belong to it: `mentions.spikeId` or `mentions.incidentId`. */
  linkedBy: typeof mentions.spikeId | typeof mentions.incidentId;
  id: number;
  title: string;
  channel: string;
  threadTs: string;
  /** The last mention id quoted so far. */
  digestedUpTo: number;
  /** Linked mentions counted in a digest so far. */
  digestedCount: number;
  mark(covered: { digestedUpTo: number; digestedCount: number }): Promise<void>;
}

/**
 * "N more about X since the last digest" in the thread, at the channel's pace, when mentions
 * were linked since the last one. Counted, not read off ids past the mark: batches link
 * mentions out of id order, and one linked behind the mark would never be counted. Quoted from
 * past the mark. Posted before it is marked: a crash in between repeats a digest to agents,
 * never loses one. Returns how many are linked in all, and whether a digest went out.
 */
export async function postDigest(s: SlackCtx<'db' | 'slackPace'>, d: DigestThread): Promise<{ linked: number; posted: boolean }> {
  const [all] = await s.db
    .select({ n: count(), last: max(mentions.id) })
    .from(mentions)
    .where(eq(d.linkedBy, d.id));
  const linked = all?.n ?? 0;
  const fresh = linked - d.digestedCount;
  if (fresh <= 0 || (await s.slackPace(d.channel))) return { linked, posted: false };
  const rows = await s.db
    .select({ handle: mentions.authorHandle, text: mentions.text, url: mentions.url })
    .from(mentions)
    .where(and(eq(d.linkedBy, d.id), gt(mentions.id, d.digestedUpTo)))
    .orderBy(mentions.id)
    .limit(DIGEST_ROWS);
  await s.slack.chat.postMessage({ channel: d.channel, thread_ts: d.threadTs, ...spikeDigest(d.title, rows, fresh), unfurl_links: false });
  await d.mark({ digestedUpTo: Math.max(d.digestedUpTo, Number(all!.last)), digestedCount: linked });
  return { linked, posted: true };
}
