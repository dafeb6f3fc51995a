import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { incidents, incidentUpdates, mentions, spikes, type IncidentState } from '../db/schema.js';
import { hasCard, type Incident, type IncidentUpdate, type IncidentWithCard } from '../db/rows.js';
import type { JobSource } from '../queues/queues.js';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Declaration {
  title: string;
  components: string[];
  keywords: string[];
  publicText: string;
  user: string;
  channel: string;
  /** The spike whose alert's button declared it: linked, with the mentions collapsed into it. */
  spikeId?: number;
}

/**
 * A new incident (investigating) and its first update, in one transaction; the spike is linked
 * to it, and `alsoLink` links what else belongs to it in the same transaction.
 */
export async function declareIncident<T>(
  db: Db,
  d: Declaration,
  alsoLink: (tx: Tx, i: Incident) => Promise<T[]> = async () => [],
): Promise<{ incident: Incident; update: IncidentUpdate; linked: T[] }> {
  return db.transaction(async (tx) => {
    const [incident] = await tx
      .insert(incidents)
      .values({ title: d.title, keywords: d.keywords, components: d.components, createdBy: d.user, slackChannel: d.channel })
      .returning();
    const [update] = await tx
      .insert(incidentUpdates)
      .values({ incidentId: incident!.id, state: 'investigating', publicText: d.publicText, author: d.user })
      .returning();
    if (d.spikeId) {
      const [spike] = await tx
        .update(spikes)
        .set({ incidentId: incident!.id })
        .where(eq(spikes.id, d.spikeId))
        .returning({ id: spikes.id });
      if (spike)
        await tx
          .update(mentions)
          .set({ incidentId: incident!.id })
          .where(and(eq(mentions.spikeId, spike.id), sql`${mentions.incidentId} is null`));
    }
    return { incident: incident!, update: update!, linked: await alsoLink(tx, incident!) };
  });
}

/**
 * A new step of an open incident; `resolved` closes it, and `whenResolved` runs in the same
 * transaction (the follow-ups are stored with the resolution). Undefined when already resolved.
 */
export async function addUpdate(
  db: Db,
  incidentId: number,
  u: { state: IncidentState; publicText: string; user: string },
  whenResolved: (tx: Tx, i: Incident) => Promise<JobSource[]>,
): Promise<{ incident: Incident; update: IncidentUpdate; followUps: JobSource[] } | undefined> {
  return db.transaction(async (tx) => {
    const [incident] = await tx
      .update(incidents)
      .set({ state: u.state, updatedAt: sql`now()`, ...(u.state === 'resolved' ? { resolvedAt: sql`now()` } : {}) })
      .where(and(eq(incidents.id, incidentId), ne(incidents.state, 'resolved')))
      .returning();
    if (!incident) return undefined;
    const [update] = await tx
      .insert(incidentUpdates)
      .values({ incidentId, state: u.state, publicText: u.publicText, author: u.user })
      .returning();
    const followUps = u.state === 'resolved' ? await whenResolved(tx, incident) : [];
    return { incident, update: update!, followUps };
  });
}

export async function loadIncident(db: Db, id: number): Promise<Incident | undefined> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  return row;
}

/**
 * The incident, which the caller knows has its card: what it acts on is in the card's thread (a
 * button on the card or on a preview, an update posted from the card). Checked here once instead
 * of asserted at each use; an incident without one is a bug.
 */
export function withCard(i: Incident): IncidentWithCard {
  if (hasCard(i)) return i;
  throw new Error(`incident ${i.id} has no card in Slack: its ${i.slackChannel === null ? 'slack_channel' : 'slack_ts'} is null`);
}

export async function loadUpdate(db: Db, id: number): Promise<IncidentUpdate | undefined> {
  const [row] = await db.select().from(incidentUpdates).where(eq(incidentUpdates.id, id));
  return row;
}

/** Open incidents, newest first (the newest takes an outage mention that names none's keywords). */
export const openIncidents = (db: Db): Promise<Incident[]> =>
  db.select().from(incidents).where(ne(incidents.state, 'resolved')).orderBy(desc(incidents.id));

/**
 * The first press on an update's preview wins: Broadcast or Don't broadcast, by whom. Undefined
 * when decided already. `whenDecided` runs in the same transaction (what is to be broadcast is
 * stored with the decision).
 */
export async function decide(
  db: Db,
  updateId: number,
  decision: 'broadcast' | 'skipped',
  user: string,
  whenDecided: (tx: Tx, u: IncidentUpdate) => Promise<unknown> = async () => {},
): Promise<IncidentUpdate | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(incidentUpdates)
      .set({ decision, decidedBy: user })
      .where(and(eq(incidentUpdates.id, updateId), sql`${incidentUpdates.decision} is null`))
      .returning();
    if (row) await whenDecided(tx, row);
    return row;
  });
}

export const updatesOf = (db: Db, incidentIds: number[]): Promise<IncidentUpdate[]> =>
  incidentIds.length
    ? db.select().from(incidentUpdates).where(inArray(incidentUpdates.incidentId, incidentIds)).orderBy(incidentUpdates.id)
    : Promise.resolve([]);
