import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { ZodError, prettifyError } from 'zod';
import { mentions, replies as sentReplies } from '../db/schema.js';
import type { Network } from '../connector.js';
import { mentionSchema, platforms, type Mention, type Platform } from '../mention.js';
import { batchJobId, batchTokenOf } from '../queues/queues.js';
import type { Ctx } from '../context.js';
import { loadMentions, type MentionUpdate } from '../db/mention-row.js';
import { moveMentions } from './refused-rows.js';
import type { MentionRow } from '../db/rows.js';

function describe(err: unknown): string {
  if (err instanceof ZodError) return prettifyError(err).replace(/\n\s*/g, ' ');
  return err instanceof Error ? err.message : String(err);
}

function normalize(registry: Record<Platform, Network>, row: MentionRow): Mention | { error: string } {
  // The column's type holds only for what this build wrote: a network since removed may still have rows.
  if (!platforms.includes(row.platform)) return { error: `unknown platform '${row.platform}'` };
  try {
    return mentionSchema.parse(registry[row.platform].normalize(row.payload));
  } catch (err) {
    return { error: `invalid ${row.platform} payload: ${describe(err)}` };
  }
}

/**
 * Stage 1: turns each stored network payload of a batch into a validated Mention. A payload
 * that does not fit, or that the database refuses to store, is rejected with the reason on its
 * row; the rest of the batch goes on.
 */
export async function ingest(s: Ctx<'log' | 'db' | 'queues' | 'registry'>, jobId: string, mentionIds: number[]): Promise<void> {
  const next = batchJobId('analyze', batchTokenOf(jobId));
  const rows = await loadMentions(s.db, mentionIds, ['received', 'ingested']);
  const fresh = rows.filter((r) => r.state === 'received');
  // Rows an earlier delivery of this job already moved still need the next job (adding it twice is a no-op).
  const done = rows.filter((r) => r.state === 'ingested' && r.jobId === next).map((r) => r.id);

  const normalized = fresh.map((row) => ({ row, result: normalize(s.registry, row) }));
  const valid = normalized.flatMap(({ row, result }) => ('error' in result ? [] : [{ row, mention: result }]));
  const conversations = await conversationsOf(
    s,
    valid.map((v) => v.mention),
  );
  const now = new Date();
  const updates: MentionUpdate[] = normalized.map(({ row, result }): MentionUpdate => {
    if ('error' in result) return { id: row.id, state: 'rejected', error: result.error };
    const m = result;
    return {
      id: row.id,
      state: 'ingested',
      jobId: next,
      error: null,
      conversationId: conversations.get(mentionKey(m)) ?? m.conversationId,
      inReplyTo: m.inReplyTo,
      authorId: m.author.id,
      authorHandle: m.author.handle,
      authorName: m.author.displayName,
      authorFollowers: m.author.followers,
      authorUrl: m.author.profileUrl,
      text: m.text,
      url: m.url,
      createdAt: m.createdAt,
      language: m.language,
      private: m.private,
      attachments: m.attachments,
      ingestedAt: now,
    };
  });
  // A row the database refuses (a value PostgreSQL cannot hold) is rejected; the rest go on.
  const moved = new Set(await moveMentions(s, 'ingest', ['received'], updates));
  const ingested = updates.filter((u) => u.state === 'ingested' && moved.has(u.id)).map((u) => u.id);
  for (const u of updates)
    if (u.state === 'rejected' && moved.has(u.id)) s.log.info({ mentionId: u.id, reason: u.error }, 'mention rejected');

  const forward = [...done, ...ingested];
  if (forward.length) await s.queues.analyze.add('analyze', { mentionIds: forward }, { jobId: next });
}

const key = (platform: string, externalId: string) => `${platform}\u0000${externalId}`;
const mentionKey = (m: Pick<Mention, 'platform' | 'externalId'>) => key(m.platform, m.externalId);

/**
 * A reply to a message of a conversation joins that conversation, so networks without a native
 * conversation id (Discord channels, generic webhooks, X's webhook deliveries) still thread in
 * Slack. The parent may be a customer's message stored already or arriving in the same batch, or
 * one of carebot's own replies (a customer answering the brand's answer). Keyed by `mentionKey`.
 */
async function conversationsOf(s: Ctx<'db'>, batch: Mention[]): Promise<Map<string, string>> {
  const replies = batch.filter((m) => m.inReplyTo);
  const known = new Map<string, string>();
  for (const platform of new Set(replies.map((m) => m.platform))) {
    const parents = [...new Set(replies.flatMap((m) => (m.platform === platform && m.inReplyTo ? [m.inReplyTo] : [])))];
    const stored = await s.db
      .select({ externalId: mentions.externalId, conversationId: mentions.conversationId })
      .from(mentions)
      .where(and(eq(mentions.platform, platform), inArray(mentions.externalId, parents), isNotNull(mentions.conversationId)));
    const ours = await s.db
      .select({ externalId: sentReplies.externalId, conversationId: mentions.conversationId })
      .from(sentReplies)
      .innerJoin(mentions, eq(mentions.id, sentReplies.mentionId))
      .where(and(eq(sentReplies.platform, platform), inArray(sentReplies.externalId, parents), isNotNull(mentions.conversationId)));
    for (const p of [...stored, ...ours]) if (p.externalId && p.conversationId) known.set(key(platform, p.externalId), p.conversationId);
  }
  const inBatch = new Map(batch.map((m) => [mentionKey(m), m]));
  const resolve = (m: Mention, depth = 0): string => {
    const k = mentionKey(m);
    if (!m.inReplyTo || depth > 50) return known.get(k) ?? m.conversationId;
    const parentKey = key(m.platform, m.inReplyTo);
    const parent = inBatch.get(parentKey);
    const conversation = known.get(parentKey) ?? (parent ? resolve(parent, depth + 1) : m.conversationId);
    known.set(k, conversation);
    return conversation;
  };
  return new Map(batch.map((m) => [mentionKey(m), resolve(m)]));
}
