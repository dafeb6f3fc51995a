import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/web-api';
import { audit } from '../../db/audit.js';
import { loadMention } from '../../db/mention-row.js';
import type { SlackCtx } from '../../context.js';
import { viewIds } from '../views/action-ids.js';
import { mentionIdOf } from '../views/card.js';
import { threadOfMention } from '../inbox/conversation.js';
import { escapeMrkdwn, quote } from '../views/escape.js';
import { slackLink } from '../views/link.js';
import { fitRendered } from '../../shared/fit-text.js';
import { modal } from '../views/modal.js';
import { messageLink } from '../api/permalink.js';

function escalateModal(mentionId: number, defaultChannel: string | undefined): ModalView {
  return modal({
    callbackId: viewIds.escalate,
    metadata: String(mentionId),
    title: 'Escalate',
    submit: 'Escalate',
    blocks: [
      {
        type: 'input',
        block_id: 'channel',
        label: { type: 'plain_text', text: 'To channel' },
        element: {
          type: 'conversations_select',
          action_id: 'channel',
          filter: { include: ['public', 'private'], exclude_bot_users: true },
          ...(defaultChannel ? { initial_conversation: defaultChannel } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'note',
        optional: true,
        label: { type: 'plain_text', text: 'What they should know' },
        element: { type: 'plain_text_input', action_id: 'note', multiline: true, max_length: 2000 },
      },
    ],
  });
}

export async function openEscalateModal(s: SlackCtx<'config'>, triggerId: string, mentionId: number): Promise<void> {
  await s.slack.views.open({ trigger_id: triggerId, view: escalateModal(mentionId, s.config.file.slack.escalationChannel) });
}

/**
 * Escalate: the conversation is brought to another channel (engineering, a manager) with a link
 * to its card, and the card's thread says where it went. A channel carebot is not in is refused
 * in the modal, so the agent can pick another or invite the bot.
 */
export function onEscalate(app: App, s: SlackCtx<'db'>): void {
  app.view(viewIds.escalate, async ({ ack, body, view }) => {
    const mentionId = mentionIdOf(view.private_metadata);
    const channel = view.state.values.channel?.channel?.selected_conversation;
    const note = view.state.values.note?.note?.value?.trim() ?? '';
    const thread = mentionId ? await threadOfMention(s.db, mentionId) : undefined;
    if (!mentionId || !channel || !thread?.threadTs) {
      await ack({ response_action: 'errors', errors: { channel: channel ? 'This conversation has no card yet.' : 'Pick a channel.' } });
      return;
    }
    const root = await loadMention(s.db, mentionId, 'analyzed');
    const t = root.triage;
    const user = body.user.id;
    const link = await messageLink(s.slack, thread.channel, thread.threadTs);
    const summary = `*${t.priority}* · @${escapeMrkdwn(root.authorHandle)} on ${root.platform}:\n${fitRendered(root.text, quote, 2000)}`;
    const said = note ? `\n${fitRendered(note, quote, 500)}` : '';
    try {
      await s.slack.chat.postMessage({
        channel,
        text: `Escalated by <@${user}>: ${t.priority} from ${escapeMrkdwn(`@${root.authorHandle}`)}`,
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `:rotating_light: *Escalated by <@${user}>* · ${slackLink(link, 'open the card')}${said}` },
          },
          { type: 'section', text: { type: 'mrkdwn', text: summary } },
        ],
        unfurl_links: false,
      });
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      const why =
        code === 'not_in_channel' || code === 'channel_not_found'
          ? 'carebot is not in that channel: invite it (/invite @carebot) or pick another.'
          : `Slack said: ${code ?? (err as Error).message}`;
      await ack({ response_action: 'errors', errors: { channel: why } });
      return;
    }
    await ack();
    await s.slack.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.threadTs,
      text: `:rotating_light: Escalated to <#${channel}> by <@${user}>`,
    });
    await audit(s.db, user, 'escalate', { type: 'conversation', id: `${thread.platform}:${thread.conversationId}` }, { channel, note });
  });
}
