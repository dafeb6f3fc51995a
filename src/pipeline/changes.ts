import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { mentions, replies } from '../db/schema.js';
import { mentionSchema, type Incoming, type Mention } from '../mention.js';
import { wellFormed } from '../shared/well-formed.js';
import { errorReason } from '../shared/log.js';
import { refreshMentionMessage } from '../slack/inbox/conversation.js';
import { ERASED } from '../db/erase.js';

type ChangesCtx = Ctx<'db' | 'log' | 'registry'> & Partial<Ctx<'slack'>>;

/** Why an unsent reply was not sent: shown to the agent who wrote it. */
export const DELETED_BEFORE_SENT = 'the customer deleted the message it answered before it was sent';

/**
 * A message the customer edited or deleted on the network after sending it. The row is the
 * record: an edit replaces the stored payload and text (the card shows the latest, marked
 * "edited"; its triage stays the one of the first words), a delete marks the row and cancels the
 * replies to it that have not gone out. The card is re-rendered at once when Slack is on; if
 * Slack is away the card is stale until its next change, and the row still holds the truth.
 *
 * Returns the edits of messages carebot never stored: the connector found them worth a card
 * (an edit that adds the brand's @name), so they go in as new mentions. A delete of a message
 * carebot never stored needs nothing.
 */
export async function applyChanges(s: ChangesCtx, changes: Incoming[]): Promise<Incoming[]> {
  const unknown: Incoming[] = [];
  for (const change of changes) {
    const [row] = await s.db
      .select({ id: mentions.id, state: mentions.state, error: mentions.error })
      .from(mentions)
      .where(and(eq(mentions.platform, change.platform), eq(mentions.externalId, change.externalId)));
    if (!row) {
      if (change.change === 'edited') unknown.push({ platform: change.platform, externalId: change.externalId, payload: change.payload });
      continue;
    }
    // A customer's data erased on request (carebot forget) is not written back by a later edit.
    if (row.error === ERASED) continue;
    try {
      const changed = change.change === 'deleted' ? await markDeleted(s, row.id) : await replaceText(s, row.id, change);
      if (changed && s.slack) await refreshMentionMessage({ db: s.db, slack: s.slack }, row.id);
    } catch (err) {
      // One change that cannot be applied (Slack refusing the update) never stops the others.
      s.log.warn({ mentionId: row.id, change: change.change, reason: errorReason(err) }, 'customer change not shown on its card');
    }
  }
  return unknown;
}

async function markDeleted(s: ChangesCtx, id: number): Promise<boolean> {
  const [marked] = await s.db
    .update(mentions)
    .set({ deletedAt: sql`coalesce(${mentions.deletedAt}, now())`, updatedAt: sql`now()` })
    .where(eq(mentions.id, id))
    .returning({ id: mentions.id });
  // 'pending' only: a reply already 'sending' is in the network's hands and is reported as it ends.
  const cancelled = await s.db
    .update(replies)
    .set({ state: 'skipped', error: DELETED_BEFORE_SENT, updatedAt: sql`now()` })
    .where(and(eq(replies.mentionId, id), inArray(replies.state, ['pending'])))
    .returning({ id: replies.id });
  s.log.info({ mentionId: id, cancelledReplies: cancelled.length }, 'customer deleted a message');
  return Boolean(marked);
}

/** The new words of an edited message; an edit carebot cannot read leaves the row as it was. */
async function replaceText(s: ChangesCtx, id: number, change: Incoming): Promise<boolean> {
  let mention: Mention;
  try {
    mention = mentionSchema.parse(s.registry[change.platform].normalize(change.payload));
  } catch (err) {
    s.log.warn({ mentionId: id, reason: errorReason(err) }, 'edited message not readable; the card keeps the earlier text');
    return false;
  }
  const [updated] = await s.db
    .update(mentions)
    .set({
      payload: wellFormed(change.payload),
      // A row not ingested yet is normalized from the new payload by ingest itself.
      text: sql`case when ${mentions.text} is null then null else ${mention.text} end`,
      attachments: mention.attachments,
      editedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(eq(mentions.id, id))
    .returning({ id: mentions.id });
  return Boolean(updated);
}
