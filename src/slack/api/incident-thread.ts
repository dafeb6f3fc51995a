import { count, eq } from 'drizzle-orm';
import { incidents, incidentUpdates, mentions } from '../../db/schema.js';
import { checkLengths } from '../../incidents/lengths.js';
import { hasCard, type Incident, type IncidentUpdate, type IncidentWithCard } from '../../db/rows.js';
import { withCard } from '../../incidents/store.js';
import type { Ctx, SlackCtx } from '../../context.js';
import { incidentCard, updatePreview } from '../views/incident-card.js';
import { messageMetadata } from './metadata.js';

async function card(s: Ctx<'db'>, i: Incident) {
  const [linked] = await s.db.select({ n: count() }).from(mentions).where(eq(mentions.incidentId, i.id));
  return incidentCard(i, linked?.n ?? 0);
}

/** The incident's card in the status channel (set at declaration); its ts names the incident's thread. */
export async function postIncidentCard(s: SlackCtx<'db'>, i: Incident): Promise<IncidentWithCard> {
  if (!i.slackChannel) throw new Error(`incident ${i.id} has no slack_channel to post its card in`);
  const res = await s.slack.chat.postMessage({
    channel: i.slackChannel,
    ...(await card(s, i)),
    metadata: messageMetadata('incident', i.id),
    unfurl_links: false,
  });
  if (!res.ts) throw new Error(`Slack accepted the incident card but returned no ts (incident ${i.id})`);
  const [row] = await s.db.update(incidents).set({ slackTs: res.ts }).where(eq(incidents.id, i.id)).returning();
  if (!row) throw new Error(`incident ${i.id} does not exist`);
  return withCard(row);
}

/** The card shows the incident as it is now (state in the header, linked count). */
export async function refreshIncidentCard(s: SlackCtx<'db'>, i: Incident): Promise<void> {
  if (!hasCard(i)) return;
  await s.slack.chat.update({ channel: i.slackChannel, ts: i.slackTs, ...(await card(s, i)) });
}

/** An update in the incident's thread as a preview, with the Broadcast / Don't broadcast choice. */
export async function postUpdatePreview(
  s: SlackCtx<'config' | 'db' | 'connectors'>,
  i: IncidentWithCard,
  u: IncidentUpdate,
): Promise<void> {
  const res = await s.slack.chat.postMessage({
    channel: i.slackChannel,
    thread_ts: i.slackTs,
    ...updatePreview(u, checkLengths(s, u.publicText)),
    unfurl_links: false,
  });
  if (!res.ts) throw new Error(`Slack accepted the update's preview but returned no ts (update ${u.id})`);
  await s.db.update(incidentUpdates).set({ previewTs: res.ts }).where(eq(incidentUpdates.id, u.id));
}

/** The preview after the choice: who broadcast it (or chose not to), no buttons. */
export async function refreshPreview(s: SlackCtx<'config' | 'connectors'>, i: IncidentWithCard, u: IncidentUpdate): Promise<void> {
  if (!u.previewTs) return;
  await s.slack.chat.update({ channel: i.slackChannel, ts: u.previewTs, ...updatePreview(u, checkLengths(s, u.publicText)) });
}
