import { and, count, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { networks } from '../../connectors/networks.js';
import type { Db } from '../db/open.js';
import { mentions, replies } from '../db/schema.js';
import type { Platform } from '../mention.js';
import { replyJob, type JobSource } from '../queues/queues.js';
import type { Ctx } from '../context.js';
import { truncate } from '../shared/fit-text.js';
import { fillTemplate, statusUrl } from './settings.js';
import type { Tx } from './store.js';
import type { Incident } from '../db/rows.js';

export const followUpKey = (incidentId: number, platform: string, authorId: string) =>
  `incident:${incidentId}:followup:${platform}:${authorId}`;
export const acknowledgementKey = (incidentId: number, platform: string, authorId: string) =>
  `incident:${incidentId}:ack:${platform}:${authorId}`;

const CHUNK = 500;

/** What a customer is called in a message to them: an @handle where the network has them. */
export const customerName = (platform: Platform, handle: string | null) =>
  handle ? `${networks[platform].handlePrefix}${handle}` : 'there';

/** A follow-up or acknowledgement's words, cut to what the network takes (a refusal would waste the one chance). */
export function incidentReplyText(
  s: Ctx<'config' | 'connectors'>,
  template: string,
  i: Incident,
  to: { platform: Platform; authorHandle: string | null },
): string {
  const text = fillTemplate(template, { customer: customerName(to.platform, to.authorHandle), title: i.title, statusUrl: statusUrl(s) });
  return truncate(text, s.connectors[to.platform]?.limits.textLength ?? text.length);
}

/**
 * One follow-up per linked customer (per author per network, answering their latest mention),
 * stored in the same transaction that resolves the incident: once it reads resolved, every
 * promise to write back exists, and a crash after it loses none (the reconciler queues them).
 */
export async function storeFollowUps(s: Ctx<'config' | 'connectors'>, tx: Tx, i: Incident): Promise<JobSource[]> {
  const latest = await tx
    .selectDistinctOn([mentions.platform, mentions.authorId], {
      id: mentions.id,
      platform: mentions.platform,
      authorId: mentions.authorId,
      authorHandle: mentions.authorHandle,
    })
    .from(mentions)
    .where(and(eq(mentions.incidentId, i.id), isNotNull(mentions.authorId)))
    // X dates tweets to the second: a customer's two-tweet thread ties, and rows are stored in the
    // order a poll page lists them (newest first). Snowflake ids (X, Discord) break the tie by time.
    .orderBy(
      mentions.platform,
      mentions.authorId,
      desc(mentions.createdAt),
      desc(sql`length(${mentions.externalId})`),
      desc(mentions.externalId),
    );
  const stored: JobSource[] = [];
  for (let at = 0; at < latest.length; at += CHUNK) {
    const rows = latest.slice(at, at + CHUNK).map((m) => ({
      idempotencyKey: followUpKey(i.id, m.platform, m.authorId!),
      mentionId: m.id,
      platform: m.platform,
      kind: 'follow_up' as const,
      text: incidentReplyText(s, s.config.file.incidents.followUpText, i, m),
      requestedBy: 'system',
    }));
    stored.push(...(await tx.insert(replies).values(rows).onConflictDoNothing().returning({ id: replies.id, at: replies.createdAt })));
  }
  return stored;
}

/** Hands stored replies to the outbound queue; the reconciler does it later if Redis is away now. */
export async function queueReplies(s: Ctx<'log' | 'queues'>, stored: JobSource[]): Promise<void> {
  try {
    for (let at = 0; at < stored.length; at += CHUNK) {
      await s.queues.outbound.addBulk(stored.slice(at, at + CHUNK).map(replyJob));
    }
  } catch (err) {
    s.log.warn(
      { err: (err as Error).message, replies: stored.length },
      'stored incident replies but could not queue them; the reconciler will',
    );
  }
}

export interface FollowUpCounts {
  sent: number;
  failed: number;
  skipped: number;
  /** Not settled yet (pending or sending). */
  open: number;
}

export async function followUpCounts(db: Db, incidentId: number): Promise<FollowUpCounts> {
  const rows = await db
    .select({ state: replies.state, n: count() })
    .from(replies)
    .innerJoin(mentions, eq(replies.mentionId, mentions.id))
    .where(and(eq(mentions.incidentId, incidentId), eq(replies.kind, 'follow_up')))
    .groupBy(replies.state);
  const c: FollowUpCounts = { sent: 0, failed: 0, skipped: 0, open: 0 };
  for (const { state, n } of rows) {
    if (state === 'sent' || state === 'skipped') c[state] += n;
    else if (state === 'failed' || state === 'unknown') c.failed += n;
    else c.open += n;
  }
  return c;
}
