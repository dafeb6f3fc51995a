import { eq } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import type { Db } from '../db/open.js';
import { spikes } from '../db/schema.js';
import { acknowledgeLinked, linkEarlier } from './link.js';
import { audit } from '../db/audit.js';
import { declareIncident, type Declaration } from './store.js';

/** What the declare form starts from when a spike alert's button opens it. */
export async function draftFromSpike(db: Db, spikeId: number) {
  const [spike] = await db.select().from(spikes).where(eq(spikes.id, spikeId));
  if (!spike) return undefined;
  return {
    spikeId: spike.id,
    title: `Problems with ${spike.term}`,
    keywords: [spike.term, ...spike.related],
    publicText: `We're aware some customers are having trouble with ${spike.term}. We're investigating and will post updates here.`,
  };
}

/**
 * Declares an incident: stored with its first update, and the last hour's matching mentions
 * linked to it in the same transaction. Acknowledging those customers (when that is on) is the
 * second step, `acknowledge`: it may take longer than Slack waits for the form's answer.
 */
export async function declare(s: Ctx<'config' | 'log' | 'db' | 'queues' | 'connectors'>, d: Declaration) {
  const { incident, update, linked } = await declareIncident(s.db, d, linkEarlier);
  await audit(s.db, d.user, 'incident.declare', { type: 'incident', id: incident.id }, { title: incident.title, updateId: update.id });
  const acknowledge = () => acknowledgeLinked(s, linked, new Map(linked.map((m) => [m.id, incident])));
  // `linked`: the earlier complaints, some with a card already, which now reads linked once re-rendered.
  return { incident, update, linked, acknowledge };
}
