import { and, count, desc, eq, exists, gt, inArray, isNotNull, ne, not, notExists, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/open.js';
import { incidents, mentions, replies, slackThreads } from '../db/schema.js';
import type { Platform } from '../mention.js';

/**
 * A customer's follow-up that reached them: which incident it closes the loop of, for whom, and
 * since when (`writtenAt`: stored with the resolution, in its transaction).
 */
export interface SentFollowUp {
  replyId: number;
  incidentId: number;
  platform: Platform;
  authorId: string;
  writtenAt: Date;
}

/** The follow-up `replyId` is, once it was sent; undefined for any other reply or state. */
export async function sentFollowUp(db: Db, replyId: number): Promise<SentFollowUp | undefined> {
  const [row] = await db
    .select({ incidentId: mentions.incidentId, platform: mentions.platform, authorId: mentions.authorId, writtenAt: replies.createdAt })
    .from(replies)
    .innerJoin(mentions, eq(mentions.id, replies.mentionId))
    .where(and(eq(replies.id, replyId), eq(replies.kind, 'follow_up'), eq(replies.state, 'sent')));
  if (!row?.incidentId || !row.authorId) return undefined;
  return { replyId, incidentId: row.incidentId, platform: row.platform, authorId: row.authorId, writtenAt: row.writtenAt };
}

const linked = alias(mentions, 'linked');
const root = alias(mentions, 'root');
const since = alias(mentions, 'since');

/**
 * The conversations (a condition on `slack_threads`) a sent follow-up settles, and so closes:
 *
 * - its card's root mention is linked to the incident and written by the customer followed up
 *   (a conversation the incident only touched later — the customer's outage message in a thread
 *   about something else — is about that something else, and stays as it is);
 * - it is open: not resolved, not spam. Assigned or already answered by an agent makes no
 *   difference: the customer has been told the problem they wrote about is fixed, and the
 *   assignee stays on the row, so the card is theirs again if it reopens;
 * - the customer has written nothing in it since their follow-up was written (at the
 *   resolution). What they said since is not covered by it — "still broken", a new question,
 *   an answer to the follow-up itself — and needs a person, so the card stays open. Counted from
 *   the resolution, not from the send: a follow-up is sent up to an hour later at the network's
 *   pace, and one recorded late (its answer lost, found on the network afterwards) may already
 *   have been answered. A customer who writes after the card closed reopens it, as on any card.
 *
 * Part of the update's own condition, so a message stored meanwhile is never closed over, and a
 * second delivery of the same follow-up finds nothing left to close.
 */
export function settledBy(db: Db, f: SentFollowUp): SQL {
  return and(
    // The customer's linked conversations, found by the key (the incident's index, then the primary key).
    eq(slackThreads.platform, f.platform),
    inArray(
      slackThreads.conversationId,
      db
        .select({ id: linked.conversationId })
        .from(linked)
        .where(
          and(
            eq(linked.incidentId, f.incidentId),
            eq(linked.platform, f.platform),
            eq(linked.authorId, f.authorId),
            isNotNull(linked.conversationId),
          ),
        ),
    ),
    isNotNull(slackThreads.threadTs),
    notInArray(slackThreads.status, ['resolved', 'spam']),
    exists(
      db
        .select({ one: sql`1` })
        .from(root)
        .where(and(eq(root.id, slackThreads.rootMentionId), eq(root.incidentId, f.incidentId), eq(root.authorId, f.authorId))),
    ),
    notExists(
      db
        .select({ one: sql`1` })
        .from(since)
        .where(
          and(
            eq(since.platform, slackThreads.platform),
            eq(since.conversationId, slackThreads.conversationId),
            eq(since.authorId, f.authorId),
            gt(since.receivedAt, f.writtenAt),
          ),
        ),
    ),
  )!;
}

const followedUp = alias(mentions, 'followed_up');

/**
 * Whether a conversation waits on an incident rather than on an agent, given its root mention
 * (`mentions` joined as the card's root): the root is linked to an incident that is still open,
 * or resolved with this customer's follow-up still on its way (pending or sending). Once the
 * follow-up is sent the card closes; one that failed or was skipped leaves the conversation
 * waiting on an agent again, like any other.
 */
export function awaitingIncident(db: Db): SQL {
  const followUpOnItsWay = exists(
    db
      .select({ one: sql`1` })
      .from(replies)
      .innerJoin(followedUp, eq(followedUp.id, replies.mentionId))
      .where(
        and(
          eq(replies.kind, 'follow_up'),
          inArray(replies.state, ['pending', 'sending']),
          eq(followedUp.incidentId, mentions.incidentId),
          eq(followedUp.platform, mentions.platform),
          eq(followedUp.authorId, mentions.authorId),
        ),
      ),
  );
  return exists(
    db
      .select({ one: sql`1` })
      .from(incidents)
      .where(and(eq(incidents.id, mentions.incidentId), or(ne(incidents.state, 'resolved'), followUpOnItsWay))),
  );
}

/** The opposite of `awaitingIncident`: waiting on an agent (or on nothing, when closed). */
export const notAwaitingIncident = (db: Db): SQL => not(awaitingIncident(db));

/** Per incident, how many open conversations (`open`, a condition on `slack_threads`) wait on it, newest incident first. */
export async function awaitingByIncident(db: Db, open: SQL | undefined): Promise<Array<{ id: number; title: string; n: number }>> {
  return db
    .select({ id: incidents.id, title: incidents.title, n: count() })
    .from(slackThreads)
    .innerJoin(mentions, eq(mentions.id, slackThreads.rootMentionId))
    .innerJoin(incidents, eq(incidents.id, mentions.incidentId))
    .where(and(open, awaitingIncident(db)))
    .groupBy(incidents.id, incidents.title)
    .orderBy(desc(incidents.id));
}
