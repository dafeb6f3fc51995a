import { UnrecoverableError } from 'bullmq';
import { broadcastUpdate } from '../../incidents/broadcast.js';
import { loadIncident, loadUpdate } from '../../incidents/store.js';
import type { Ctx } from '../../context.js';
import { hasCard } from '../../db/rows.js';
import { broadcastResults } from '../views/incident-card.js';

/**
 * The worker's half of a Broadcast press: sends the decided update to each network (at most
 * once each, so a retried job only reports) and tells the incident's thread how each took it.
 */
export async function sendBroadcast(s: Ctx<'config' | 'db' | 'slack' | 'connectors'>, updateId: number): Promise<void> {
  const update = await loadUpdate(s.db, updateId);
  const incident = update && (await loadIncident(s.db, update.incidentId));
  if (!update || !incident || update.decision !== 'broadcast') throw new UnrecoverableError(`update ${updateId} is not one to broadcast`);
  // The decision and who made it are written together (decide), so one without the other is a bug.
  if (!update.decidedBy) throw new UnrecoverableError(`update ${updateId} is decided for broadcast by no one`);
  const results = await broadcastUpdate(s, update, update.decidedBy);
  if (s.slack && hasCard(incident)) {
    await s.slack.chat.postMessage({
      channel: incident.slackChannel,
      thread_ts: incident.slackTs,
      ...broadcastResults(results),
      unfurl_links: false,
    });
  }
}
