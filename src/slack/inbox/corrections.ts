import { eq, sql } from 'drizzle-orm';
import { audit } from '../../db/audit.js';
import type { Db } from '../../db/open.js';
import type { AnalyzedRow } from '../../db/rows.js';
import { corrections, mentions } from '../../db/schema.js';
import type { Priority, SentimentLabel, TriageResult } from '../../triage/index.js';

/** The triage reason a corrected card shows. */
export const RECLASSIFIED = 'reclassified by an agent';

export interface Judgement {
  sentiment: SentimentLabel;
  category: string;
  priority: Priority;
}

const said = (t: TriageResult) => ({ sentiment: t.sentiment.label, category: t.category, priority: t.priority, spam: t.spam });

/** Spam the triage missed, kept as a training example (`carebot train --from-db`): the most useful kind. */
export async function recordSpam(db: Db, mention: AnalyzedRow, user: string): Promise<void> {
  await db.insert(corrections).values({ mentionId: mention.id, spam: true, by: user, before: said(mention.triage) });
}

/**
 * An agent's reclassification: stored as a training example next to what carebot had said,
 * applied to the mention (the card's badges follow), and audited. Returns the new triage.
 */
export async function reclassify(db: Db, mention: AnalyzedRow, user: string, to: Judgement): Promise<TriageResult> {
  const before = mention.triage;
  const after: TriageResult = {
    ...before,
    sentiment: { ...before.sentiment, label: to.sentiment },
    category: to.category,
    priority: to.priority,
    reasons: [...before.reasons.filter((r) => r !== RECLASSIFIED), RECLASSIFIED],
  };
  await db.insert(corrections).values({ mentionId: mention.id, ...to, by: user, before: said(before) });
  await db
    .update(mentions)
    .set({ triage: after, category: to.category, priority: to.priority, updatedAt: sql`now()` })
    .where(eq(mentions.id, mention.id));
  await audit(
    db,
    user,
    'reclassify',
    { type: 'mention', id: mention.id },
    {
      from: { sentiment: before.sentiment.label, category: before.category, priority: before.priority },
      to,
    },
  );
  return after;
}
