import { and, count, eq, gt, lt, ne } from 'drizzle-orm';
import { mentions } from '../db/schema.js';
import { mentionJobId } from '../queues.js';
import type { Services } from '../services.js';
import type { TriageResult } from '../triage/index.js';
import { advance, loadMention, type MentionRow } from './mention-row.js';

const DAY_MS = 24 * 3600 * 1000;

/** BullMQ priorities: lower runs first, so a P1 card overtakes a backlog of P4s. */
const queuePriority: Record<TriageResult['priority'], number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/** Stage 2: sentiment and triage (category, priority, complaint, needs-a-reply, spam, language). */
export async function analyze(s: Services, mentionId: number): Promise<void> {
  const row = await loadMention(s.db, mentionId);
  let result = row.triage as TriageResult | null;
  if (row.state === 'ingested') {
    result = s.triage.triage({
      text: row.text!,
      platform: row.platform,
      authorFollowers: row.authorFollowers ?? undefined,
      authorId: row.authorId ?? undefined,
      authorHandle: row.authorHandle ?? undefined,
      recentContacts: await recentContacts(s, row),
    });
    await advance(s.db, mentionId, 'ingested', 'analyzed', {
      triage: result,
      priority: result.priority,
      category: result.category,
      sentiment: result.sentiment.score,
      language: row.language ?? result.language,
      analyzedAt: new Date(),
    });
  } else if (row.state !== 'analyzed') {
    return;
  }
  await s.queues.notify.add(
    'notify',
    { mentionId },
    { jobId: mentionJobId(mentionId), priority: result ? queuePriority[result.priority] : undefined },
  );
}

/** How often the same customer wrote in the 24 hours before this message. */
async function recentContacts(s: Services, row: MentionRow): Promise<number> {
  if (!row.authorId || !row.createdAt) return 0;
  const [r] = await s.db
    .select({ n: count() })
    .from(mentions)
    .where(
      and(
        eq(mentions.platform, row.platform),
        eq(mentions.authorId, row.authorId),
        gt(mentions.createdAt, new Date(row.createdAt.getTime() - DAY_MS)),
        lt(mentions.createdAt, row.createdAt),
        ne(mentions.id, row.id),
      ),
    );
  return r?.n ?? 0;
}
