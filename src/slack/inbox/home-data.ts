import { and, asc, count, eq, gte, isNotNull, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import type { Platform } from '../../mention.js';
import { mentions, slackThreads } from '../../db/schema.js';
import type { Priority } from '../../triage/index.js';
import { awaitingByIncident, notAwaitingIncident } from '../../incidents/close-cards.js';

/** One open conversation as App Home lists it. */
export interface HomeItem {
  channel: string;
  threadTs: string;
  status: string;
  assignee: string | null;
  slaDueAt: Date | null;
  platform: Platform;
  priority: string | null;
  handle: string | null;
  text: string | null;
}

export interface HomeData {
  mine: HomeItem[];
  unassignedByPriority: Partial<Record<Priority | 'none', number>>;
  unassigned: HomeItem[];
  breaches: HomeItem[];
  /**
   * Open conversations an incident is handling (linked to it while it is open, or until the
   * customer's follow-up is sent and closes the card), per incident: not counted as unassigned
   * or breached, since the follow-up answers them.
   */
  linkedToIncidents: Array<{ id: number; title: string; n: number }>;
  /** Mentions received since the agent's local midnight. */
  today: { total: number; bySentiment: Record<string, number>; byNetwork: Record<string, number> };
}

const LIST = 10;
const isOpen = and(isNotNull(slackThreads.threadTs), notInArray(slackThreads.status, ['resolved', 'spam']));
const byUrgency = [sql`${mentions.priority} asc nulls last`, asc(slackThreads.createdAt)];

function items(db: Db, where: SQL | undefined, order = byUrgency): Promise<HomeItem[]> {
  return db
    .select({
      channel: slackThreads.channel,
      threadTs: sql<string>`${slackThreads.threadTs}`,
      status: slackThreads.status,
      assignee: slackThreads.assignee,
      slaDueAt: slackThreads.slaDueAt,
      platform: slackThreads.platform,
      priority: mentions.priority,
      handle: mentions.authorHandle,
      text: mentions.text,
    })
    .from(slackThreads)
    .innerJoin(mentions, eq(mentions.id, slackThreads.rootMentionId))
    .where(and(isOpen, where))
    .orderBy(...order)
    .limit(LIST);
}

/**
 * What one agent's App Home shows: their work, the team's unowned work, breaches, the
 * conversations incidents are handling, and today's volume.
 */
export async function homeData(db: Db, user: string, todaySince: Date): Promise<HomeData> {
  const waiting = notAwaitingIncident(db);
  const [mine, unassigned, breaches, unassignedCounts, linkedToIncidents, volume] = await Promise.all([
    items(db, eq(slackThreads.assignee, user)),
    items(db, and(isNull(slackThreads.assignee), waiting)),
    items(db, and(isNotNull(slackThreads.slaBreachedAt), waiting), [asc(slackThreads.slaDueAt)]),
    db
      .select({ priority: mentions.priority, n: count() })
      .from(slackThreads)
      .innerJoin(mentions, eq(mentions.id, slackThreads.rootMentionId))
      .where(and(isOpen, isNull(slackThreads.assignee), waiting))
      .groupBy(mentions.priority),
    awaitingByIncident(db, isOpen),
    db
      .select({ platform: mentions.platform, sentiment: sql<string | null>`${mentions.triage}->'sentiment'->>'label'`, n: count() })
      .from(mentions)
      .where(gte(mentions.receivedAt, todaySince))
      .groupBy(mentions.platform, sql`2`),
  ]);
  const today: HomeData['today'] = { total: 0, bySentiment: {}, byNetwork: {} };
  for (const row of volume) {
    const sentiment = row.sentiment ?? 'not analyzed yet';
    today.total += row.n;
    today.bySentiment[sentiment] = (today.bySentiment[sentiment] ?? 0) + row.n;
    today.byNetwork[row.platform] = (today.byNetwork[row.platform] ?? 0) + row.n;
  }
  return {
    mine,
    unassigned,
    breaches,
    linkedToIncidents,
    unassignedByPriority: Object.fromEntries(unassignedCounts.map((r) => [r.priority ?? 'none', r.n])),
    today,
  };
}
