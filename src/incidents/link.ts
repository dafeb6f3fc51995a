import { replies } from '../db/schema.js';
import type { MentionRow } from '../pipeline/mention-row.js';
import type { Services } from '../services.js';
import type { TriageResult } from '../triage/index.js';
import { acknowledgementKey, incidentReplyText, queueReplies } from './follow-ups.js';
import { matchesKeywords } from './settings.js';
import { openIncidents, type Incident } from './store.js';

/**
 * Which of a batch's mentions belong to an open incident: those naming its keywords, and any
 * triaged as an outage (the newest incident takes those). They are linked instead of getting a
 * card each; the incident's thread lists them in a paced digest. Returns mention id → incident.
 */
export async function linkToIncidents(s: Services, rows: MentionRow[]): Promise<Map<number, Incident>> {
  const linked = new Map<number, Incident>();
  if (!rows.length) return linked;
  const open = await openIncidents(s.db);
  if (!open.length) return linked;
  for (const row of rows) {
    const text = row.text ?? '';
    const incident = open.find((i) => matchesKeywords(text, i.keywords)) ?? ((row.triage as TriageResult).category === 'outage' ? open[0] : undefined);
    if (incident) linked.set(row.id, incident);
  }
  return linked;
}

/**
 * When acknowledgements are on: one reply per linked customer per incident (the idempotency key
 * names the incident, network and author), sent through the outbound queue at the network's pace.
 */
export async function acknowledgeLinked(s: Services, rows: MentionRow[], linked: Map<number, Incident>): Promise<void> {
  if (!s.config.file.incidents.acknowledge || !linked.size) return;
  const values = rows
    .filter((r) => linked.has(r.id) && r.authorId)
    .map((r) => {
      const incident = linked.get(r.id)!;
      return {
        idempotencyKey: acknowledgementKey(incident.id, r.platform, r.authorId!),
        mentionId: r.id,
        platform: r.platform,
        kind: 'acknowledgement' as const,
        text: incidentReplyText(s, s.config.file.incidents.ackText, incident, r),
        requestedBy: 'system',
      };
    });
  if (!values.length) return;
  const stored = await s.db.insert(replies).values(values).onConflictDoNothing().returning({ id: replies.id });
  await queueReplies(s, stored.map((r) => r.id));
}
