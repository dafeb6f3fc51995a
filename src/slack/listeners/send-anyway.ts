import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { actionIds } from '../views/action-ids.js';
import { sendThreadMessage } from './on-thread-message.js';
import type { ReplyCtx } from '../inbox/request-reply.js';

const held = z.object({ channel: z.string(), threadTs: z.string(), ts: z.string() });

/**
 * "Send anyway" on the warning a thread reply got while another agent was replying. The words
 * are read back from Slack, so an edit made meanwhile is what goes out; the message ts keeps
 * it to one reply however often the button is clicked.
 */
export function onSendAnyway(app: App, s: ReplyCtx): void {
  app.action<BlockAction<ButtonAction>>(actionIds.sendAnyway, async ({ ack, body, action }) => {
    await ack();
    const parsed = held.safeParse(parseJson(action.value));
    if (!parsed.success) return;
    const { channel, threadTs, ts } = parsed.data;
    const res = await s.slack.conversations.replies({ channel, ts: threadTs, oldest: ts, latest: ts, inclusive: true, limit: 10 });
    const message = res.messages?.find((m) => m.ts === ts);
    if (!message || message.user !== body.user.id) {
      await s.slack.chat.postEphemeral({
        channel,
        thread_ts: threadTs,
        user: body.user.id,
        text: 'That message is gone (deleted?), so nothing was sent.',
      });
      return;
    }
    await sendThreadMessage(s, parsed.data, body.user.id, message.text ?? '');
  });
}

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
