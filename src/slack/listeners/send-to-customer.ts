import type { App, MessageShortcut } from '@slack/bolt';
import type { SlackCtx } from '../../context.js';
import { shortcutIds } from '../views/action-ids.js';
import { threadAt } from '../inbox/conversation.js';
import { INTERNAL_NOTE } from './on-thread-message.js';
import { plainText } from '../views/plain-text.js';
import { openReplyModal } from './reply-modal.js';

/**
 * The "Send to customer" message shortcut: a draft written in a card's thread (typically a
 * `note:` the team agreed on) opens in the reply modal, ready to check and send.
 */
export function onSendToCustomer(app: App, s: SlackCtx<'config' | 'log' | 'db' | 'connectors'>): void {
  app.shortcut<MessageShortcut>(shortcutIds.sendToCustomer, async ({ ack, shortcut }) => {
    await ack();
    const channel = shortcut.channel.id;
    const thread = await threadAt(s.db, channel, shortcut.message.thread_ts ?? shortcut.message.ts);
    if (!thread) {
      await s.slack.chat.postEphemeral({
        channel,
        user: shortcut.user.id,
        text: 'That message is not in the thread of a carebot card, so there is no customer to send it to.',
      });
      return;
    }
    const text = plainText((shortcut.message.text ?? '').replace(INTERNAL_NOTE, ''));
    await openReplyModal(s, { triggerId: shortcut.trigger_id, thread, user: shortcut.user.id, channel, text });
  });
}
