import { and, eq, or } from 'drizzle-orm';
import { slackThreads } from '../db/schema.js';
import type { AnalyzedRow, Spike } from '../db/rows.js';
import type { Ctx } from '../context.js';
import type { TriageResult } from '../triage/index.js';
import { loadOpenSpikes } from './open-spikes.js';

/** What spikes are made of: negative mentions, and anything triaged as an outage. */
export const countsTowardSpikes = (t: TriageResult) => t.sentiment.label === 'negative' || t.category === 'outage';

/** The spike among `open` a mention belongs to: it counts toward spikes and names one of the spike's words. */
export function spikeOf<T extends Pick<Spike, 'terms'>>(s: Ctx<'spikes'>, open: T[], row: AnalyzedRow): T | undefined {
  if (!countsTowardSpikes(row.triage)) return undefined;
  const terms = s.spikes.terms(row.text);
  return open.find((sp) => sp.terms.some((t) => terms.includes(t)));
}

/**
 * Which of a batch's would-be cards collapse into an open spike's digest instead: those that
 * count toward spikes, share a term with one, and would start a new conversation. A customer
 * who already has a card keeps their thread. Returns mention id → spike id.
 */
export async function collapseIntoSpikes(s: Ctx<'db' | 'spikes'>, rows: AnalyzedRow[]): Promise<Map<number, number>> {
  const collapsed = new Map<number, number>();
  const open = await loadOpenSpikes(s.db);
  if (!open.length) return collapsed;
  for (const row of rows) {
    const spike = spikeOf(s, open, row);
    if (spike) collapsed.set(row.id, spike.id);
  }
  if (!collapsed.size) return collapsed;
  const candidates = rows.filter((r) => collapsed.has(r.id));
  const threaded = await s.db
    .select({ platform: slackThreads.platform, conversationId: slackThreads.conversationId })
    .from(slackThreads)
    .where(or(...candidates.map((r) => and(eq(slackThreads.platform, r.platform), eq(slackThreads.conversationId, r.conversationId)))));
  for (const r of candidates) {
    if (threaded.some((t) => t.platform === r.platform && t.conversationId === r.conversationId)) collapsed.delete(r.id);
  }
  return collapsed;
}
