import { and, desc, eq, exists, gt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { incidents, incidentUpdates, type IncidentState } from '../db/schema.js';
import { groupBy } from '../shared/group-by.js';
import { updatesOf } from './store.js';

/** What the public status page shows of an incident: its broadcast updates, nothing internal (Slack, authors, keywords). */
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

/**
 * What the team chose to broadcast, and nothing else: an incident shows once one of its updates was
 * broadcast, with those updates only, and its state is the one they last announced. An update kept
 * back (or not yet decided) is never public. Open incidents and those resolved in the last
 * PAST_DAYS days; two queries in all.
 */
export async function statusReport(db: Db): Promise<StatusReport> {
  const since = new Date(Date.now() - PAST_DAYS * 86_400_000);
  const broadcast = and(eq(incidentUpdates.incidentId, incidents.id), eq(incidentUpdates.decision, 'broadcast'));
  const rows = await db
    .select({ id: incidents.id, title: incidents.title, components: incidents.components, startedAt: incidents.createdAt })
    .from(incidents)
    .where(
      and(or(ne(incidents.state, 'resolved'), gt(incidents.resolvedAt, since)), exists(db.select().from(incidentUpdates).where(broadcast))),
    )
    .orderBy(sql`${incidents.state} = 'resolved'`, desc(incidents.createdAt), desc(incidents.id))
    .limit(MAX_INCIDENTS);
  const updates = groupBy(
    (
      await updatesOf(
        db,
        rows.map((r) => r.id),
      )
    ).filter((u) => u.decision === 'broadcast'),
    (u) => u.incidentId,
  );
  const listed = rows.map((r): PublicIncident => {
    const told = (updates.get(r.id) ?? []).map((u) => ({ state: u.state, text: u.publicText, at: u.at })).reverse();
    const latest = told[0]!; // the query kept only incidents with a broadcast update
    return { ...r, state: latest.state, resolvedAt: latest.state === 'resolved' ? latest.at : null, updates: told };
  });
  return { status: listed.some((i) => i.state !== 'resolved') ? 'incident' : 'operational', incidents: listed };
}
