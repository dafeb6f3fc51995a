/** What carebot posts and may need to find again in Slack after a crash. */
/** `incident`: an incident's card; `incident_followups`: the follow-up summary in its thread. */
export type Posted = 'mention' | 'spike' | 'incident' | 'incident_followups';

/**
 * Slack message metadata naming what a message is for (`carebot_mention` with `mention_id`,
 * `carebot_spike` with `spike_id`): a retry asks Slack for it instead of posting again.
 */
export const messageMetadata = (kind: Posted, id: number) => ({
  event_type: `carebot_${kind}`,
  event_payload: { [`${kind}_id`]: id },
});

/** The id a message's metadata names for `kind`, if it is one of carebot's. */
export function metadataId(metadata: { event_type?: string; event_payload?: unknown } | undefined, kind: Posted): number | undefined {
  if (metadata?.event_type !== `carebot_${kind}`) return undefined;
  const id = Number((metadata.event_payload as Record<string, unknown> | undefined)?.[`${kind}_id`]);
  return id || undefined;
}
