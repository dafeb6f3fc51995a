import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/web-api';
import { actionIds } from '../views/action-ids.js';
import { otherReplier } from '../inbox/collision.js';
import { threadAt } from '../inbox/conversation.js';
import { plainText } from '../views/plain-text.js';
import { replyKeys, requestReply, type ReplyCtx } from '../inbox/request-reply.js';

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
 * thinks we missed; the message ts makes the second delivery find the first reply.
 */
export function onThreadMessage(app: App, s: ReplyCtx): void {
  app.event('message', async ({ event: message }) => {
    // A plain message, or one the agent also sent to the channel; never edits, joins or files.
    if (message.subtype !== undefined && message.subtype !== 'thread_broadcast') return;
    if (!message.thread_ts || message.thread_ts === message.ts || !message.user || ('bot_id' in message && message.bot_id)) return;
    if (INTERNAL_NOTE.test(message.text ?? '')) return;
    if (s.config.file.slack.alertsOnly.includes(message.channel)) return; // agents talk among themselves there
    const thread = await threadAt(s.db, message.channel, message.thread_ts);
    if (!thread) return; // a thread under something that is not a card

    const held: HeldMessage = { channel: message.channel, threadTs: message.thread_ts, ts: message.ts };
    const other = otherReplier(thread, message.user);
    if (other) {
      await s.slack.chat.postEphemeral({
        channel: message.channel,
        thread_ts: message.thread_ts,
        user: message.user,
        ...collisionWarning(other, held),
      });
      return;
    }
    await sendThreadMessage(s, held, message.user, message.text ?? '');
  });
}

/** Sends what an agent wrote in a card's thread; what is wrong with it goes back to them alone. */
export async function sendThreadMessage(s: ReplyCtx, held: HeldMessage, user: string, text: string): Promise<void> {
  const thread = await threadAt(s.db, held.channel, held.threadTs);
  if (!thread) return;
  const outcome = await requestReply(s, {
    thread,
    text: plainText(text),
    user,
    idempotencyKey: replyKeys.threadMessage(held.channel, held.ts),
  });
  if (!outcome.ok) {
    await s.slack.chat.postEphemeral({ channel: held.channel, thread_ts: held.threadTs, user, text: outcome.reason });
  }
}

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
