import { desc, gt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { incidents, type IncidentState } from '../db/schema.js';
import { groupBy } from '../shared/group-by.js';
import { updatesOf } from './store.js';

/** What the public status page shows of an incident: nothing internal (Slack, authors, keywords, decisions). */
export interface PublicIncident {
  id: number;
  title: string;
  state: IncidentState;
  components: string[];
  startedAt: Date;
  resolvedAt: Date | null;
  /** Newest first. */
  updates: { state: IncidentState; text: string; at: Date }[];
}

export interface StatusReport {
  status: 'operational' | 'incident';
  /** Open ones first, then resolved ones; newest first within each. */
  incidents: PublicIncident[];
}

/** How far back the page looks for resolved incidents, and how many incidents it lists at most. */
export const PAST_DAYS = 90;
export const MAX_INCIDENTS = 50;

/** Open incidents and those resolved in the last PAST_DAYS days, with their updates: two queries in all. */
export async function statusReport(db: Db): Promise<StatusReport> {
  const since = new Date(Date.now() - PAST_DAYS * 86_400_000);
  const rows = await db
    .select({
      id: incidents.id,
      title: incidents.title,
      state: incidents.state,
      components: incidents.components,
      startedAt: incidents.createdAt,
      resolvedAt: incidents.resolvedAt,
    })
    .from(incidents)
    .where(or(ne(incidents.state, 'resolved'), gt(incidents.resolvedAt, since)))
    .orderBy(sql`${incidents.state} = 'resolved'`, desc(incidents.createdAt), desc(incidents.id))
    .limit(MAX_INCIDENTS);
  const updates = groupBy(
    await updatesOf(
      db,
      rows.map((r) => r.id),
    ),
    (u) => u.incidentId,
  );
  const listed = rows.map((r) => ({
    ...r,
    updates: (updates.get(r.id) ?? []).map((u) => ({ state: u.state, text: u.publicText, at: u.at })).reverse(),
  }));
  return { status: listed.some((i) => i.state !== 'resolved') ? 'incident' : 'operational', incidents: listed };
}
