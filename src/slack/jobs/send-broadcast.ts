import { UnrecoverableError } from 'bullmq';
import { broadcastUpdate } from '../../incidents/broadcast.js';
import { loadIncident, loadUpdate } from '../../incidents/store.js';
import type { Ctx } from '../../context.js';
import { broadcastResults } from '../views/incident-card.js';

/**
 * The worker's half of a Broadcast press: sends the decided update to each network (at most
 * once each, so a retried job only reports) and tells the incident's thread how each took it.
 */
export async function sendBroadcast(s: Ctx<'config' | 'db' | 'slack' | 'connectors'>, updateId: number): Promise<void> {
  const update = await loadUpdate(s.db, updateId);
  const incident = update && (await loadIncident(s.db, update.incidentId));
  if (!update || !incident || update.decision !== 'broadcast') throw new UnrecoverableError(`update ${updateId} is not one to broadcast`);
  const results = await broadcastUpdate(s, update, update.decidedBy!);
  if (s.slack && incident.slackChannel && incident.slackTs) {
    await s.slack.chat.postMessage({
      channel: incident.slackChannel,
      thread_ts: incident.slackTs,
      ...broadcastResults(results),
      unfurl_links: false,
    });
  }
}
