import type { Ctx } from '../context.js';
import type { IncidentState } from '../db/schema.js';
import { queueReplies, storeFollowUps } from './follow-ups.js';
import { addUpdate } from './store.js';
import { audit, auditEach, SYSTEM } from '../db/audit.js';

/**
 * A new update on an incident; one that resolves it stores a follow-up for every linked customer
 * in the same transaction, then queues them. Undefined when the incident is already resolved.
 */
export async function postUpdate(
  s: Ctx<'config' | 'log' | 'db' | 'queues' | 'connectors'>,
  incidentId: number,
  u: { state: IncidentState; publicText: string; user: string },
) {
  const added = await addUpdate(s.db, incidentId, u, (tx, i) => storeFollowUps(s, tx, i));
  if (!added) return added;
  const resolved = u.state === 'resolved';
  await audit(
    s.db,
    u.user,
    resolved ? 'incident.resolve' : 'incident.update',
    { type: 'incident', id: incidentId },
    { updateId: added.update.id, state: u.state },
  );
  await auditEach(
    s.db,
    SYSTEM,
    'follow-up',
    added.followUps.map((r) => ({ type: 'reply', id: r.id })),
    { incidentId },
  );
  await queueReplies(s, added.followUps);
  return added;
}
