/** The action, view and shortcut ids carebot's cards, modals and manifest use; the Bolt listeners match on them. */
export const actionIds = {
  reply: 'carebot.reply',
  assignMe: 'carebot.assign_me',
  assign: 'carebot.assign',
  resolve: 'carebot.resolve',
  reopen: 'carebot.reopen',
  more: 'carebot.more',
  retryReply: 'carebot.retry_reply',
  /** The canned-reply menu inside the reply modal. */
  canned: 'carebot.canned',
  /** On the ephemeral warning a thread reply gets while another agent is replying. */
  sendAnyway: 'carebot.send_anyway',
  homeRefresh: 'carebot.home_refresh',
  declareIncident: 'carebot.declare_incident',
  /** On an incident update's preview in its thread; the value is the update id. */
  broadcast: 'carebot.incident_broadcast',
  dontBroadcast: 'carebot.incident_dont_broadcast',
  /** On the incident card; the value is the incident id. */
  postUpdate: 'carebot.incident_post_update',
  resolveIncident: 'carebot.incident_resolve',
} as const;

export const viewIds = {
  reply: 'carebot.reply_modal',
  reclassify: 'carebot.reclassify_modal',
  escalate: 'carebot.escalate_modal',
  incident: 'carebot.incident_modal',
  incidentUpdate: 'carebot.incident_update_modal',
} as const;

/** The message shortcut (config/slack-manifest.yaml) that sends a thread message to the customer. */
export const shortcutIds = { sendToCustomer: 'carebot.send_to_customer' } as const;

/** The slash command (config/slack-manifest.yaml). */
export const command = '/carebot';
