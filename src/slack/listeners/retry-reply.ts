import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { SlackCtx } from '../../context.js';
import { actionIds } from '../views/action-ids.js';
import { refusal } from '../inbox/roles.js';
import { retryReply } from '../inbox/retry-reply.js';

/** Retry under a ❌ (or ⚠️ unknown) result: a reply that failed goes again only when an agent says so. */
export function onRetryReply(app: App, s: SlackCtx<'config' | 'log' | 'db' | 'queues'>): void {
  app.action<BlockAction<ButtonAction>>(actionIds.retryReply, async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id;
    const replyId = Number(action.value);
    if (!channel || !Number.isSafeInteger(replyId)) return;
    const refused = await refusal(s, body.user.id, 'agent', 'retry a reply to a customer', { type: 'reply', id: replyId });
    if (refused) {
      await s.slack.chat.postEphemeral({ channel, user: body.user.id, text: refused });
      return;
    }
    await retryReply(s, replyId, body.user.id);
  });
}
