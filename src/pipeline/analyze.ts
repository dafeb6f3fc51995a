import { and, eq, gt, inArray, lt } from 'drizzle-orm';
import { mentions } from '../db/schema.js';
import { groupBy } from '../shared/group-by.js';
import { batchJobId, batchTokenOf } from '../queues/queues.js';
import type { Ctx } from '../context.js';
import { countsTowardSpikes } from '../spikes/collapse.js';
import { recordAnomalies } from '../spikes/open-spikes.js';
import type { Priority, TriageResult } from '../triage/index.js';
import { loadMentions, type MentionUpdate } from '../db/mention-row.js';
import { moveMentions } from './refused-rows.js';
import type { IngestedRow } from '../db/rows.js';

const DAY_MS = 24 * 3600 * 1000;

/** BullMQ priorities: lower runs first, so a P1 card overtakes a backlog of P4s. */
const queuePriority: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/**
 * Stage 2: sentiment and triage (category, priority, complaint, needs-a-reply, spam, language)
 * for a batch. The batch goes on to notify split by priority, one job per priority.
 */
export async function analyze(
  s: Ctx<'config' | 'log' | 'db' | 'queues' | 'triage' | 'spikes'>,
  jobId: string,
  mentionIds: number[],
): Promise<void> {
  const token = batchTokenOf(jobId);
  const notifyJob = (p: Priority) => batchJobId('notify', token, p);
  const rows = await loadMentions(s.db, mentionIds, ['ingested', 'analyzed']);
  const fresh = rows.filter((r) => r.state === 'ingested');
  const contacts = await recentContacts(s, fresh);
  const now = new Date();
  const updates = fresh.map((row): MentionUpdate & { priority: Priority; triage: TriageResult } => {
    const result = s.triage.triage({
      text: row.text,
      platform: row.platform,
      authorFollowers: row.authorFollowers ?? undefined,
      authorId: row.authorId,
      authorHandle: row.authorHandle,
      recentContacts: contacts.get(row.id) ?? 0,
    });
    return {
      id: row.id,
      state: 'analyzed',
      jobId: notifyJob(result.priority),
      triage: result,
      priority: result.priority,
      category: result.category,
      sentiment: result.sentiment.score,
      language: row.language ?? result.language,
      analyzedAt: now,
    };
  });
  const moved = new Set(await moveMentions(s, 'analyze', ['ingested'], updates));
  const counted = fresh.filter((r, i) => moved.has(r.id) && countsTowardSpikes(updates[i]!.triage));
  await recordAnomalies(s, await s.spikes.observe(counted.map((r) => ({ text: r.text, createdAt: r.createdAt }))));

  // Rows an earlier delivery of this job already moved are forwarded again (a no-op if their job exists).
  const forward = [
    ...rows.flatMap((r) => (r.state === 'analyzed' && r.jobId?.startsWith(`notify-${token}-`) ? [{ id: r.id, priority: r.priority }] : [])),
    ...updates.filter((u) => moved.has(u.id)),
  ];
  const byPriority = groupBy(forward, (f) => f.priority);
  await s.queues.notify.addBulk(
    [...byPriority].map(([priority, group]) => ({
      name: 'notify',
      data: { mentionIds: group.map((g) => g.id) },
      opts: { jobId: notifyJob(priority), priority: queuePriority[priority] },
    })),
  );
}

/** For each row: how often the same customer wrote in the 24 hours before it. One query per batch. */
async function recentContacts(s: Ctx<'db'>, rows: IngestedRow[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const platform of new Set(rows.map((r) => r.platform))) {
    const mine = rows.filter((r) => r.platform === platform);
    const earliest = Math.min(...mine.map((r) => r.createdAt.getTime()));
    const latest = Math.max(...mine.map((r) => r.createdAt.getTime()));
    const history = await s.db
      .select({ id: mentions.id, authorId: mentions.authorId, createdAt: mentions.createdAt })
      .from(mentions)
      .where(
        and(
          eq(mentions.platform, platform),
          inArray(mentions.authorId, [...new Set(mine.map((r) => r.authorId))]),
          gt(mentions.createdAt, new Date(earliest - DAY_MS)),
          lt(mentions.createdAt, new Date(latest)),
        ),
      );
    const byAuthor = groupBy(history, (h) => h.authorId);
    for (const r of mine) {
      const from = r.createdAt.getTime() - DAY_MS;
      const to = r.createdAt.getTime();
      counts.set(
        r.id,
        (byAuthor.get(r.authorId) ?? []).filter(
          (h) => h.id !== r.id && h.createdAt !== null && h.createdAt.getTime() > from && h.createdAt.getTime() < to,
        ).length,
      );
    }
  }
  return counts;
}
