import type { WebClient } from '@slack/web-api';
import { and, count, desc, eq, gt, ilike, isNull, sql } from 'drizzle-orm';
import { mentions, spikes } from '../../db/schema.js';
import { RetryLater } from '../../queues/retry-later.js';
import { withLock } from '../../queues/with-lock.js';
import type { Ctx, SlackCtx } from '../../context.js';
import { findPosted } from '../api/find-posted.js';
import { messageMetadata } from '../api/metadata.js';
import { postDigest } from '../api/post-digest.js';
import { spikeAlert, type SpikeSample } from '../views/spike-card.js';
import { loadOpenSpikes, queueSpikeAlert } from '../../spikes/open-spikes.js';
import type { Spike } from '../../db/rows.js';

/** How often open spikes are edited, digested and checked for their end. */
export const SPIKE_TICK_MS = 15_000;

export async function ensureSpikeSchedule(s: Ctx<'queues'>): Promise<void> {
  await s.queues.spikes.upsertJobScheduler(
    'spikes-tick',
    { every: SPIKE_TICK_MS },
    { name: 'tick', data: {}, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
  );
}

/** What the alert shows besides the spike itself: how many mentions it holds, and a few of them. */
async function facts(s: Ctx<'config' | 'db'>, sp: Spike): Promise<Parameters<typeof spikeAlert>[1]> {
  const sample = { handle: mentions.authorHandle, text: mentions.text, url: mentions.url };
  const [[held], collapsed] = await Promise.all([
    s.db.select({ n: count() }).from(mentions).where(eq(mentions.spikeId, sp.id)),
    s.db.select(sample).from(mentions).where(eq(mentions.spikeId, sp.id)).orderBy(desc(mentions.id)).limit(3),
  ]);
  // Before anything has collapsed, the mentions that raised it are still cards of their own.
  const samples: SpikeSample[] = collapsed.length
    ? collapsed
    : await s.db
        .select(sample)
        .from(mentions)
        .where(and(ilike(mentions.text, `%${sp.term}%`), gt(mentions.analyzedAt, sql`now() - interval '10 minutes'`)))
        .orderBy(desc(mentions.id))
        .limit(3);
  return { windowMinutes: s.config.file.spikes.windowMinutes, mentions: held?.n ?? 0, samples };
}

/**
 * Posts a spike's alert card, once: the claim is stored before the call, and a retry that finds
 * it asks Slack for a message carrying this spike's metadata before posting.
 */
export async function postAlert(s: SlackCtx<'config' | 'db' | 'slackPace'>, spikeId: number): Promise<void> {
  const [sp] = await s.db.select().from(spikes).where(eq(spikes.id, spikeId));
  if (!sp || sp.slackTs) return;
  if (sp.alertClaimedAt) {
    const found = (await findPosted(s.slack, { channel: sp.channel, since: sp.alertClaimedAt }, 'spike')).get(sp.id);
    if (found) {
      await s.db.update(spikes).set({ slackTs: found }).where(eq(spikes.id, sp.id));
      return;
    }
  }
  const wait = await s.slackPace(sp.channel);
  if (wait) throw new RetryLater("waiting for Slack's per-channel pace", wait);
  await s.db
    .update(spikes)
    .set({ alertClaimedAt: sql`coalesce(${spikes.alertClaimedAt}, now())` })
    .where(eq(spikes.id, sp.id));
  const res = await s.slack.chat.postMessage({
    channel: sp.channel,
    ...spikeAlert(sp, await facts(s, sp)),
    metadata: messageMetadata('spike', sp.id),
    unfurl_links: false,
  } as Parameters<WebClient['chat']['postMessage']>[0]);
  if (!res.ts) throw new Error(`Slack accepted the spike alert but returned no ts (spike ${sp.id})`);
  await s.db
    .update(spikes)
    .set({ slackTs: res.ts, shownCount: sp.count })
    .where(and(eq(spikes.id, sp.id), isNull(spikes.slackTs)));
}

/**
 * One round over the open spikes (one worker at a time): revive an alert still missing, list what collapsed since the
 * last digest in the alert's thread, close a spike that has been quiet long enough, and edit
 * the alert when what it shows changed. Each Slack post keeps to the channel's pace.
 */
export async function tickSpikes(s: SlackCtx<'config' | 'log' | 'db' | 'redis' | 'queues' | 'slackPace'>): Promise<void> {
  const lock = `${s.config.QUEUE_PREFIX}:spikes:tick-lock`;
  await withLock(s.redis, lock, SPIKE_TICK_MS * 2, () => tick(s));
}

async function tick(s: SlackCtx<'config' | 'log' | 'db' | 'queues' | 'slackPace'>): Promise<void> {
  const closeAfterMs = s.config.file.spikes.closeAfterMinutes * 60_000;
  for (const sp of await loadOpenSpikes(s.db)) {
    if (!sp.slackTs) {
      // Only the alert job posts the alert; this revives one that was lost.
      await queueSpikeAlert(s, sp);
      continue;
    }
    const digest = await postDigest(s, {
      linkedBy: mentions.spikeId,
      id: sp.id,
      title: sp.term,
      channel: sp.channel,
      threadTs: sp.slackTs,
      digestedUpTo: sp.digestedUpTo,
      digestedCount: sp.digestedCount,
      mark: async (covered) => void (await s.db.update(spikes).set(covered).where(eq(spikes.id, sp.id))),
    });
    let changed = sp.count !== sp.shownCount || digest.posted;
    let shown: Spike | undefined = sp;
    if (Date.now() - sp.lastAnomalousAt.getTime() > closeAfterMs) {
      [shown] = await s.db.update(spikes).set({ status: 'closed', closedAt: sql`now()` }).where(eq(spikes.id, sp.id)).returning();
      s.log.info({ spikeId: sp.id, term: sp.term, peak: sp.peak }, 'spike over');
      changed = true;
    }
    if (changed && shown) {
      await s.slack.chat.update({ channel: sp.channel, ts: sp.slackTs, ...spikeAlert(shown, await facts(s, shown)) });
      await s.db.update(spikes).set({ shownCount: shown.count }).where(eq(spikes.id, sp.id));
    }
  }
}
