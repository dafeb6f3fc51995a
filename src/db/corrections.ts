/**
 * Agents' corrections (the `corrections` table) as training rows for `carebot train
 * --from-db`: each corrected mention's text with what the agent said it is. When a mention
 * was corrected more than once, the latest word on each field wins. A mention marked spam is
 * also taught as neither a complaint nor owed a reply; priority is not learned (it follows
 * from the other judgements, the reach and the VIP list).
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from './open.js';
import { corrections, mentions } from './schema.js';

/** Raw labelled values, checked by the caller exactly as a line of `--input` is. */
export type CorrectionRow = Record<string, unknown> & { text: string };

export async function readCorrections(db: Db): Promise<{ rows: CorrectionRow[]; corrections: number }> {
  const found = await db
    .select({
      mentionId: corrections.mentionId,
      text: mentions.text,
      language: mentions.language,
      sentiment: corrections.sentiment,
      category: corrections.category,
      spam: corrections.spam,
    })
    .from(corrections)
    .innerJoin(mentions, eq(mentions.id, corrections.mentionId))
    .orderBy(asc(corrections.at), asc(corrections.id));
  const byMention = new Map<number, CorrectionRow>();
  for (const c of found) {
    if (!c.text) continue;
    const row = byMention.get(c.mentionId) ?? { text: c.text, ...(c.language ? { language: c.language } : {}) };
    if (c.sentiment != null) row.sentiment = c.sentiment;
    if (c.category != null) row.category = c.category;
    if (c.spam === true) Object.assign(row, { category: 'spam', complaint: false, needsResponse: false });
    else if (c.spam === false && row.category === 'spam') delete row.category;
    byMention.set(c.mentionId, row);
  }
  return { rows: [...byMention.values()], corrections: found.length };
}
