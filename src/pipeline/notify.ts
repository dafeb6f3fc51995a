import type { WebClient } from '@slack/web-api';
import { audit } from '../db/audit.js';
import { eachLimited } from '../shared/each-limited.js';
import { groupBy } from '../shared/group-by.js';
import { rateLimitDelayMs } from '../queues/rate-limit.js';
import type { SlackCtx } from '../context.js';
import { followUpMessage, mentionCard } from '../slack/views/card.js';
import { cardCustomer, earlierCard, refreshCard, reopenedStatus, updateThread } from '../slack/inbox/conversation.js';
import { findPosted } from '../slack/api/find-posted.js';
import { messageMetadata } from '../slack/api/metadata.js';
import { slackRefusedForGood, slackSaidNo } from '../slack/api/errors.js';
import { claimForNotify, releaseClaims, type ClaimedMention } from './claim-for-notify.js';
import { claimThreads, conversationKey, setThreadTs } from './claim-threads.js';
import type { ThreadRow } from '../db/rows.js';
import type { MentionUpdate } from '../db/mention-row.js';
import { errorReason } from '../shared/log.js';
import { moveMentions } from './refused-rows.js';
import { RetryLater } from '../queues/retry-later.js';
import { collapseIntoSpikes } from '../spikes/collapse.js';
import { acknowledgeLinked, linkToIncidents } from '../incidents/link.js';

type NotifyCtx = SlackCtx<'config' | 'log' | 'db' | 'queues' | 'metrics' | 'slackPace' | 'spikes' | 'connectors'>;

/** Conversations of one batch posted at once (the messages of one conversation go in order). */
const POSTS_AT_ONCE = 8;

/**
 * Stage 3: the cards in Slack. A conversation's first mention posts a card; later ones reply in
 * its thread. Spam gets no card. Each mention is posted at most once, even across crashes: its
 * row is claimed before the call, and a claim left by an earlier attempt means asking Slack
 * first. What this attempt finishes is recorded even when another part of the batch fails.
 */
export async function notify(s: NotifyCtx, jobId: string, mentionIds: number[]): Promise<void> {
  // A claim holds against other jobs as long as a stage may take (the reconciler's patience);
  // the job that made it may always take it back.
  const claimed = await claimForNotify(s.db, mentionIds, jobId, s.config.STUCK_AFTER_SECONDS * 1000);
  if (!claimed.length) return;
  const now = new Date();
  const done: MentionUpdate[] = [];
  const failed: MentionUpdate[] = [];
  const release: number[] = []; // rows known not to have been posted by this attempt
  const newThreads: Array<{ thread: ThreadRow; ts: string }> = [];
  const reopen = new Map<string, ThreadRow>(); // resolved conversations the customer wrote to again
  let waiting = 0;
  let paceMs = 0; // the soonest a paced channel takes messages again
  let stop: unknown; // a rate limit or outage: start nothing more
  const errors: unknown[] = [];

  const wanted = claimed.filter((r) => !r.triage.spam);
  // During an incident, its mentions are linked to it and listed in its thread's digest.
  const linked = await linkToIncidents(s, wanted);
  // During a spike, its mentions go to the alert's digest instead of a card each.
  const collapsed = await collapseIntoSpikes(
    s,
    wanted.filter((r) => !linked.has(r.id)),
  );
  const cards = wanted.filter((r) => !collapsed.has(r.id) && !linked.has(r.id));
  for (const r of claimed) {
    if (!cards.includes(r))
      done.push({
        id: r.id,
        state: 'notified',
        spikeId: collapsed.get(r.id) ?? null,
        incidentId: linked.get(r.id)?.id ?? null,
        notifiedAt: now,
      });
  }
  const conversations = groupBy(
    cards.toSorted((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id),
    conversationKey,
  );
  const { threads, refused } = await claimThreads(
    s,
    [...conversations.values()].map((rows) => rows[0]!),
  );
  // A conversation the database would not open a thread for: its rows are rejected, the rest go on.
  for (const [key, err] of refused) {
    for (const r of conversations.get(key)!) failed.push({ id: r.id, state: 'rejected', error: `notify: ${errorReason(err)}` });
    conversations.delete(key);
  }

  // What earlier attempts may have posted, asked of Slack once per channel or thread.
  const earliest = claimed.reduce<Date | null>(
    (min, r) => (r.claimedBefore && (!min || r.claimedBefore < min) ? r.claimedBefore : min),
    null,
  );
  const scans = new Map<string, Promise<Map<number, string>>>();
  const postedEarlier = (channel: string, threadTs: string | undefined) => {
    const key = `${channel}/${threadTs ?? ''}`;
    if (!scans.has(key)) scans.set(key, findPosted(s.slack, { channel, threadTs, since: earliest! }));
    return scans.get(key)!;
  };

  await eachLimited([...conversations], POSTS_AT_ONCE, async ([key, rows]) => {
    let thread = threads.get(key)!;
    // The conversation's root goes first: its card is the thread the others reply in.
    const ordered = rows.toSorted((a, b) => Number(b.id === thread.rootMentionId) - Number(a.id === thread.rootMentionId));
    for (const [i, row] of ordered.entries()) {
      const isRoot = thread.rootMentionId === row.id;
      if (stop || (!isRoot && !thread.threadTs)) {
        if (!stop) waiting++;
        if (!row.claimedBefore) release.push(row.id);
        continue;
      }
      const wait = await s.slackPace(thread.channel);
      if (wait) {
        // The channel is at Slack's pace: this message and the rest of its conversation wait.
        paceMs = paceMs ? Math.min(paceMs, wait) : wait;
        for (const later of ordered.slice(i)) if (!later.claimedBefore) release.push(later.id);
        return;
      }
      try {
        const threadTs = isRoot ? undefined : thread.threadTs!;
        const ts =
          (row.claimedBefore && (await postedEarlier(thread.channel, threadTs)).get(row.id)) || (await post(s, row, thread, threadTs));
        if (isRoot) {
          thread = { ...thread, threadTs: ts };
          newThreads.push({ thread, ts });
        }
        done.push({ id: row.id, state: 'notified', slackChannel: thread.channel, slackTs: ts, notifiedAt: new Date() });
        if (!isRoot && thread.status === 'resolved') reopen.set(key, thread);
        s.metrics.endToEndSeconds.observe((Date.now() - row.receivedAt.getTime()) / 1000);
      } catch (err) {
        if (slackSaidNo(err)) release.push(row.id);
        if (slackRefusedForGood(err)) {
          failed.push({ id: row.id, state: 'failed', error: `Slack refused the card: ${errorReason(err)}` });
          continue;
        }
        if (rateLimitDelayMs(err) !== undefined) stop ??= err;
        else errors.push(err);
        // The rest of this conversation waits for the next attempt: order matters in a thread.
        for (const later of ordered.slice(i + 1)) if (!later.claimedBefore) release.push(later.id);
        return;
      }
    }
  });

  await setThreadTs(s, newThreads);
  // Before the rows are marked: if this fails, the retry finds the posts in Slack and gets here again.
  for (const thread of reopen.values()) await reopenConversation(s, thread);
  await moveMentions(s, 'notify', ['analyzed'], [...done, ...failed]);
  await acknowledgeLinked(s, claimed, linked);
  await releaseClaims(s.db, release, jobId);
  if (stop) throw stop;
  if (errors.length) throw errors[0];
  if (paceMs) throw new RetryLater("waiting for Slack's per-channel pace", paceMs);
  if (waiting) throw new RetryLater(`${waiting} mention(s) waiting for their conversation's first card`, 500);
}

/** A customer wrote again on a resolved conversation: it is open again, and its card says so. */
async function reopenConversation(s: SlackCtx<'db'>, thread: ThreadRow): Promise<void> {
  const reopened = await updateThread(s.db, thread, { status: reopenedStatus(thread), resolvedAt: null });
  await audit(
    s.db,
    'system',
    'reopen',
    { type: 'conversation', id: `${thread.platform}:${thread.conversationId}` },
    { reason: 'the customer wrote again' },
  );
  await refreshCard(s, reopened);
}

async function post(s: SlackCtx<'config' | 'db'>, row: ClaimedMention, thread: ThreadRow, threadTs: string | undefined): Promise<string> {
  const { channel } = thread;
  // In a card's thread, someone other than the card's customer is marked as such: replies from the card do not go to them.
  const message = threadTs
    ? followUpMessage(row, row.triage, await cardCustomer(s.db, thread))
    : mentionCard(row, row.triage, { page: s.config.file.slack.p1Mention, earlier: await earlierCard(s, thread) });
  const res = await s.slack.chat.postMessage({
    channel,
    thread_ts: threadTs,
    ...message,
    metadata: messageMetadata('mention', row.id),
    unfurl_links: false,
    unfurl_media: false,
  } as Parameters<WebClient['chat']['postMessage']>[0]);
  if (!res.ts) throw new Error(`Slack accepted the message but returned no ts (channel ${channel})`);
  return res.ts;
}
