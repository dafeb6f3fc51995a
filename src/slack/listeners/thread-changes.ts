import { networks } from '../../../connectors/networks.js';
import type { ReplyRow } from '../../db/rows.js';
import type { ReplyCtx } from '../inbox/request-reply.js';
import { cancelPendingReply, markReported, replyFromMessage } from '../inbox/thread-reply-row.js';
import { slackLink } from '../views/link.js';
import { audit } from '../../db/audit.js';

/** The parts of a `message_changed` event that matter here; they live on `event.message`, not the event. */
export interface EditedMessage {
  channel: string;
  message: { ts?: string; bot_id?: string; edited?: { user?: string; ts?: string } };
}

/** The parts of a `message_deleted` event that matter here: `deleted_ts` names the message. */
export interface DeletedMessage {
  channel: string;
  deleted_ts?: string;
}

const viewIt = (r: ReplyRow) => (r.url ? ` (${slackLink(r.url, 'view it')})` : '');

/**
 * The words a reply carries are fixed when it is stored: what the outbound worker sends, and
 * what Retry sends again. An agent who edits the Slack message must hear that the customer
 * gets (or got) the first version, whatever state the reply is in, or they believe a fix went out.
 */
function editNote(r: ReplyRow): string {
  const network = networks[r.platform].name;
  const correct = 'To correct it, send the correction as a new reply in this thread.';
  switch (r.state) {
    case 'sent':
      return `:pencil2: The customer already has your reply on ${network} as you first wrote it${viewIt(r)}: editing it in Slack does not change it on ${network}. ${correct}`;
    case 'sending':
      return `:pencil2: Your reply is being sent to the customer on ${network} as you first wrote it: editing it in Slack does not change it on ${network}. ${correct}`;
    case 'pending':
      return `:pencil2: Your reply is on its way to the customer on ${network} as you first wrote it: editing it in Slack does not change what is sent. ${correct}`;
    case 'failed':
    case 'unknown':
      return `:pencil2: Editing your reply in Slack does not change it: Retry in this thread would send it to ${network} as you first wrote it. To send the new words, write them as a new reply.`;
    case 'skipped':
      return `:pencil2: Your reply was not sent to ${network}, and editing it does not send it. To send the new words, write them as a new reply.`;
  }
}

/** An agent edited a message of theirs in a card's thread: if it became a reply, they hear what the edit did not do. */
export async function onReplyEdited(s: ReplyCtx, event: EditedMessage): Promise<void> {
  const { message } = event;
  // Only a person's edit: Slack also sends message_changed for unfurls and metadata, without `edited`.
  if (!message.edited || !message.ts || message.bot_id) return;
  const reply = await replyFromMessage(s.db, event.channel, message.ts);
  if (!reply?.requestedBy || !reply.slackThreadTs) return; // never became a reply: nothing was promised
  await s.slack.chat.postEphemeral({
    channel: event.channel,
    thread_ts: reply.slackThreadTs,
    user: reply.requestedBy,
    text: editNote(reply),
  });
}

/**
 * A thread message that became a reply was deleted in Slack. A reply no worker has claimed yet
 * is withdrawn: the words are gone from the thread, so sending them would tell the customer
 * something no teammate can see. This needs no role: only the message's author or a workspace
 * admin can delete it, and withdrawing can only keep words from going out, never send any.
 * Anything already handed to the network stays there, and the agent is told so.
 */
export async function onReplyDeleted(s: ReplyCtx, event: DeletedMessage): Promise<void> {
  if (!event.deleted_ts) return;
  const cancelled = await cancelPendingReply(s.db, event.channel, event.deleted_ts);
  const reply = cancelled ?? (await replyFromMessage(s.db, event.channel, event.deleted_ts));
  if (!reply?.requestedBy || !reply.slackThreadTs) return;
  const network = networks[reply.platform].name;
  const where = { channel: event.channel, thread_ts: reply.slackThreadTs };
  if (cancelled) {
    s.log.info({ replyId: reply.id }, 'reply withdrawn: its Slack message was deleted before it was sent');
    // Only its author or a workspace admin can delete a Slack message: the reply's author stands for both.
    await audit(s.db, reply.requestedBy, 'reply.cancel', { type: 'reply', id: reply.id }, { reason: cancelled.error });
    // Teammates saw the words in the thread; they must see that these never reached the customer.
    await s.slack.chat.postMessage({
      ...where,
      text: `:no_entry_sign: Not sent (from <@${reply.requestedBy}>): ${cancelled.error}.`,
      unfurl_links: false,
    });
    await markReported(s.db, reply.id);
  }
  await s.slack.chat.postEphemeral({ ...where, user: reply.requestedBy, text: deleteNote(reply, network, Boolean(cancelled)) });
}

function deleteNote(r: ReplyRow, network: string, cancelled: boolean): string {
  if (cancelled) {
    return `:wastebasket: You deleted your reply before it went out, so carebot withdrew it: nothing was sent to the customer on ${network}.`;
  }
  const notThere = `Deleting it in Slack does not delete it from ${network}`;
  switch (r.state) {
    case 'sent':
      return `:wastebasket: ${notThere}: the customer already has your reply${viewIt(r)}. If it must go, delete it on ${network} itself.`;
    case 'sending':
    // Back to pending after the network refused for now: a worker had it already, and will again.
    case 'pending':
      return `:wastebasket: ${notThere}: your reply was already being sent when you deleted it. The result follows in this thread; if it was sent and must go, delete it on ${network} itself.`;
    case 'unknown':
      return `:wastebasket: ${notThere}: it is not known whether your reply reached the customer. Check ${network}, and delete it there if it is there.`;
    case 'failed':
      return `:wastebasket: Your reply was not sent to ${network}, so there is nothing to delete there. Retry in this thread would still send it as you first wrote it.`;
    case 'skipped':
      return `:wastebasket: Your reply was not sent to ${network}, so there is nothing to delete there.`;
  }
}
