import { and, eq, isNotNull, isNull, lte, notInArray, sql } from 'drizzle-orm';
import type { SlackSettings } from '../../../config/file.js';
import { mentions, slackThreads } from '../../db/schema.js';
import type { Ctx, SlackCtx } from '../../context.js';
import type { Priority } from '../../triage/index.js';
import type { ThreadRow } from '../../db/rows.js';
import { refreshCard } from '../inbox/conversation.js';
import { notAwaitingIncident } from '../../incidents/close-cards.js';

const SCHEDULER_ID = 'sla-check';
const BATCH = 500;

/** The first-response deadline for a conversation opened at `from`; null when the priority has no target. */
export function slaDeadline(settings: SlackSettings, priority: Priority, from: Date): Date | null {
  const minutes = settings.sla[priority];
  return minutes ? new Date(from.getTime() + minutes * 60_000) : null;
}

/**
 * One repeatable job for the whole deployment: BullMQ's job scheduler keeps a single next run
 * in Redis, so however many worker processes there are, each interval runs the check once, and
 * a restart (or the maintenance loop after a Redis flush) only re-creates the same schedule.
 */
export async function ensureSlaSchedule(s: Ctx<'config' | 'queues'>): Promise<void> {
  await s.queues.sla.upsertJobScheduler(
    SCHEDULER_ID,
    { every: s.config.SLA_CHECK_SECONDS * 1000 },
    { name: 'sla', data: {}, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
  );
}

const duration = (minutes: number) => (minutes >= 120 && minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.round(minutes)} min`);
const slackDate = (at: Date) => `<!date^${Math.floor(at.getTime() / 1000)}^{time}|${at.toISOString()}>`;
const who = (t: ThreadRow) => (t.assignee ? `<@${t.assignee}>` : 'Nobody is assigned yet.');

/**
 * Posts a reminder in the thread of every conversation whose first-response deadline is near,
 * and a breach mark (thread message + card) on every one that passed it. Each mark is claimed
 * in the database before it is posted, so two overlapping runs never post it twice; a post that
 * fails gives the claim back for the next run.
 */
export async function checkSla(s: SlackCtx<'config' | 'log' | 'db'>, now = new Date()): Promise<{ reminded: number; breached: number }> {
  const { sla, slaRemindAt } = s.config.file.slack;
  const leadMs = (minutes: number) => minutes * 60_000 * (1 - slaRemindAt);
  const maxLeadMs = Math.max(0, ...Object.values(sla).map(leadMs));
  const open = await s.db
    .select({ thread: slackThreads, priority: mentions.priority })
    .from(slackThreads)
    .innerJoin(mentions, eq(mentions.id, slackThreads.rootMentionId))
    .where(
      and(
        isNotNull(slackThreads.threadTs),
        isNull(slackThreads.firstResponseAt),
        isNull(slackThreads.slaBreachedAt),
        notInArray(slackThreads.status, ['resolved', 'spam']),
        lte(slackThreads.slaDueAt, new Date(now.getTime() + maxLeadMs)),
        // The incident's follow-up answers a conversation it handles: no reminder, no breach meanwhile.
        notAwaitingIncident(s.db),
      ),
    )
    .limit(BATCH);

  let reminded = 0;
  let breached = 0;
  for (const { thread, priority } of open) {
    const due = thread.slaDueAt!;
    const minutes = priority ? sla[priority] : undefined;
    if (due <= now) {
      const text = `:rotating_light: *SLA breached*: no reply reached the customer within ${minutes ? duration(minutes) : 'the target'} (${priority}). ${who(thread)}`;
      if (await mark(s, thread, 'slaBreachedAt', text, now)) breached++;
    } else if (!thread.slaRemindedAt && minutes && due.getTime() - now.getTime() <= leadMs(minutes)) {
      const left = Math.max(1, Math.round((due.getTime() - now.getTime()) / 60_000));
      const text = `:alarm_clock: First-response target for this ${priority} ends ${slackDate(due)} (in ${duration(left)}). ${who(thread)}`;
      if (await mark(s, thread, 'slaRemindedAt', text, now)) reminded++;
    }
  }
  if (reminded || breached) s.log.info({ reminded, breached }, 'sla: reminders and breaches posted');
  return { reminded, breached };
}

async function mark(
  s: SlackCtx<'db'>,
  thread: ThreadRow,
  column: 'slaRemindedAt' | 'slaBreachedAt',
  text: string,
  now: Date,
): Promise<boolean> {
  const key = and(eq(slackThreads.platform, thread.platform), eq(slackThreads.conversationId, thread.conversationId));
  const [claimed] = await s.db
    .update(slackThreads)
    .set({ [column]: now, ...(column === 'slaBreachedAt' ? { slaRemindedAt: thread.slaRemindedAt ?? now } : {}), updatedAt: sql`now()` })
    .where(and(key, isNull(slackThreads[column])))
    .returning();
  if (!claimed) return false;
  try {
    await s.slack.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs!, text, unfurl_links: false });
  } catch (err) {
    await s.db
      .update(slackThreads)
      .set({ [column]: null, ...(column === 'slaBreachedAt' ? { slaRemindedAt: thread.slaRemindedAt } : {}) })
      .where(key);
    throw err;
  }
  if (column === 'slaBreachedAt') await refreshCard(s, claimed);
  return true;
}
