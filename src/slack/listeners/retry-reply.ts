import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { SlackCtx } from '../../context.js';
import { actionIds } from '../views/action-ids.js';
import { may } from '../inbox/permissions.js';
import { retryReply } from '../inbox/retry-reply.js';

/** Retry under a ❌ (or ⚠️ unknown) result: a reply that failed goes again only when an agent says so. */
export function onRetryReply(app: App, s: SlackCtx<'config' | 'db' | 'queues'>): void {
  app.action<BlockAction<ButtonAction>>(actionIds.retryReply, async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id;
    const replyId = Number(action.value);
    if (!channel || !Number.isSafeInteger(replyId)) return;
    if (!(await may(s.slack, s.config.file.slack, body.user.id, 'reply'))) {
      await s.slack.chat.postEphemeral({
        channel,
        user: body.user.id,
        text: 'You are not allowed to reply to customers, so nothing was retried.',
      });
      return;
    }
    await retryReply(s, replyId, body.user.id);
  });
}
