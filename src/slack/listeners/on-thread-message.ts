import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/web-api';
import { actionIds } from '../views/action-ids.js';
import { otherReplier } from '../inbox/collision.js';
import { threadAt } from '../inbox/conversation.js';
import { plainText } from '../views/plain-text.js';
import { replyKeys, requestReply, type ReplyCtx } from '../inbox/request-reply.js';
import { refusal } from '../inbox/roles.js';
import { networks } from '../../../connectors/networks.js';
import { conversationSubject } from '../../db/audit.js';
import type { ThreadRow } from '../../db/rows.js';
import { filesNotSent, type SharedFile, type TextFate } from './thread-files.js';
import { onReplyDeleted, onReplyEdited } from './thread-changes.js';

/** Messages in a card's thread that start like this stay between agents. */
export const INTERNAL_NOTE = /^\s*note:/i;

/** Which Slack message an agent asked to send: what the "Send anyway" button carries. */
export interface HeldMessage {
  channel: string;
  threadTs: string;
  ts: string;
}

/**
 * An agent writing in a card's thread answers the customer: the message goes to the network
 * the customer wrote from, threaded under their latest message. Slack retries an event it
 * thinks we missed; the message ts makes the second delivery find the first reply. A message
 * that became a reply and is then edited or deleted in Slack is answered too (thread-changes.ts):
 * neither reaches the network, and the agent must not believe it did.
 */
export function onThreadMessage(app: App, s: ReplyCtx): void {
  app.event('message', async ({ event: message }) => {
    if (message.subtype === 'message_changed') return onReplyEdited(s, message);
    if (message.subtype === 'message_deleted') return onReplyDeleted(s, message);
    // A plain message, one the agent also sent to the channel, or one with files; never joins or bots' posts.
    if (message.subtype !== undefined && message.subtype !== 'thread_broadcast' && message.subtype !== 'file_share') return;
    // carebot's own posts arrive without a subtype: `bot_id` is what tells them (and other apps' posts) apart.
    if (!message.thread_ts || message.thread_ts === message.ts || !message.user || ('bot_id' in message && message.bot_id)) return;
    if (INTERNAL_NOTE.test(message.text ?? '')) return;
    if (s.config.file.slack.alertsOnly.includes(message.channel)) return; // agents talk among themselves there
    const thread = await threadAt(s.db, message.channel, message.thread_ts);
    if (!thread) return; // a thread under something that is not a card

    const held: HeldMessage = { channel: message.channel, threadTs: message.thread_ts, ts: message.ts };
    const files: SharedFile[] = message.subtype === 'file_share' ? (message.files ?? []) : [];
    const text = message.text ?? '';
    if (files.length && !plainText(text)) return filesOnly(s, thread, held, message.user, files);
    const other = otherReplier(thread, message.user);
    if (other) {
      await s.slack.chat.postEphemeral({
        channel: message.channel,
        thread_ts: message.thread_ts,
        user: message.user,
        ...collisionWarning(other, held),
      });
      if (files.length) await tellAboutFiles(s, thread, held, message.user, files, 'held');
      return;
    }
    await sendThreadMessage(s, held, message.user, text, files);
  });
}

/**
 * Sends what an agent wrote in a card's thread; what is wrong with it goes back to them alone,
 * and so does which of the files that came with it the customer will not get.
 */
export async function sendThreadMessage(
  s: ReplyCtx,
  held: HeldMessage,
  user: string,
  text: string,
  files: SharedFile[] = [],
): Promise<void> {
  const thread = await threadAt(s.db, held.channel, held.threadTs);
  if (!thread) return;
  const outcome = await requestReply(s, {
    thread,
    text: plainText(text),
    user,
    idempotencyKey: replyKeys.threadMessage(held.channel, held.ts),
  });
  const network = networks[thread.platform].name;
  if (!outcome.ok) {
    const note = files.length ? `\n${filesNotSent(files, network, 'refused')}` : '';
    await s.slack.chat.postEphemeral({ channel: held.channel, thread_ts: held.threadTs, user, text: outcome.reason + note });
    return;
  }
  // Slack delivering the event again finds the first reply; the agent heard about the files then.
  if (files.length && !outcome.duplicate) await tellAboutFiles(s, thread, held, user, files, 'sent');
}

/**
 * Files alone: nothing can go to the customer. The role check still comes first, as for any
 * reply, so someone who may not answer customers hears that rather than a note about files.
 */
async function filesOnly(s: ReplyCtx, thread: ThreadRow, held: HeldMessage, user: string, files: SharedFile[]): Promise<void> {
  const refused = await refusal(s, user, 'agent', 'reply to customers', conversationSubject(thread));
  if (refused) {
    await s.slack.chat.postEphemeral({ channel: held.channel, thread_ts: held.threadTs, user, text: refused });
    return;
  }
  await tellAboutFiles(s, thread, held, user, files, 'no text');
}

const tellAboutFiles = (s: ReplyCtx, thread: ThreadRow, held: HeldMessage, user: string, files: SharedFile[], fate: TextFate) =>
  s.slack.chat.postEphemeral({
    channel: held.channel,
    thread_ts: held.threadTs,
    user,
    text: filesNotSent(files, networks[thread.platform].name, fate),
  });

function collisionWarning(other: string, held: HeldMessage): { text: string; blocks: KnownBlock[] } {
  const text = `<@${other}> is writing a reply to this customer right now, so yours was not sent.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:pencil2: ${text} Send it anyway?` } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Send anyway' },
            action_id: actionIds.sendAnyway,
            value: JSON.stringify(held),
          },
        ],
      },
    ],
  };
}
