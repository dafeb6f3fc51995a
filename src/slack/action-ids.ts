/** The action and view ids carebot's cards and modals use; the Bolt listeners match on them. */
export const actionIds = {
  reply: 'carebot.reply',
  assignMe: 'carebot.assign_me',
  assign: 'carebot.assign',
  resolve: 'carebot.resolve',
  reopen: 'carebot.reopen',
  more: 'carebot.more',
  retryReply: 'carebot.retry_reply',
  declareIncident: 'carebot.declare_incident',
} as const;

export const viewIds = {
  reply: 'carebot.reply_modal',
  reclassify: 'carebot.reclassify_modal',
  escalate: 'carebot.escalate_modal',
} as const;
