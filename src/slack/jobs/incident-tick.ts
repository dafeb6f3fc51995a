import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { incidents, mentions } from '../../db/schema.js';
import type { Ctx, SlackCtx } from '../../context.js';
import { findPosted } from '../api/find-posted.js';
import { refreshIncidentCard } from '../api/incident-thread.js';
import { messageMetadata } from '../api/metadata.js';
import { postDigest } from '../api/post-digest.js';
import { followUpCounts } from '../../incidents/follow-ups.js';
import { hasCard, type IncidentWithCard } from '../../db/rows.js';
import { withLock } from '../../queues/with-lock.js';

/** How often incident threads get their digest of linked mentions and the follow-up summary is checked. */
export const INCIDENT_TICK_MS = 5_000;

export async function ensureIncidentSchedule(s: Ctx<'queues'>): Promise<void> {
  await s.queues.spikes.upsertJobScheduler(
    'incidents-tick',
    { every: INCIDENT_TICK_MS },
    { name: 'incidents', data: {}, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
  );
}

/**
 * One round (one worker at a time) over the incidents that still have something to say: the
 * mentions linked since the last digest, as one message in the thread at the channel's pace,
 * and, once every follow-up of a resolved incident is settled, the summary line.
 */
export async function tickIncidents(s: SlackCtx<'config' | 'db' | 'redis' | 'slackPace'>): Promise<void> {
  const lock = `${s.config.QUEUE_PREFIX}:incidents:tick-lock`;
  await withLock(s.redis, lock, INCIDENT_TICK_MS * 4, async () => {
    const active = await s.db
      .select()
      .from(incidents)
      .where(and(sql`${incidents.slackTs} is not null`, or(ne(incidents.state, 'resolved'), isNull(incidents.followUpsReportTs))));
    for (const i of active.filter(hasCard)) {
      await digestLinked(s, i);
      if (i.state === 'resolved') await reportFollowUps(s, i);
    }
  });
}

async function digestLinked(s: SlackCtx<'db' | 'slackPace'>, i: IncidentWithCard): Promise<void> {
  const { linked } = await postDigest(s, {
    linkedBy: mentions.incidentId,
    id: i.id,
    title: i.title,
    channel: i.slackChannel,
    threadTs: i.slackTs,
    digestedUpTo: i.digestedUpTo,
    digestedCount: i.digestedCount,
    mark: async (covered) => void (await s.db.update(incidents).set(covered).where(eq(incidents.id, i.id))),
  });
  // Edited outside the posting pace, so the count keeps up while digests wait their turn.
  if (linked !== i.shownCount) {
    await refreshIncidentCard(s, i);
    await s.db.update(incidents).set({ shownCount: linked }).where(eq(incidents.id, i.id));
  }
}

/** A claim older than this belongs to a worker that died: the next round asks Slack before posting. */
const CLAIM_MS = 30_000;

/**
 * "Follow-ups: N sent, N failed, N skipped" in the incident's thread, once every follow-up is
 * settled, and only once: claimed before it is posted, and a stale claim is checked in Slack.
 */
async function reportFollowUps(s: SlackCtx<'db'>, i: IncidentWithCard): Promise<void> {
  const c = await followUpCounts(s.db, i.id);
  if (c.open) return;
  if (i.followUpsClaimedAt && Date.now() - i.followUpsClaimedAt.getTime() < CLAIM_MS) return;
  const [claimed] = await s.db
    .update(incidents)
    .set({ followUpsClaimedAt: sql`now()` })
    .where(
      and(
        eq(incidents.id, i.id),
        isNull(incidents.followUpsReportTs),
        i.followUpsClaimedAt ? eq(incidents.followUpsClaimedAt, i.followUpsClaimedAt) : isNull(incidents.followUpsClaimedAt),
      ),
    )
    .returning({ id: incidents.id });
  if (!claimed) return;
  const where = { channel: i.slackChannel, threadTs: i.slackTs };
  let ts = i.followUpsClaimedAt
    ? (await findPosted(s.slack, { ...where, since: i.followUpsClaimedAt }, 'incident_followups')).get(i.id)
    : undefined;
  if (!ts) {
    const text = `Follow-ups: ${c.sent} sent, ${c.failed} failed, ${c.skipped} skipped (deleted tweet / blocked DM)`;
    const res = await s.slack.chat.postMessage({
      channel: where.channel,
      thread_ts: where.threadTs,
      text,
      metadata: messageMetadata('incident_followups', i.id),
    });
    if (!res.ts) throw new Error(`Slack accepted the follow-up summary but returned no ts (incident ${i.id})`);
    ts = res.ts;
  }
  await s.db.update(incidents).set({ followUpsReportTs: ts }).where(eq(incidents.id, i.id));
}
