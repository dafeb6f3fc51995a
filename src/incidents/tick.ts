import type { WebClient } from '@slack/web-api';
import { and, count, eq, gt, isNull, max, ne, or, sql } from 'drizzle-orm';
import { incidents, mentions } from '../db/schema.js';
import type { Services } from '../services.js';
import { findPosted } from '../slack/find-posted.js';
import { refreshIncidentCard } from '../slack/incident-thread.js';
import { messageMetadata } from '../slack/metadata.js';
import { spikeDigest } from '../slack/spike-card.js';
import { followUpCounts } from './follow-ups.js';
import type { Incident } from './store.js';

type S = Services & { slack: WebClient };

/** How often incident threads get their digest of linked mentions and the follow-up summary is checked. */
export const INCIDENT_TICK_MS = 5_000;

export async function ensureIncidentSchedule(s: Services): Promise<void> {
  await s.queues.spikes.upsertJobScheduler('incidents-tick', { every: INCIDENT_TICK_MS }, { name: 'incidents', data: {}, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } });
}

/**
 * One round (one worker at a time) over the incidents that still have something to say: the
 * mentions linked since the last digest, as one message in the thread at the channel's pace,
 * and, once every follow-up of a resolved incident is settled, the summary line.
 */
export async function tickIncidents(s: S): Promise<void> {
  const lock = `${s.config.QUEUE_PREFIX}:incidents:tick-lock`;
  if (!(await s.redis.set(lock, String(process.pid), 'PX', INCIDENT_TICK_MS * 4, 'NX'))) return;
  try {
    const active = await s.db
      .select()
      .from(incidents)
      .where(and(sql`${incidents.slackTs} is not null`, or(ne(incidents.state, 'resolved'), isNull(incidents.followUpsReportTs))));
    for (const i of active) {
      await digestLinked(s, i);
      if (i.state === 'resolved') await reportFollowUps(s, i);
    }
  } finally {
    await s.redis.del(lock);
  }
}

const DIGEST_ROWS = 10;

async function digestLinked(s: S, i: Incident): Promise<void> {
  const [linked] = await s.db.select({ n: count(), last: max(mentions.id) }).from(mentions).where(eq(mentions.incidentId, i.id));
  const total = linked?.n ?? 0;
  const fresh = total - i.digestedCount;
  if (fresh > 0 && !(await s.slackPace(i.slackChannel!))) {
    // Quoted: the mentions past the mark. Those linked behind it are counted, not quoted.
    const rows = await s.db
      .select({ handle: mentions.authorHandle, text: mentions.text, url: mentions.url })
      .from(mentions)
      .where(and(eq(mentions.incidentId, i.id), gt(mentions.id, i.digestedUpTo)))
      .orderBy(mentions.id)
      .limit(DIGEST_ROWS);
    // Posted before it is marked: a crash in between repeats a digest to agents, never loses one.
    await s.slack.chat.postMessage({ channel: i.slackChannel!, thread_ts: i.slackTs!, ...spikeDigest(i.title, rows, fresh), unfurl_links: false });
    await s.db.update(incidents).set({ digestedCount: total, digestedUpTo: Number(linked!.last) }).where(eq(incidents.id, i.id));
  }
  // Edited outside the posting pace, so the count keeps up while digests wait their turn.
  if (total !== i.shownCount) {
    await refreshIncidentCard(s, i);
    await s.db.update(incidents).set({ shownCount: total }).where(eq(incidents.id, i.id));
  }
}

/** A claim older than this belongs to a worker that died: the next round asks Slack before posting. */
const CLAIM_MS = 30_000;

/**
 * "Follow-ups: N sent, N failed, N skipped" in the incident's thread, once every follow-up is
 * settled, and only once: claimed before it is posted, and a stale claim is checked in Slack.
 */
async function reportFollowUps(s: S, i: Incident): Promise<void> {
  const c = await followUpCounts(s.db, i.id);
  if (c.open) return;
  if (i.followUpsClaimedAt && Date.now() - i.followUpsClaimedAt.getTime() < CLAIM_MS) return;
  const [claimed] = await s.db
    .update(incidents)
    .set({ followUpsClaimedAt: sql`now()` })
    .where(and(eq(incidents.id, i.id), isNull(incidents.followUpsReportTs), i.followUpsClaimedAt ? eq(incidents.followUpsClaimedAt, i.followUpsClaimedAt) : isNull(incidents.followUpsClaimedAt)))
    .returning({ id: incidents.id });
  if (!claimed) return;
  const where = { channel: i.slackChannel!, threadTs: i.slackTs! };
  let ts = i.followUpsClaimedAt ? (await findPosted(s.slack, { ...where, since: i.followUpsClaimedAt }, 'incident_followups')).get(i.id) : undefined;
  if (!ts) {
    const text = `Follow-ups: ${c.sent} sent, ${c.failed} failed, ${c.skipped} skipped (deleted tweet / blocked DM)`;
    const res = await s.slack.chat.postMessage({ channel: where.channel, thread_ts: where.threadTs, text, metadata: messageMetadata('incident_followups', i.id) });
    ts = res.ts!;
  }
  await s.db.update(incidents).set({ followUpsReportTs: ts }).where(eq(incidents.id, i.id));
}
