import { and, eq, gte, inArray, isNull } from 'drizzle-orm';
import { mentions, replies, spikes } from '../db/schema.js';
import type { AnalyzedRow, Incident, MentionRow } from '../db/rows.js';
import type { Ctx } from '../context.js';
import { spikeOf } from '../spikes/collapse.js';
import { acknowledgementKey, incidentReplyText, queueReplies } from './follow-ups.js';
import { matchesKeywords } from './settings.js';
import { auditEach, SYSTEM } from '../db/audit.js';
import { openIncidents, type Tx } from './store.js';

/**
 * Which of a batch's mentions belong to an open incident: those naming its keywords, and any
 * triaged as an outage (the newest incident takes those). They are linked instead of getting a
 * card each; the incident's thread lists them in a paced digest. Returns mention id → incident.
 */
export async function linkToIncidents(s: Ctx<'db' | 'spikes'>, rows: AnalyzedRow[]): Promise<Map<number, Incident>> {
  const linked = new Map<number, Incident>();
  if (!rows.length) return linked;
  const open = await openIncidents(s.db);
  if (!open.length) return linked;
  const inSpikeOf = await spikeMatcher(s, open);
  for (const row of rows) {
    const incident = open.find((i) => namesIt(row, i)) ?? inSpikeOf(row) ?? (isOutage(row) ? open[0] : undefined);
    if (incident) linked.set(row.id, incident);
  }
  return linked;
}

/**
 * The incident whose (still open) spike a complaint belongs to: declared from an alert, it takes
 * what the alert's digest would have — the keywords are a few words, the outage has many ("got
 * logged out", "stuck on the spinner") — so those customers are followed up too.
 */
async function spikeMatcher(s: Ctx<'db' | 'spikes'>, open: Incident[]): Promise<(row: AnalyzedRow) => Incident | undefined> {
  const declared = await s.db
    .select({ incidentId: spikes.incidentId, terms: spikes.terms })
    .from(spikes)
    .where(
      and(
        eq(spikes.status, 'open'),
        inArray(
          spikes.incidentId,
          open.map((i) => i.id),
        ),
      ),
    );
  if (!declared.length) return () => undefined;
  return (row) => {
    const spike = spikeOf(s, declared, row);
    return spike && open.find((i) => i.id === spike.incidentId);
  };
}

const namesIt = (row: Pick<MentionRow, 'text'>, i: Incident) => matchesKeywords(row.text ?? '', i.keywords);
const isOutage = (row: Pick<MentionRow, 'triage'>) => row.triage?.category === 'outage';

/** How far before the declaration (or before its spike opened) a new incident looks for its complaints. */
const LOOKBACK_MS = 60 * 60_000;
const CHUNK = 1000;

/**
 * Complaints written before the incident existed — the cards that raised the alert, the minutes
 * before anyone noticed — are the same customers' problem: linked at declaration, in its
 * transaction, so that each of them is followed up on resolve, not only those who wrote after.
 * Takes the unlinked complaints since an hour before the spike opened (or before now) that the
 * incident would have taken had it been open (not yet triaged ones too: their text is enough).
 * Returns them, for acknowledgements.
 */
export async function linkEarlier(tx: Tx, incident: Incident): Promise<MentionRow[]> {
  const [spike] = await tx.select({ openedAt: spikes.openedAt }).from(spikes).where(eq(spikes.incidentId, incident.id));
  const since = new Date(Math.min(Date.now(), spike?.openedAt.getTime() ?? Infinity) - LOOKBACK_MS);
  const recent = await tx
    .select()
    .from(mentions)
    .where(and(isNull(mentions.incidentId), gte(mentions.receivedAt, since)));
  // Looking back, only what reads as a problem: "love the new login page" an hour ago is not this outage.
  const complains = (r: MentionRow) => {
    const t = r.triage;
    return !t || (!t.spam && (t.complaint || t.sentiment.label === 'negative' || t.category === 'outage'));
  };
  const earlier = recent.filter((r) => complains(r) && (namesIt(r, incident) || isOutage(r)));
  const linked: MentionRow[] = [];
  for (let at = 0; at < earlier.length; at += CHUNK) {
    const ids = earlier.slice(at, at + CHUNK).map((r) => r.id);
    const moved = await tx
      .update(mentions)
      .set({ incidentId: incident.id })
      .where(and(inArray(mentions.id, ids), isNull(mentions.incidentId)))
      .returning({ id: mentions.id });
    const movedIds = new Set(moved.map((m) => m.id));
    linked.push(...earlier.slice(at, at + CHUNK).filter((r) => movedIds.has(r.id)));
  }
  return linked;
}

/**
 * When acknowledgements are on: one reply per linked customer per incident (the idempotency key
 * names the incident, network and author), sent through the outbound queue at the network's pace.
 */
export async function acknowledgeLinked(
  s: Ctx<'config' | 'log' | 'db' | 'queues' | 'connectors'>,
  rows: MentionRow[],
  linked: Map<number, Incident>,
): Promise<void> {
  if (!s.config.file.incidents.acknowledge || !linked.size) return;
  const values = rows.flatMap((r) => {
    const incident = linked.get(r.id);
    if (!incident || !r.authorId) return [];
    return [
      {
        idempotencyKey: acknowledgementKey(incident.id, r.platform, r.authorId),
        mentionId: r.id,
        platform: r.platform,
        kind: 'acknowledgement' as const,
        text: incidentReplyText(s, s.config.file.incidents.ackText, incident, r),
        requestedBy: SYSTEM,
      },
    ];
  });
  if (!values.length) return;
  const stored = await s.db.insert(replies).values(values).onConflictDoNothing().returning({ id: replies.id, at: replies.createdAt });
  await auditEach(
    s.db,
    SYSTEM,
    'acknowledgement',
    stored.map((r) => ({ type: 'reply', id: r.id })),
  );
  await queueReplies(s, stored);
}
