import type { Ctx } from '../context.js';
import { queueBroadcast, storeBroadcasts } from './broadcast.js';
import { decide } from './store.js';
import { audit } from '../db/audit.js';

/**
 * Broadcast or not, for one update: the first choice stands (a double click or a second person
 * finds it decided: undefined). A broadcast is stored per network with the decision and sent by
 * a worker, which has the networks logged in.
 */
export async function chooseBroadcast(
  s: Ctx<'config' | 'log' | 'db' | 'queues' | 'connectors'>,
  updateId: number,
  choice: 'broadcast' | 'skipped',
  user: string,
) {
  if (choice === 'skipped') {
    const kept = await decide(s.db, updateId, 'skipped', user);
    if (kept) await audit(s.db, user, 'broadcast.skip', { type: 'update', id: updateId }, { incidentId: kept.incidentId });
    return kept;
  }
  const decided = await decide(s.db, updateId, 'broadcast', user, (tx, u) => storeBroadcasts(s, tx, u, user));
  if (decided) await queueBroadcast(s, decided);
  return decided;
}
